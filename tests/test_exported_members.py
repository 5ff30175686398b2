"""The public API is exactly what ``aimo.__all__`` says, and nothing leaks."""

from __future__ import annotations

import aimo

PUBLIC_API = {
    # spec section 3 and 4.4
    "evaluate",
    "evaluate_model",
    "evaluate_many",
    "load",
    "Engine",
    "policy",
    "hookimpl",
    "hookspecs",
    "Verdict",
    "Finding",
    "Decision",
    "Outcome",
    "Severity",
    "Enforcement",
    "PolicyRef",
    "Violation",
    "NotApplicable",
    "Context",
    "Policy",
    "Control",
    "Location",
    "Problem",
    # spec 4.3: run-time gates and the decision log
    "Run",
    "Approval",
    "Gate",
    "governed",
    "DecisionLog",
    # spec 4.1 and 4.2
    "score_use_case",
    "UseCaseScore",
    "recommend_infrastructure",
    "InfrastructureAdvice",
    "InfrastructureFactor",
    # spec 4.5 and 4.6
    "load_pack",
    "Pack",
    "PolicyConfig",
    # spec 5.1: trust
    "Limits",
    "PluginError",
    "DecisionLogError",
    # spec 5.3: rolling policies out, judging the model as a whole
    "EnforcementStep",
    "NextEnforcement",
    "assess",
    "Assessment",
    # spec 5.3: impact of a change
    "impact",
    "Impact",
    "Change",
    # exceptions
    "AimoError",
    "DocumentError",
    "PolicyError",
    "ConfigError",
    "PolicyViolation",
    # documents
    "Workflow",
    "OperatingModel",
    "Person",
    "UseCase",
    "SuccessMeasure",
    "Content",
    "DataBoundary",
    "Input",
    "OutputStandard",
    "OutputChecks",
    "Escalation",
    "Infrastructure",
    "Production",
    "Review",
    "ReviewEntry",
    "Waiver",
    "TierRule",
    "Tiers",
    "Decisions",
    "Selection",
    "Stage",
    "Recurrence",
    "Consequence",
    "Audience",
    "ContentType",
    "ReviewTier",
    "InfrastructureChoice",
    "ReviewOutcome",
    "__version__",
}


def test_all_is_sorted_and_exactly_the_public_api() -> None:
    assert aimo.__all__ == sorted(aimo.__all__)
    assert set(aimo.__all__) == PUBLIC_API


def test_every_exported_name_exists() -> None:
    for name in aimo.__all__:
        assert hasattr(aimo, name), name


def test_nothing_public_is_left_out_of_all() -> None:
    # pytest rewrites the asserts of a plugin's distribution, adding "@py_..." names.
    public = {name for name in vars(aimo) if name.isidentifier() and not name.startswith("_")}
    # Private modules imported by the package show up as attributes; they are not API. The
    # submodules imported on demand (pytest imports the test kit) show up the same way.
    assert public - set(aimo.__all__) <= {"strategies", "testing"}


def test_exceptions_share_one_base() -> None:
    for error in (
        aimo.DocumentError,
        aimo.PolicyError,
        aimo.ConfigError,
        aimo.PolicyViolation,
        aimo.PluginError,
        aimo.DecisionLogError,
    ):
        assert issubclass(error, aimo.AimoError)
