"""Framework controls: the framework clauses a policy cites, as (framework, id) values.

A policy's ``references`` are free text for people; its controls are the same citations in
a form tools can group and filter: ``aimo policies --framework``, SARIF tags and the
crosswalk in the docs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

__all__ = ["FRAMEWORKS", "Control", "derive_controls", "natural_key"]

#: The frameworks aimo knows by name, spelled as controls spell them.
FRAMEWORKS: tuple[str, ...] = ("NIST AI RMF", "ISO/IEC 42001", "EU AI Act")

_CANONICAL = {name.casefold(): name for name in FRAMEWORKS}

_Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1)]


class Control(BaseModel):
    """One control of a framework that a policy helps with: ``NIST AI RMF`` ``GOVERN 1.3``.

    A known framework written in another case is spelled as :data:`FRAMEWORKS` spells it,
    so that one framework is never listed twice; any other framework is kept as written.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    framework: _Text
    id: _Text

    @field_validator("framework")
    @classmethod
    def _known_spelling(cls, value: str) -> str:
        return _CANONICAL.get(value.casefold(), value)

    def __str__(self) -> str:
        return f"{self.framework} {self.id}"


# A citation of a known framework: its name, then the clause ("NIST AI RMF GOVERN 1.3").
_CITATION = re.compile(
    "^(" + "|".join(re.escape(name) for name in FRAMEWORKS) + r")\s+(.+)$",
    re.IGNORECASE | re.DOTALL,
)
# Where a clause ends and commentary begins: a comma ("Art. 50(4), second subparagraph") or
# a parenthesis after a space ("Art. 12 (logging, high-risk systems)"), but not a
# parenthesis that is part of the clause ("Art. 50(4)").
_COMMENTARY = re.compile(r",|\s\(")


def derive_controls(references: Iterable[str]) -> tuple[Control, ...]:
    """The controls that references citing a known framework name, in order, once each.

    A reference counts when it starts with a framework of :data:`FRAMEWORKS`; the rest, up
    to any commentary, is the control's id. Other references (a handbook, a law) give none.
    """
    controls: dict[Control, None] = {}
    for reference in references:
        cited = _CITATION.match(reference.strip())
        if cited is None:
            continue
        clause = _COMMENTARY.split(cited.group(2), maxsplit=1)[0].strip()
        if clause:
            controls.setdefault(Control(framework=cited.group(1), id=clause), None)
    return tuple(controls)


def natural_key(text: str) -> tuple[Any, ...]:
    """A sort key that orders the numbers inside text by value: ``MAP 1.5`` before
    ``MAP 1.10``, ``A.7.2`` before ``A.10.1``."""
    # Splitting on a captured group alternates text and digits, so the parts always compare
    # with parts of the same kind.
    return tuple(
        int(part) if index % 2 else part.casefold()
        for index, part in enumerate(re.split(r"(\d+)", text))
    )
