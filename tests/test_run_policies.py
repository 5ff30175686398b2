"""The four run policies of spec 4.3: each made to pass, to fail and to be not applicable."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest

import aimo
from aimo._documents.run import Approval, Run
from aimo._policies.run import POLICIES
from conftest import DELETE, TODAY, findings_of, make

AT = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)
GA4 = "ga4_weekly_export"
OWNER = Approval("Dana Lee", "dana.lee@example.com", "marketing")
SAM = Approval("Sam Ortiz", "sam.ortiz@example.com", "marketing")
LEGAL = Approval("Lee Park", "lee.park@example.com", "legal")
EXEC = Approval("Ana Ruiz", "ana.ruiz@example.com", "Executive")
MEDIUM = {"consequence": "medium", "review_tier": "standard"}
HIGH = {"consequence": "high", "review_tier": "heavy"}
CRITICAL = {"consequence": "critical", "review_tier": "heavy"}
PUBLIC_PILOT = {"stage": "pilot", "audience": "public", **MEDIUM}
NO_RUN = None
FULL_WIDTH_GUARANTEED = "".join(chr(ord(c) + 0xFEE0) for c in "Guaranteed")

# (policy id, expected outcome, changes to the compliant workflow, the run as keyword
# arguments of aimo.Run or None for no run, expected failing paths)
CASES: list[tuple[str, str, dict[str, Any], dict[str, Any] | None, list[str]]] = [
    ("run-stage-allows-use", "pass", {}, {"inputs": [GA4]}, []),
    ("run-stage-allows-use", "pass", {"stage": "pilot"}, {"output": "Internal draft"}, []),
    # A public pilot may still run and draft; it may not publish.
    ("run-stage-allows-use", "pass", PUBLIC_PILOT, {"inputs": [GA4]}, []),
    ("run-stage-allows-use", "fail", PUBLIC_PILOT, {"output": "Hello, world"}, ["/audience"]),
    ("run-stage-allows-use", "fail", {"stage": "idea"}, {"inputs": [GA4]}, ["/stage"]),
    ("run-stage-allows-use", "fail", {"stage": "retired"}, {}, ["/stage"]),
    ("run-stage-allows-use", "not_applicable", {}, NO_RUN, []),
    ("run-stage-allows-use", "not_applicable", {"stage": "idea"}, NO_RUN, []),
    ("run-inputs-approved", "pass", {}, {"inputs": [GA4]}, []),
    ("run-inputs-approved", "pass", {}, {}, []),
    # A run that read less sensitive data than approved is inside the boundary.
    (
        "run-inputs-approved",
        "pass",
        {},
        {"inputs": [{"name": GA4, "classification": "public"}]},
        [],
    ),
    (
        "run-inputs-approved",
        "fail",
        {},
        {"inputs": [GA4, "crm_contacts", GA4, "ad_spend"]},
        ["/run/inputs/1", "/run/inputs/3"],
    ),
    (
        "run-inputs-approved",
        "fail",
        {},
        {"inputs": [GA4, aimo.Input(name=GA4, classification="personal")]},
        ["/run/inputs/1"],
    ),
    (
        "run-inputs-approved",
        "fail",
        {"inputs": [{"name": "notes"}]},
        {"inputs": ["notes"]},
        ["/run/inputs/0"],
    ),
    (
        "run-inputs-approved",
        "fail",
        {"data_boundary": DELETE},
        {"inputs": [GA4]},
        ["/run/inputs/0"],
    ),
    ("run-inputs-approved", "fail", {"stage": "idea"}, {"inputs": ["crm"]}, ["/run/inputs/0"]),
    ("run-inputs-approved", "not_applicable", {}, NO_RUN, []),
    ("run-approvals-meet-tier", "pass", {}, {"output": "Summary"}, []),
    ("run-approvals-meet-tier", "pass", MEDIUM, {"output": "Summary", "approvals": [SAM]}, []),
    (
        "run-approvals-meet-tier",
        "fail",
        MEDIUM,
        {"output": "Summary", "approvals": [OWNER]},
        ["/run/approvals"],
    ),
    ("run-approvals-meet-tier", "fail", MEDIUM, {"output": "Summary"}, ["/run/approvals"]),
    # One person approving twice is one approver.
    (
        "run-approvals-meet-tier",
        "fail",
        HIGH,
        {
            "output": "Summary",
            "approvals": [LEGAL, Approval("Lee Park", "Lee.Park@Example.com", "legal")],
        },
        ["/run/approvals"],
    ),
    (
        "run-approvals-meet-tier",
        "fail",
        HIGH,
        {"output": "Summary", "approvals": [SAM, EXEC]},
        ["/run/approvals"],
    ),
    # The owner holding the required role does not supply it at heavy review.
    (
        "run-approvals-meet-tier",
        "fail",
        HIGH,
        {"output": "Summary", "approvals": [SAM, EXEC, OWNER.model_copy(update={"role": "legal"})]},
        ["/run/approvals"],
    ),
    (
        "run-approvals-meet-tier",
        "fail",
        CRITICAL,
        {"output": "Summary", "approvals": [SAM, LEGAL]},
        ["/run/approvals"],
    ),
    (
        "run-approvals-meet-tier",
        "fail",
        CRITICAL,
        {"output": "Summary", "approvals": [OWNER]},
        ["/run/approvals", "/run/approvals", "/run/approvals"],
    ),
    (
        "run-approvals-meet-tier",
        "pass",
        CRITICAL,
        {"output": "Summary", "approvals": [EXEC, LEGAL.model_copy(update={"role": "Legal"})]},
        [],
    ),
    ("run-approvals-meet-tier", "not_applicable", MEDIUM, NO_RUN, []),
    ("run-approvals-meet-tier", "not_applicable", MEDIUM, {"inputs": [GA4]}, []),
    (
        "run-approvals-meet-tier",
        "not_applicable",
        {"consequence": DELETE},
        {"output": "Summary"},
        [],
    ),
    ("run-output-meets-standard", "pass", {}, {"output": "All channels steady."}, []),
    # Whole words only: "guaranteedly" and "unguaranteed" are not "guaranteed".
    (
        "run-output-meets-standard",
        "pass",
        {},
        {"output": "Unguaranteed results, guaranteedly."},
        [],
    ),
    (
        "run-output-meets-standard",
        "fail",
        {},
        {"output": "Results GUARANTEED."},
        ["/run/output"],
    ),
    (
        "run-output-meets-standard",
        "fail",
        {},
        {"output": {"subject": "Guaranteed growth", "body": "Steady", "a/b": "guaranteed"}},
        ["/run/output/subject", "/run/output/a~1b"],
    ),
    (
        "run-output-meets-standard",
        "fail",
        {"output_standard.checks": {"max_length": 10}},
        {"output": {"subject": "Hello", "body": "world!"}},
        ["/run/output"],
    ),
    (
        "run-output-meets-standard",
        "pass",
        {"output_standard.checks": {"required_phrases": ["Unsubscribe", "Reply STOP"]}},
        {"output": {"subject": "News", "body": "To unsubscribe, reply  stop."}},
        [],
    ),
    (
        "run-output-meets-standard",
        "fail",
        {"output_standard.checks": {"required_phrases": ["Reply STOP"]}},
        {"output": "Unsubscribe below."},
        ["/run/output"],
    ),
    (
        "run-output-meets-standard",
        "fail",
        {"output_standard.checks": {"disclosure": "Created with AI assistance."}},
        {"output": "Created with AI"},
        ["/run/output"],
    ),
    (
        "run-output-meets-standard",
        "pass",
        {"output_standard.checks": {"disclosure": "Created with AI assistance."}},
        {"output": "Steady week.\n\ncreated with AI\nassistance."},
        [],
    ),
    ("run-output-meets-standard", "not_applicable", {}, NO_RUN, []),
    ("run-output-meets-standard", "not_applicable", {}, {"inputs": [GA4]}, []),
    (
        "run-output-meets-standard",
        "not_applicable",
        {"output_standard.checks": DELETE},
        {"output": "guaranteed"},
        [],
    ),
]


def judge(
    evaluate: Callable[..., aimo.Verdict],
    changes: dict[str, Any] | None = None,
    run: dict[str, Any] | None = None,
    **kwargs: Any,
) -> aimo.Verdict:
    return evaluate(make(changes), run=None if run is None else Run(at=AT, **run), **kwargs)


@pytest.mark.parametrize(
    ("policy_id", "outcome", "changes", "run", "paths"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)],
)
def test_run_policy_outcome(
    evaluate: Callable[..., aimo.Verdict],
    policy_id: str,
    outcome: str,
    changes: dict[str, Any],
    run: dict[str, Any] | None,
    paths: list[str],
) -> None:
    found = findings_of(judge(evaluate, changes, run), policy_id)
    assert found, f"{policy_id} reported nothing"
    assert {f.outcome.value for f in found} == {outcome}, [f.message for f in found]
    if outcome == "fail" and paths:
        assert [f.path for f in found] == paths
    for finding in found:
        assert finding.message.endswith("."), finding.message
        if outcome == "fail":
            assert finding.path.startswith(("/run/", "/stage", "/audience"))
            assert finding.remediation
            assert finding.expected is not None


def test_every_run_policy_is_made_to_pass_fail_and_not_apply() -> None:
    covered: dict[str, set[str]] = {}
    for policy_id, outcome, *_ in CASES:
        covered.setdefault(policy_id, set()).add(outcome)
    for policy in POLICIES:
        assert covered.get(policy.id) == {"pass", "fail", "not_applicable"}, policy.id


def test_run_policy_table_matches_the_spec(engine: aimo.Engine) -> None:
    table = {
        "run-stage-allows-use": "hard_mandatory",
        "run-inputs-approved": "hard_mandatory",
        "run-approvals-meet-tier": "mandatory",
        "run-output-meets-standard": "mandatory",
    }
    assert [p.id for p in POLICIES] == list(table)
    known = {p.id: p for p in engine.policies}
    for policy in POLICIES:
        assert known[policy.id] is policy
        assert engine.enforcement(policy.id).value == table[policy.id]
        assert policy.applies_from is aimo.Stage.IDEA
        assert policy.retired
        assert policy.title
        assert policy.seed_section
        assert policy.references
        assert policy.remediation
        what, _, why = policy.description.partition("\n\n")
        assert what
        assert why
    refs = {ref.id: ref for ref in engine.policy_set}
    assert {refs[p.id].source for p in POLICIES} == {"aimo"}


@pytest.mark.parametrize("stage", list(aimo.Stage))
def test_without_a_run_no_run_policy_applies(
    evaluate: Callable[..., aimo.Verdict], stage: aimo.Stage
) -> None:
    verdict = judge(evaluate, {"stage": stage.value})
    for policy in POLICIES:
        [finding] = findings_of(verdict, policy.id)
        assert finding.outcome is aimo.Outcome.NOT_APPLICABLE
        assert "run" in finding.message


def test_a_compliant_run_is_allowed(evaluate: Callable[..., aimo.Verdict]) -> None:
    verdict = judge(evaluate, run={"inputs": [GA4], "output": "All channels steady."})
    assert verdict.decision is aimo.Decision.ALLOW
    assert verdict.failures == []


def test_the_banned_phrase_is_named_and_blocks(evaluate: Callable[..., aimo.Verdict]) -> None:
    changes = {"output_standard.checks.banned_phrases": ["risk-free", "guaranteed"]}
    verdict = judge(evaluate, changes, {"output": "A Risk-Free trial for every team."})
    [finding] = verdict.failures
    assert finding.message == "The output uses the banned phrase 'risk-free'."
    assert (finding.path, finding.observed, finding.expected) == (
        "/run/output",
        "Risk-Free",
        "no 'risk-free'",
    )
    assert verdict.decision is aimo.Decision.DENY


def test_a_dict_output_names_the_field(evaluate: Callable[..., aimo.Verdict]) -> None:
    verdict = judge(evaluate, run={"output": {"subject": "Guaranteed growth", "body": "Fine"}})
    [finding] = verdict.failures
    assert finding.message == "The output's 'subject' field uses the banned phrase 'guaranteed'."
    assert finding.path == "/run/output/subject"


@pytest.mark.parametrize(
    "text",
    [
        FULL_WIDTH_GUARANTEED + " returns",
        "guar\u200banteed returns",  # a zero-width space inside the word
        "GUARANTEED\nreturns",
    ],
)
def test_a_banned_phrase_cannot_hide(evaluate: Callable[..., aimo.Verdict], text: str) -> None:
    [finding] = judge(evaluate, run={"output": text}).failures
    assert finding.policy_id == "run-output-meets-standard"


def test_phrases_match_across_any_spacing(evaluate: Callable[..., aimo.Verdict]) -> None:
    changes = {"output_standard.checks.banned_phrases": ["money back"]}
    [finding] = judge(evaluate, changes, {"output": "Your money\n  back, always"}).failures
    assert finding.observed == "money\n  back"


def test_the_length_limit_is_named(evaluate: Callable[..., aimo.Verdict]) -> None:
    changes = {"output_standard.checks.max_length": 12}
    [finding] = judge(evaluate, changes, {"output": "Thirteen char"}).failures
    assert finding.message == "The output is 13 characters long; the limit is 12."
    assert (finding.observed, finding.expected) == (13, "at most 12 characters")


def test_missing_required_phrases_and_disclosure_are_named(
    evaluate: Callable[..., aimo.Verdict],
) -> None:
    changes = {
        "output_standard.checks": {
            "required_phrases": ["Unsubscribe"],
            "disclosure": "Created with AI assistance.",
        }
    }
    failures = judge(evaluate, changes, {"output": "Hello"}).failures
    assert [f.message for f in failures] == [
        "The output is missing the required phrase 'Unsubscribe'.",
        "The disclosure 'Created with AI assistance.' is missing from the output.",
    ]
    assert all(f.observed is None for f in failures)


def test_the_offending_input_is_named(evaluate: Callable[..., aimo.Verdict]) -> None:
    verdict = judge(evaluate, run={"inputs": [GA4, "crm_contacts"]})
    [finding] = verdict.failures
    assert finding.message == (
        "The run read 'crm_contacts', which is not one of this workflow's approved inputs."
    )
    assert (finding.path, finding.observed, finding.expected) == (
        "/run/inputs/1",
        "crm_contacts",
        [GA4],
    )
    assert verdict.decision is aimo.Decision.DENY


def test_an_input_read_as_more_sensitive_data_names_its_class(
    evaluate: Callable[..., aimo.Verdict],
) -> None:
    run = {"inputs": [{"name": GA4, "classification": "personal"}]}
    [finding] = judge(evaluate, run=run).failures
    assert "'ga4_weekly_export', which is personal data" in finding.message
    assert finding.observed == {"name": GA4, "classification": "personal"}
    assert finding.expected == ["internal", "public"]


def test_hard_mandatory_run_policies_cannot_be_waived(
    evaluate: Callable[..., aimo.Verdict],
) -> None:
    waiver = {
        "policy": "run-inputs-approved",
        "reason": "One-off import",
        "approved_by": "Priya Natarajan",
        "expires": "2026-12-31",
    }
    verdict = judge(evaluate, {"waivers": [waiver]}, {"inputs": ["crm"]})
    assert verdict.decision is aimo.Decision.DENY
    assert [f.policy_id for f in verdict.failures] == ["waiver-valid", "run-inputs-approved"]


def test_a_mandatory_run_policy_can_be_waived_for_one_path(
    evaluate: Callable[..., aimo.Verdict],
) -> None:
    waiver = {
        "policy": "run-output-meets-standard",
        "path": "/run/output/legal",
        "reason": "The legal footer quotes the regulator",
        "approved_by": "Priya Natarajan",
        "expires": "2026-12-31",
    }
    run = {"output": {"body": "Fine", "legal": "No returns are guaranteed."}}
    verdict = judge(evaluate, {"waivers": [waiver]}, run)
    [finding] = findings_of(verdict, "run-output-meets-standard")
    assert finding.outcome is aimo.Outcome.WAIVED
    assert verdict.decision is aimo.Decision.ALLOW


def test_the_owner_approval_counts_at_light_review(
    evaluate: Callable[..., aimo.Verdict],
) -> None:
    model = aimo.OperatingModel(tiers={"low": {"review_tier": "light", "approvals": 1}})
    run = {"output": "Summary", "approvals": [OWNER]}
    [finding] = findings_of(judge(evaluate, run=run, model=model), "run-approvals-meet-tier")
    assert finding.outcome is aimo.Outcome.PASS
    run = {"output": "Summary"}
    [finding] = findings_of(judge(evaluate, run=run, model=model), "run-approvals-meet-tier")
    assert (
        finding.message == "This low-consequence output needs approval from 1 person but has none."
    )


def test_the_approval_messages_say_what_is_missing(
    evaluate: Callable[..., aimo.Verdict],
) -> None:
    run = {"output": "Summary", "approvals": [OWNER.model_copy(update={"role": "legal"})]}
    failures = judge(evaluate, CRITICAL, run).failures
    assert [f.message for f in failures] == [
        "This critical-consequence output needs approval from 2 different people but has "
        "none. The owner's own approval does not count at heavy review.",
        "This critical-consequence output needs a sign-off from legal, and nobody in that "
        "role has approved it.",
        "This critical-consequence output needs a sign-off from executive, and nobody in that "
        "role has approved it.",
    ]
    assert [(f.observed, f.expected) for f in failures] == [
        (0, 2),
        ([], "legal"),
        ([], "executive"),
    ]


def test_the_owner_is_known_by_name_without_emails(
    evaluate: Callable[..., aimo.Verdict],
) -> None:
    run = {"output": "Summary", "approvals": [Approval("dana lee ")]}
    changes = {**MEDIUM, "owner": {"name": "Dana Lee"}}
    [finding] = findings_of(judge(evaluate, changes, run), "run-approvals-meet-tier")
    assert finding.outcome is aimo.Outcome.FAIL


def test_a_run_given_as_plain_data_is_judged(engine: aimo.Engine) -> None:
    verdict = engine.evaluate(
        make(), run={"inputs": ["crm"], "output": "ok"}, today=dt.date(2026, 11, 27)
    )
    [finding] = verdict.failures
    assert finding.path == "/run/inputs/0"


def test_a_run_that_cannot_be_read_is_refused_before_anything_is_judged(
    engine: aimo.Engine,
) -> None:
    # The run is read once, by the engine, so no policy has to guess what it means.
    with pytest.raises(TypeError, match=r"the run must be an aimo\.Run"):
        engine.evaluate(make(), run=["crm"], today=dt.date(2026, 11, 27))
    with pytest.raises(aimo.DocumentError) as caught:
        engine.evaluate(make(), run={"inputs": [3]}, today=dt.date(2026, 11, 27))
    assert caught.value.problems[0].path.startswith("/run/inputs/0")


def test_approvals_take_positional_or_keyword_arguments() -> None:
    assert Approval("Sam", "sam@example.com", "legal") == Approval(
        name="Sam", email="sam@example.com", role="legal"
    )
    naive = Approval("Sam", at=dt.datetime(2026, 11, 27, 9, 0))
    assert naive.at == dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


def test_the_run_digest_is_canonical() -> None:
    one = Run(inputs=[GA4], output={"subject": "Hi", "body": "Text"}, approvals=[SAM], at=AT)
    two = Run.model_validate(
        {
            "at": "2026-11-27T10:30:00+01:00",
            "approvals": [
                {"role": "marketing", "email": "sam.ortiz@example.com", "name": "Sam Ortiz"}
            ],
            "output": {"body": "Text", "subject": "Hi"},
            "inputs": [GA4],
        }
    )
    assert one.digest == two.digest
    assert len(one.digest) == 64
    assert Run(inputs=[GA4], output={"subject": "Hi", "body": "Text!"}, at=AT).digest != one.digest
    with pytest.raises(ValueError, match="frozen"):
        one.output = "changed"  # type: ignore[misc]


# -- found in review ------------------------------------------------------------------------


def test_one_person_counts_once_with_or_without_an_email() -> None:
    engine = aimo.Engine(entry_points=False)
    high = make({"consequence": "high", "review_tier": "heavy"})
    approvals = [
        aimo.Approval("Sam Ortiz", "sam.ortiz@example.com", "legal"),
        aimo.Approval("Sam  ortiz", role="legal"),
    ]
    verdict = engine.evaluate(
        high, today=TODAY, run=aimo.Run(output="Quarterly results.", approvals=approvals)
    )
    [finding] = [f for f in verdict.findings if f.policy_id == "run-approvals-meet-tier"]
    assert finding.outcome is aimo.Outcome.FAIL
    assert finding.observed == 1
    assert verdict.decision is aimo.Decision.DENY


def test_a_run_cannot_declare_an_input_less_sensitive_than_approved() -> None:
    engine = aimo.Engine(entry_points=False)
    workflow = make(
        {
            "data_boundary.allowed": ["public"],
            "inputs": [{"name": "crm", "classification": "personal"}],
        }
    )
    claimed = aimo.Input(name="crm", classification="public")
    verdict = engine.evaluate(workflow, today=TODAY, run=aimo.Run(inputs=[claimed]))
    [finding] = [f for f in verdict.findings if f.policy_id == "run-inputs-approved"]
    assert finding.outcome is aimo.Outcome.FAIL
    assert "personal" in finding.message


# -- output checks see through disguises (spec 5.1) -----------------------------------------

BANNED = "guaranteed"
REQUIRED = "Reply STOP to unsubscribe"
DISCLOSURE = "Created with AI assistance."


def lookalikes(script: str, names: dict[str, str]) -> dict[int, str]:
    """Latin letters to the letters of another script that look the same."""
    return str.maketrans({c: unicodedata.lookup(f"{script} {name}") for c, name in names.items()})


CYRILLIC = lookalikes(
    "CYRILLIC",
    {
        "a": "SMALL LETTER A",
        "c": "SMALL LETTER ES",
        "e": "SMALL LETTER IE",
        "i": "SMALL LETTER BYELORUSSIAN-UKRAINIAN I",
        "j": "SMALL LETTER JE",
        "o": "SMALL LETTER O",
        "p": "SMALL LETTER ER",
        "s": "SMALL LETTER DZE",
        "x": "SMALL LETTER HA",
        "y": "SMALL LETTER U",
        "A": "CAPITAL LETTER A",
        "B": "CAPITAL LETTER VE",
        "C": "CAPITAL LETTER ES",
        "E": "CAPITAL LETTER IE",
        "H": "CAPITAL LETTER EN",
        "I": "CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I",
        "K": "CAPITAL LETTER KA",
        "M": "CAPITAL LETTER EM",
        "O": "CAPITAL LETTER O",
        "P": "CAPITAL LETTER ER",
        "S": "CAPITAL LETTER DZE",
        "T": "CAPITAL LETTER TE",
        "X": "CAPITAL LETTER HA",
    },
)
GREEK = lookalikes(
    "GREEK CAPITAL LETTER",
    {
        "A": "ALPHA",
        "B": "BETA",
        "E": "EPSILON",
        "H": "ETA",
        "I": "IOTA",
        "K": "KAPPA",
        "M": "MU",
        "N": "NU",
        "O": "OMICRON",
        "P": "RHO",
        "T": "TAU",
        "X": "CHI",
        "Y": "UPSILON",
        "Z": "ZETA",
    },
)
ACCENTED = str.maketrans("aeioucn", "áéíöûçñ")


def each_word(change: Callable[[str], str]) -> Callable[[str], str]:
    return lambda text: " ".join(change(word) for word in text.split(" "))


def full_width(text: str) -> str:
    return "".join(c if c == " " else chr(ord(c) + 0xFEE0) for c in text)


def mathematical_bold(text: str) -> str:
    def bold(c: str) -> str:
        if c.islower():
            return chr(0x1D41A + ord(c) - ord("a"))
        if c.isupper():
            return chr(0x1D400 + ord(c) - ord("A"))
        return c

    return "".join(map(bold, text))


def hyphenated(gap: str) -> Callable[[str], str]:
    """The longest word broken across a line, as a word processor hyphenates it."""

    def disguise(text: str) -> str:
        words = text.split(" ")
        longest = max(range(len(words)), key=lambda i: len(words[i]))
        word = words[longest]
        half = len(word) // 2
        words[longest] = f"{word[:half]}{gap}{word[half:]}"
        return " ".join(words)

    return disguise


def mixed_case(text: str) -> str:
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(text))


INVISIBLES = "\u200b\u200c\u200d\u2060\ufeff\u200e\ufe0f\u3164"

# Each way of writing a phrase that must still count as the phrase.
DISGUISES: dict[str, Callable[[str], str]] = {
    "Cyrillic look-alikes": lambda text: text.translate(CYRILLIC),
    "Greek capitals": lambda text: text.upper().translate(GREEK),
    "full-width letters": full_width,
    "mathematical letters": mathematical_bold,
    "an accent on every letter": each_word(lambda w: "".join(c + "\u0301" for c in w)),
    "an accent before each word": each_word(lambda w: "\u0300" + w),
    "an accent at the end of each word": each_word(lambda w: w + "\u0308"),
    "accented letters": lambda text: text.translate(ACCENTED),
    "zero-width spaces": each_word("\u200b".join),
    "soft hyphens": each_word("\u00ad".join),
    "other invisible characters": each_word(
        lambda w: "".join(c + INVISIBLES[i % len(INVISIBLES)] for i, c in enumerate(w))
    ),
    "hyphenated across a line break": hyphenated("-\n"),
    "hyphenated, the next line indented": hyphenated("-\n    "),
    "hyphenated, Windows line ends": hyphenated("-\r\n"),
    "hyphenated with a soft hyphen": hyphenated("\u00ad\n"),
    "letter-spaced": lambda text: "   ".join(" ".join(word) for word in text.split(" ")),
    "mixed case": mixed_case,
}


def in_a_sentence(text: str) -> str:
    return f"Steady week on every channel.\n\nResults {text} every week.\n"


@pytest.mark.parametrize("disguise", DISGUISES.values(), ids=DISGUISES)
def test_a_disguised_banned_phrase_is_found_and_quoted_as_written(
    evaluate: Callable[..., aimo.Verdict], disguise: Callable[[str], str]
) -> None:
    written = disguise(BANNED)
    changes = {"output_standard.checks.banned_phrases": [BANNED]}
    [finding] = judge(evaluate, changes, {"output": in_a_sentence(written)}).failures
    assert finding.message == "The output uses the banned phrase 'guaranteed'."
    # A mark before the first letter sits on the space before the word, not in it.
    assert finding.observed == written.lstrip("\u0300")


@pytest.mark.parametrize("disguise", DISGUISES.values(), ids=DISGUISES)
def test_a_disguised_required_phrase_is_found(
    evaluate: Callable[..., aimo.Verdict], disguise: Callable[[str], str]
) -> None:
    changes = {"output_standard.checks.required_phrases": [REQUIRED]}
    verdict = judge(evaluate, changes, {"output": in_a_sentence(disguise(REQUIRED))})
    [finding] = findings_of(verdict, "run-output-meets-standard")
    assert finding.outcome is aimo.Outcome.PASS, finding.message


@pytest.mark.parametrize("disguise", DISGUISES.values(), ids=DISGUISES)
def test_a_disguised_disclosure_is_found(
    evaluate: Callable[..., aimo.Verdict], disguise: Callable[[str], str]
) -> None:
    changes = {"output_standard.checks.disclosure": DISCLOSURE}
    verdict = judge(evaluate, changes, {"output": in_a_sentence(disguise(DISCLOSURE))})
    [finding] = findings_of(verdict, "run-output-meets-standard")
    assert finding.outcome is aimo.Outcome.PASS, finding.message


@pytest.mark.parametrize(
    ("banned", "output", "observed"),
    [
        # Whole words only, judged on the characters as written.
        ("guaranteed", "Unguaranteed results.", None),
        ("guaranteed", "Two guaranteeds.", None),
        ("guaranteed", "guaranteed_returns", None),
        ("guaranteed", "Results lguaranteed.", None),
        ("guaranteed", "Results gu\u0430ranteed\u0432.", None),
        # Punctuation that looks like a letter is still punctuation.
        ("guaranteed", "Results |guaranteed|", "guaranteed"),
        ("guaranteed", "Results 'guaranteed'", "guaranteed"),
        # Two words on two lines stay two words; a phrase still spans lines.
        ("guaranteed", "Results guaran\nteed.", None),
        ("guarantee", "And we\nguarantee it.", "guarantee"),
        ("money back", "Your money\u200b\n back.", "money\u200b\n back"),
        # A hyphen at a line break is read both as a broken word and as written.
        ("guaranteed", "Results fully-\nguaranteed.", "guaranteed"),
        ("risk-free", "Try it risk-\nfree.", "risk-\nfree"),
        ("risk-free", "Try it risk\u2010free.", "risk\u2010free"),
        # Letter-spacing is seen beside a one-letter word, and only over whole words.
        ("guaranteed", "It is a g u a r a n t e e d win.", "g u a r a n t e e d"),
        ("guaranteed", "It is g u a r a n t e e.", None),
        # Digits that look like letters are the letters (Unicode TS #39), both ways.
        ("100% safe", "It is 1OO% SAFE.", "1OO% SAFE"),
        ("100% safe", "It is l00% safe.", "l00% safe"),
        ("lOO% safe", "It is 100% safe.", "100% safe"),
        # Only look-alikes: digits used as letters by their sound or meaning are not.
        ("guaranteed", "Results guarant33d.", None),
    ],
)
def test_whole_words_are_judged_on_the_original_text(
    evaluate: Callable[..., aimo.Verdict], banned: str, output: str, observed: str | None
) -> None:
    changes = {"output_standard.checks.banned_phrases": [banned]}
    failures = judge(evaluate, changes, {"output": output}).failures
    assert [f.observed for f in failures] == ([] if observed is None else [observed])


def test_each_field_is_quoted_as_written(evaluate: Callable[..., aimo.Verdict]) -> None:
    subject = "GUARANTEED".translate(CYRILLIC)
    output = {"subject": f"{subject} growth", "body": "Returns are g\u200buaranteed."}
    failures = judge(evaluate, run={"output": output}).failures
    assert [(f.path, f.observed) for f in failures] == [
        ("/run/output/subject", subject),
        ("/run/output/body", "g\u200buaranteed"),
    ]
