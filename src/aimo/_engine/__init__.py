"""The engine layer: policies, verdicts, and judging workflows against them.

``policy`` (Policy, Violation, NotApplicable, Context), ``verdict`` (Verdict, Finding and
their enumerations), ``loop`` (the hot loop: one workflow to one verdict), ``engine``
(BaseEngine: plugin registry and configuration), ``config``, ``coerce`` (what the API takes
into documents), ``batch`` (many documents, in one process or several), ``plugins``
(where plugins come from and how they travel), ``pack``, ``waivers``, ``observed``.
"""
