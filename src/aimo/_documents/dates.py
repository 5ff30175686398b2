"""Date arithmetic that cannot overflow: a policy must not fail on a far-off valid date."""

from __future__ import annotations

import datetime as dt


def shift(day: dt.date, days: int) -> dt.date:
    """``day`` moved by ``days``, held within the dates Python can represent."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def as_date(value: dt.date) -> dt.date:
    """A date, also when given a datetime (whose date part counts)."""
    return (
        value
        if type(value) is dt.date
        else value.date()
        if isinstance(value, dt.datetime)
        else value
    )


def evaluation_date(today: dt.date | None) -> dt.date:
    """The date an evaluation judges by: the one given, else today in UTC."""
    return as_date(today) if today is not None else dt.datetime.now(dt.UTC).date()
