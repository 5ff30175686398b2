"""One person cannot pass for two: an owner reviewing or approving their own work is found
however their email or name is disguised (reviewer-named, run-approvals-meet-tier)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import aimo
from conftest import TODAY, findings_of, make

OWNER = {"name": "Dana Lee", "email": "dana.lee@example.com"}
#: A standard review needs a reviewer who is not the owner, and one approval not theirs.
STANDARD = {"consequence": "medium", "review_tier": "standard"}

#: Characters that do not show, or show as nothing, inside an email address.
INVISIBLE = {
    "zero-width space": "\u200b",
    "soft hyphen": "\u00ad",
    "right-to-left mark": "\u200f",
    "byte order mark": "\ufeff",
    "word joiner": "\u2060",
    "left-to-right override": "\u202d",
    "NUL": "\x00",
    "escape": "\x1b",
    "delete": "\x7f",
    "next line": "\x85",
}


def _disguised(email: str, char: str) -> list[str]:
    local, domain = email.split("@")
    return [f"{local}{char}@{domain}", f"{local}@{domain}{char}", f"{char}{email}"]


EMAIL_PLACES = {
    "reviewer": lambda email: {"reviewer": {"name": "Sam", "email": email}},
    "owner": lambda email: {"owner": {"name": "Dana Lee", "email": email}},
    "escalation contact": lambda email: {"escalation.contacts": [{"name": "D", "email": email}]},
}


@pytest.mark.parametrize("place", EMAIL_PLACES.values(), ids=EMAIL_PLACES)
@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE)
def test_an_email_with_an_invisible_character_is_refused(place: Any, char: str) -> None:
    # "dana.lee\u200b@example.com" passed for a reviewer other than the owner, and turned a
    # deny (owner reviews their own work at a standard tier) into an allow.
    for email in _disguised(OWNER["email"], char):
        with pytest.raises(aimo.DocumentError) as caught:
            aimo.evaluate(make({**STANDARD, **place(email)}), today=TODAY)
        [problem] = caught.value.problems
        assert problem.path.endswith("/email")


@pytest.mark.parametrize(
    "email", ["\uff44\uff41\uff4e\uff41.lee@example.com", "dana.le\u0065\u0301@example.com"]
)
def test_an_email_in_look_alike_letters_is_refused(email: str) -> None:
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.evaluate(make({**STANDARD, "reviewer": {"name": "Sam", "email": email}}), today=TODAY)
    assert caught.value.problems[0].path == "/reviewer/email"


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE)
def test_an_approval_with_an_invisible_character_in_its_email_is_refused(char: str) -> None:
    with pytest.raises(ValueError, match="email"):
        aimo.Approval("Dana Lee", f"dana.lee{char}@example.com")


@pytest.mark.parametrize(
    "email",
    ["dana.lee@example.com", "Dana.Lee@Example.COM", "dönüş@exämple.de", "用户@例子.广告"],
)
def test_ordinary_and_international_emails_are_still_emails(email: str) -> None:
    aimo.evaluate(make({"reviewer": {"name": "Sam", "email": email}}), today=TODAY)
    aimo.Approval("Sam", email)


# -- disguises that are valid text: the comparison must see through them -----------------

SAME_PERSON = {
    "Cyrillic a in the email": {"name": "Dana Lee", "email": "d\u0430na.lee@example.com"},
    "Greek omicron in the domain": {"name": "Dana Lee", "email": "dana.lee@example.c\u03bfm"},
    "name in other case, no emails": {"name": "dana lee"},
    "name with a no-break space, no emails": {"name": "Dana\u00a0Lee"},
    "name with two spaces, no emails": {"name": "Dana  Lee"},
    "name with a zero-width space, no emails": {"name": "Dana\u200b Lee"},
}


@pytest.mark.parametrize("reviewer", SAME_PERSON.values(), ids=SAME_PERSON)
def test_the_owner_cannot_review_their_own_work_in_disguise(reviewer: dict[str, str]) -> None:
    owner = OWNER if "email" in reviewer else {"name": OWNER["name"]}
    verdict = aimo.evaluate(make({**STANDARD, "owner": owner, "reviewer": reviewer}), today=TODAY)
    [finding] = findings_of(verdict, "reviewer-named")
    assert finding.outcome == "fail"


@pytest.mark.parametrize(
    "approval",
    [
        aimo.Approval("Dana Lee", "d\u0430na.lee@example.com"),
        aimo.Approval("Dana\u200b Lee"),
        aimo.Approval("D\u0430na Lee"),
    ],
    ids=["Cyrillic a in the email", "zero-width space in the name", "Cyrillic a in the name"],
)
def test_the_owner_cannot_approve_their_own_output_in_disguise(approval: aimo.Approval) -> None:
    owner = OWNER if approval.email else {"name": OWNER["name"]}
    run = aimo.Run(
        inputs=["ga4_weekly_export"],
        output="Weekly summary",
        approvals=[approval],
        at=dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC),
    )
    verdict = aimo.evaluate(make({**STANDARD, "owner": owner}), today=TODAY, run=run)
    [finding] = findings_of(verdict, "run-approvals-meet-tier")
    assert finding.outcome == "fail"
