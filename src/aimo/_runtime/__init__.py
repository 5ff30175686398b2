"""In-workflow gates: ``gate`` (Gate and @governed)."""
