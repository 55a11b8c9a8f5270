import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import (
    PrepaidLineFactory,
    ProductFactory,
    ProjectFactory,
    TimesheetLineFactory,
    UserFactory,
    uom,
)
from upsell.forecast import order_line_forecast, order_lines_forecast

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(db):
    employee, project = UserFactory(roles=["agent"]), ProjectFactory()

    def log(line, hours, days_ago=0):
        return TimesheetLineFactory(
            sale_line=line,
            hours=Decimal(hours),
            date=timezone.localdate() - datetime.timedelta(days=days_ago),
            employee=employee,
            project=project,
        )

    return log


def test_burn_rate_is_the_hours_of_the_last_30_days_over_30(log):
    line = PrepaidLineFactory(quantity=Decimal("100"))
    log(line, "6", days_ago=0)
    log(line, "9", days_ago=29)  # first day of the window
    log(line, "20", days_ago=30)  # outside

    forecast = order_line_forecast(line=_fresh(line))

    assert forecast.window_hours == Decimal("15.00")
    assert forecast.burn_rate == Decimal("0.50")
    assert forecast.remaining_hours == Decimal("65.00")
    assert forecast.runs_out_in_days == 130
    assert forecast.runs_out_on == timezone.localdate() + datetime.timedelta(days=130)


def test_no_recent_hours_means_no_run_out_date_and_used_up_means_zero(log):
    idle = PrepaidLineFactory()
    used_up = PrepaidLineFactory(quantity=Decimal("10"))
    log(used_up, "12")

    forecasts = order_lines_forecast(lines=[_fresh(idle), _fresh(used_up)])

    assert forecasts[idle.pk].runs_out_in_days is None and forecasts[idle.pk].runs_out_on is None
    assert forecasts[used_up.pk].runs_out_in_days == 0
    assert forecasts[used_up.pk].remaining_hours == Decimal("-2.00")


def test_forecast_only_for_prepaid_time_lines():
    postpaid = PrepaidLineFactory(product=ProductFactory(timesheet=True))
    units = PrepaidLineFactory(product=ProductFactory(uom=uom("Units")), uom=uom("Units"))
    assert order_line_forecast(line=_fresh(postpaid)) is None
    assert order_line_forecast(line=_fresh(units)) is None


def test_line_sold_in_days_forecasts_in_hours(log):
    line = PrepaidLineFactory(uom=uom("Days"), quantity=Decimal("5"))  # 40 h
    log(line, "8")
    forecast = order_line_forecast(line=_fresh(line))
    assert forecast.remaining_hours == Decimal("32.00")
    assert forecast.runs_out_in_days == 120  # 8 h / 30 days


@pytest.mark.parametrize("n", [3, 30])
def test_bulk_forecast_is_one_query(n, django_assert_num_queries):
    lines = [_fresh(PrepaidLineFactory()) for _ in range(n)]
    with django_assert_num_queries(1):
        assert len(order_lines_forecast(lines=lines)) == n


def test_flag_upsells_command_prints_how_many_orders_it_flagged():
    PrepaidLineFactory(qty_delivered=Decimal("50"))
    PrepaidLineFactory(qty_delivered=Decimal("45"), product=ProductFactory(upsell_threshold=Decimal("90")))
    PrepaidLineFactory(qty_delivered=Decimal("1"))
    out = StringIO()

    call_command("flag_upsells", stdout=out)
    call_command("flag_upsells", stdout=(second := StringIO()))

    assert out.getvalue().startswith("Flagged 2 order(s) as upsell opportunities")
    assert "2 follow-up activities created" in out.getvalue()
    assert second.getvalue().startswith("Flagged 0 order(s)")
    assert "(2 flagged in total" in second.getvalue()


def _fresh(line):
    from sales.models import OrderLine

    return OrderLine.objects.select_related("uom__category").get(pk=line.pk)
