"""Acme's aimo policies: one written in Python, the rest in a declarative pack.

Installing this package is enough: it registers itself under the ``aimo`` entry-point
group, so ``aimo check``, ``aimo.evaluate`` and every ``aimo.Engine()`` pick it up.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources

import aimo

__version__ = "1.0.0"

#: The declarative half of the plugin, shipped inside the package.
PACK = aimo.load_pack(resources.files(__name__) / "acme-brand.yaml")


@aimo.policy(
    id="acme-brand-voice",
    title="Brand voice guide linked",
    severity="medium",
    enforcement="mandatory",
    applies_from="pilot",
    seed_section="Define Roles and Review",
    references=["Acme brand book, section 2"],
    remediation="Link the brand voice guide from the output standard.",
)
def brand_voice(workflow: aimo.Workflow, ctx: aimo.Context) -> Iterator[aimo.Violation]:
    """Fails when a public or partner workflow's output standard does not link the brand
    voice guide. Internal work is not applicable.

    Reviewers judge tone against the guide; without the link, they judge against memory.
    """
    if workflow.audience is None or workflow.audience is aimo.Audience.INTERNAL:
        yield aimo.NotApplicable("Only work seen outside Acme must follow the brand voice.")
        return
    standard = workflow.output_standard
    if standard is None or not standard.document or "brand" not in standard.document:
        yield aimo.Violation(
            "The output standard does not link Acme's brand voice guide.",
            path="/output_standard/document",
            expected="a link to the brand voice guide",
        )


@aimo.hookimpl
def aimo_policies() -> list[aimo.Policy]:
    return [brand_voice, *PACK.policies]
