"""aimo's own policies: ``core`` and ``run`` (Python), declarative ``packs`` (with
``patterns``, ``fastschema`` and ``rulefields``), ``phrases`` (output checks that see
through disguises), ``builtin`` (what an engine registers first) and ``compliant`` (the
workflow every built-in policy passes)."""
