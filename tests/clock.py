"""Move the whole test session to another day: `TEST_CLOCK=2027-01-04 make test`.

The suite must not depend on the day it runs; CI proves it by running once more with the clock
set to another year. The travel starts before any test and ticks, so durations stay real.
"""

from __future__ import annotations

import datetime
import os

import time_machine

_traveller = None


def start_from_environment() -> None:
    global _traveller
    value = os.environ.get("TEST_CLOCK", "").strip()
    if not value or _traveller is not None:
        return
    day = datetime.date.fromisoformat(value)
    morning = datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=datetime.UTC)
    _traveller = time_machine.travel(morning)
    _traveller.start()


def stop() -> None:
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None
