from decimal import Decimal

import pytest

from timesheets.timers import timer_round_hours


@pytest.mark.parametrize(
    ("seconds", "hours"),
    [
        (0, "0.25"),
        (7, "0.25"),
        (15 * 60, "0.25"),
        (15 * 60 + 1, "0.50"),
        (16 * 60, "0.50"),
        (60 * 60, "1.00"),
        (61 * 60, "1.25"),
        (2 * 3600 + 29 * 60, "2.50"),
    ],
)
def test_elapsed_time_is_rounded_up_to_the_quarter_hour_with_a_quarter_hour_minimum(seconds, hours):
    assert timer_round_hours(seconds) == Decimal(hours)


def test_rounding_step_and_minimum_come_from_the_settings(settings):
    settings.TIMER_ROUNDING_MINUTES = 6
    settings.TIMER_MINIMUM_MINUTES = 30
    assert timer_round_hours(7) == Decimal("0.50")
    assert timer_round_hours(40 * 60) == Decimal("0.70")
    assert timer_round_hours(42 * 60 + 1) == Decimal("0.80")


def test_rounded_hours_are_two_decimal_decimals():
    value = timer_round_hours(5 * 60, step_minutes=10, minimum_minutes=0)
    assert isinstance(value, Decimal)
    assert value == Decimal("0.17")
    assert value.as_tuple().exponent == -2
