"""The tamper-evident decision log: ``records`` (the format), ``log`` (appending) and
``verify`` (checking the chain)."""
