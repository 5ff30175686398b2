"""The kit's fixtures: the engine, the evaluation date and the compliant workflow."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import pytest

from aimo._defaults import Engine
from aimo._documents.models import Workflow
from aimo._policies.compliant import compliant_workflow

__all__ = ["TODAY", "WorkflowFactory", "aimo_engine", "aimo_today", "make_workflow", "today_of"]


class WorkflowFactory(Protocol):
    """The type of the ``make_workflow`` fixture."""

    def __call__(self, **overrides: Any) -> Workflow: ...


#: Where the ini option aimo_today is kept once read.
TODAY = pytest.StashKey[dt.date]()


def today_of(config: pytest.Config) -> dt.date:
    return config.stash.get(TODAY, None) or dt.datetime.now(dt.UTC).date()


@pytest.fixture(scope="session")
def aimo_engine() -> Engine:
    """An engine with aimo's built-in policies and every installed plugin."""
    return Engine()


@pytest.fixture(scope="session")
def aimo_today(pytestconfig: pytest.Config) -> dt.date:
    """The evaluation date: the ini option ``aimo_today``, else today (UTC)."""
    return today_of(pytestconfig)


@pytest.fixture
def make_workflow(aimo_today: dt.date) -> WorkflowFactory:
    """``make_workflow(**overrides)``: a compliant production workflow as of ``aimo_today``."""

    def make(**overrides: Any) -> Workflow:
        return compliant_workflow(aimo_today, **overrides)

    return make
