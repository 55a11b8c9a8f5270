"""Move the whole test session to another day: `TEST_CLOCK=2027-01-04 make test`.

The suite must not depend on the day it runs; CI proves it by running once more with the clock
set to another year. The travel starts before any test and ticks, so durations stay real.

The real Celery worker (tests/celery_worker.py) is another process: it starts through
`python -m tests.clock celery ...`, which travels to the moment the test process is at, then
runs celery's own main, so both processes read the same clock.
"""

from __future__ import annotations

import datetime
import os
import runpy
import sys

import time_machine

# The calendar day the billing, Peppol and report stories happen on (frozen by their fixtures).
TODAY = datetime.date(2026, 11, 23)

_traveller = None


def _moment(value: str) -> datetime.datetime:
    """TEST_CLOCK: a day (the session starts at 09:00 UTC on it) or an exact ISO moment."""
    if "T" not in value:
        day = datetime.date.fromisoformat(value)
        return datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=datetime.UTC)
    moment = datetime.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def start_from_environment() -> None:
    global _traveller
    value = os.environ.get("TEST_CLOCK", "").strip()
    if not value or _traveller is not None:
        return
    _traveller = time_machine.travel(_moment(value))
    _traveller.start()


def is_travelling() -> bool:
    return _traveller is not None


def stop() -> None:
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None


def main(argv: list[str]) -> None:
    """`python -m tests.clock MODULE ARGS...`: run `python -m MODULE ARGS...` on TEST_CLOCK."""
    if not argv:
        raise SystemExit("usage: python -m tests.clock MODULE [ARGS...]")
    start_from_environment()
    sys.argv = argv
    runpy.run_module(argv[0], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])


def frozen_on(moment: datetime.date | datetime.datetime, *, tick: bool = True):
    """A pytest mark: the test (or `pytestmark`: the module) runs with the clock at `moment` (a
    day: 09:00 UTC on it), ticking unless tick=False. time-machine's own marker and fixture."""
    import pytest

    if not isinstance(moment, datetime.datetime):
        moment = datetime.datetime(moment.year, moment.month, moment.day, 9, 0, tzinfo=datetime.UTC)
    return pytest.mark.time_machine(moment, tick=tick)


def on_day(day: datetime.date):
    """A ticking travel to 09:00 UTC of `day`: tests that speak of one calendar day run on it,
    whatever day the suite runs (`with on_day(TODAY): ...` in an autouse fixture)."""
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=datetime.UTC))
