"""aimo: policy-as-code for AI marketing operating models.

Evaluate a workflow against the operating model's policies::

    import aimo

    verdict = aimo.evaluate("workflows/weekly-summary.yaml")
    if not verdict.allowed:
        for finding in verdict.failures:
            print(finding.policy_id, finding.path, finding.message)
"""

from aimo import hookspecs
from aimo._audit.log import DecisionLog
from aimo._defaults import Engine, assess, evaluate, evaluate_many, evaluate_model, load
from aimo._documents.limits import Limits
from aimo._documents.models import (
    Audience,
    Consequence,
    Content,
    ContentType,
    DataBoundary,
    Decisions,
    EnforcementStep,
    Escalation,
    Infrastructure,
    InfrastructureChoice,
    Input,
    OperatingModel,
    OutputChecks,
    OutputStandard,
    Person,
    PolicyConfig,
    Production,
    Recurrence,
    Review,
    ReviewEntry,
    ReviewOutcome,
    ReviewTier,
    Selection,
    Stage,
    SuccessMeasure,
    TierRule,
    Tiers,
    UseCase,
    Waiver,
    Workflow,
)
from aimo._documents.run import Approval, Run
from aimo._documents.source import Location
from aimo._engine.controls import Control
from aimo._engine.pack import Pack
from aimo._engine.policy import Context, NotApplicable, Policy, Violation, policy
from aimo._engine.verdict import (
    Assessment,
    Decision,
    Enforcement,
    Finding,
    NextEnforcement,
    Outcome,
    PolicyRef,
    Severity,
    Verdict,
)
from aimo._errors import (
    AimoError,
    ConfigError,
    DecisionLogError,
    DocumentError,
    PluginError,
    PolicyError,
    PolicyViolation,
    Problem,
)
from aimo._hooks import hookimpl
from aimo._policies.packs import load_pack
from aimo._review.advice import (
    InfrastructureAdvice,
    InfrastructureFactor,
    UseCaseScore,
    recommend_infrastructure,
    score_use_case,
)
from aimo._review.impact import Change, Impact, impact
from aimo._runtime.gate import Gate, governed
from aimo._version import __version__

__all__ = [
    "AimoError",
    "Approval",
    "Assessment",
    "Audience",
    "Change",
    "ConfigError",
    "Consequence",
    "Content",
    "ContentType",
    "Context",
    "Control",
    "DataBoundary",
    "Decision",
    "DecisionLog",
    "DecisionLogError",
    "Decisions",
    "DocumentError",
    "Enforcement",
    "EnforcementStep",
    "Engine",
    "Escalation",
    "Finding",
    "Gate",
    "Impact",
    "Infrastructure",
    "InfrastructureAdvice",
    "InfrastructureChoice",
    "InfrastructureFactor",
    "Input",
    "Limits",
    "Location",
    "NextEnforcement",
    "NotApplicable",
    "OperatingModel",
    "Outcome",
    "OutputChecks",
    "OutputStandard",
    "Pack",
    "Person",
    "PluginError",
    "Policy",
    "PolicyConfig",
    "PolicyError",
    "PolicyRef",
    "PolicyViolation",
    "Problem",
    "Production",
    "Recurrence",
    "Review",
    "ReviewEntry",
    "ReviewOutcome",
    "ReviewTier",
    "Run",
    "Selection",
    "Severity",
    "Stage",
    "SuccessMeasure",
    "TierRule",
    "Tiers",
    "UseCase",
    "UseCaseScore",
    "Verdict",
    "Violation",
    "Waiver",
    "Workflow",
    "__version__",
    "assess",
    "evaluate",
    "evaluate_many",
    "evaluate_model",
    "governed",
    "hookimpl",
    "hookspecs",
    "impact",
    "load",
    "load_pack",
    "policy",
    "recommend_infrastructure",
    "score_use_case",
]
