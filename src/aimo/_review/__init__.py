"""Advice and review for people: ``advice`` (use-case scores, infrastructure) and ``report``
(an operating model's review)."""
