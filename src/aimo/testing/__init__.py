"""The test kit for policy authors: a pytest plugin (spec section 4.8).

Installed with aimo, the plugin is active in every pytest session (entry point ``pytest11``,
name ``aimo``). It provides:

Fixtures
    ``aimo_engine``
        An :class:`aimo.Engine` with the built-in policies and every installed plugin
        (session scoped). Override it in a ``conftest.py`` to test an engine of your own.
    ``aimo_today``
        The evaluation date: the ini option ``aimo_today = YYYY-MM-DD`` when set, else
        today (UTC). Override the fixture to choose it in code.
    ``make_workflow``
        ``make_workflow(**overrides) -> aimo.Workflow``: a complete production workflow
        that every built-in policy passes, or finds not applicable, as of ``aimo_today``.
        A keyword replaces a field (``consequence="high"``), a double underscore reaches
        into it (``owner__email="x@example.com"``, ``inputs__0__classification=...``) and
        ``None`` removes the field. :func:`compliant_workflow` is the same outside fixtures.

Assertion helpers
    :func:`assert_allows`, :func:`assert_warns`, :func:`assert_denies`,
    :func:`assert_fails`, :func:`assert_passes`, :func:`assert_not_applicable` and
    :func:`assert_waived` raise ``AssertionError`` with the verdict printed readably.

Case files
    pytest collects every ``*.aimo-test.yaml`` file as tests, one per case::

        today: 2026-11-27        # optional; default: the aimo_today fixture
        model: ../model.yaml     # optional operating model, relative to this file
        cases:
          - name: public claims need high consequence    # unique within the file
            overrides:           # deep-merged into the compliant workflow; null removes
              audience: public
              content: {makes_claims: true, substantiation: [https://example.com/study]}
              consequence: medium
            # or  workflow: {...}            a complete workflow instead of overrides
            # or  workflow_file: flows/a.yaml  relative to this file
            # (with none of the three, the case judges the compliant workflow as it is)
            today: 2027-03-01    # optional; this case's evaluation date (the compliant
                                 # workflow's dates follow it)
            expect:              # at least one expectation
              decision: deny                          # allow | warn | deny
              fail: [consequence-matches-exposure]    # policy ids...
              pass: [owner-named]
              not_applicable: [quality-drift]
              waived: []

    Under ``fail`` and ``waived`` an entry may also be ``{policy: ID, path: /json/pointer}``
    to expect the finding at that path. ``fail`` means at least one finding of the policy
    failed; ``waived``, at least one was waived; ``pass`` and ``not_applicable``, every
    finding of the policy had that outcome. The cases use the ``aimo_engine`` fixture, so
    an override of it in a ``conftest.py`` applies to them too. A case file that breaks
    these rules is reported as a collection error naming the file, the case and the problem.

Outcome coverage
    ``--aimo-coverage`` reports at the end of the session, for every policy known to an
    engine that evaluated a workflow during the session (and to the default
    ``aimo.Engine()``), whether the tests made it pass, fail and not apply, then lists the
    policies never made to fail. A ``fail`` or ``waived`` finding counts as made to fail; an
    ``error`` does not (it is reported separately, as a bug). ``--aimo-coverage-fail-under N``
    also fails the session when fewer than N percent of the policies were made to fail.
    Outcomes are recorded in the pytest process itself, so run coverage without
    pytest-xdist's ``-n``.

The helpers build their own messages, so pytest need not rewrite this module's asserts
(PYTEST_DONT_REWRITE): that also keeps an early ``import aimo.testing`` from warning.
"""

from aimo._policies.compliant import compliant_document, compliant_workflow
from aimo.testing.assertions import (
    assert_allows,
    assert_denies,
    assert_fails,
    assert_not_applicable,
    assert_passes,
    assert_waived,
    assert_warns,
    describe_verdict,
)
from aimo.testing.fixtures import WorkflowFactory

# The plugin's hooks and fixtures, in this module's namespace: the pytest11 entry point
# names this module, and pytest finds a plugin's hooks and fixtures in its namespace.
from aimo.testing.fixtures import aimo_engine as aimo_engine
from aimo.testing.fixtures import aimo_today as aimo_today
from aimo.testing.fixtures import make_workflow as make_workflow
from aimo.testing.plugin import pytest_addoption as pytest_addoption
from aimo.testing.plugin import pytest_collect_file as pytest_collect_file
from aimo.testing.plugin import pytest_configure as pytest_configure
from aimo.testing.plugin import pytest_sessionfinish as pytest_sessionfinish
from aimo.testing.plugin import pytest_terminal_summary as pytest_terminal_summary
from aimo.testing.plugin import pytest_unconfigure as pytest_unconfigure

__all__ = [
    "WorkflowFactory",
    "assert_allows",
    "assert_denies",
    "assert_fails",
    "assert_not_applicable",
    "assert_passes",
    "assert_waived",
    "assert_warns",
    "compliant_document",
    "compliant_workflow",
    "describe_verdict",
]
