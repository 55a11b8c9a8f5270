"""Property tests over the public services' inputs (issue 12, item 7): whatever hours, dates,
units and ids a caller sends, the answer is a success or a field-level error — never another
exception — and the figures keep their invariants:

- delivered = Σ logged hours / the unit's ratio, exactly (no rounded intermediate);
- an invoice's untaxed amount = Σ of its lines, each rounded to the cent.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from invoicing import services as inv
from sales.models import Uom
from tests.clock import TODAY, frozen_on
from timesheets import services as ts
from timesheets.models import TimesheetLine

pytestmark = [pytest.mark.django_db, frozen_on(TODAY)]

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

any_hours = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=Decimal("-30"), max_value=Decimal("30"), places=4),
    st.text(max_size=8),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.none(),
)
any_date = st.one_of(st.dates(), st.none(), st.text(max_size=12))


@SETTINGS
@given(hours=any_hours, day=any_date)
def test_logging_any_hours_and_date_succeeds_or_names_the_field(hours, day, agent, project):
    with transaction.atomic():
        try:
            line = ts.timesheet_log(employee=agent, user=agent, date=day, hours=hours, project=project)
        except DomainError as refused:
            assert refused.field in {"hours", "date"}, refused.message
        else:
            assert Decimal("0") < line.hours <= Decimal("24")
        transaction.set_rollback(True)


quarter_hours = st.integers(min_value=1, max_value=96).map(lambda q: Decimal(q) / 4)


@SETTINGS
@given(
    logged=st.lists(quarter_hours, min_size=1, max_size=6),
    ratio=st.sampled_from([Decimal("1"), Decimal("8"), Decimal("40"), Decimal("7.5")]),
)
def test_delivered_is_the_logged_hours_over_the_unit_ratio_exactly(
    logged, ratio, make_order, timesheet_product, agent, project
):
    with transaction.atomic():
        unit, _ = Uom.objects.get_or_create(
            name=f"Block of {ratio} h",
            defaults={"category": Uom.objects.get(name="Hours").category, "ratio": ratio},
        )
        _order, line = make_order(timesheet_product, "1000", uom=unit)
        for offset, hours in enumerate(logged):
            ts.timesheet_log(
                employee=agent,
                user=agent,
                date=TODAY - datetime.timedelta(days=offset),
                hours=hours,
                project=project,
                sale_line=line,
            )
        line.refresh_from_db()
        total = TimesheetLine.objects.filter(sale_line=line).aggregate(h=Sum("hours"))["h"]
        expected = total / ratio
        assert abs(line.qty_delivered - expected) < Decimal("0.000001")
        transaction.set_rollback(True)


@SETTINGS
@given(logged=st.lists(quarter_hours, min_size=1, max_size=5), price=st.integers(1, 99999))
def test_an_invoice_total_is_the_sum_of_its_rounded_lines(
    logged, price, make_order, timesheet_product, agent, seller, project, days
):
    with transaction.atomic():
        timesheet_product.price = Decimal(price) / 100
        timesheet_product.save()
        order, line = make_order(timesheet_product, "100", uom=days)
        for offset, hours in enumerate(logged):
            ts.timesheet_log(
                employee=agent,
                user=agent,
                date=TODAY - datetime.timedelta(days=offset + 1),
                hours=hours,
                project=project,
                sale_line=line,
            )
        invoice = inv.invoice_create_from_order(order=order, method="regular", user=seller)
        lines = list(invoice.lines.all())
        assert invoice.amount_untaxed == sum((il.subtotal for il in lines), Decimal("0"))
        for invoice_line in lines:
            exact = invoice_line.quantity * invoice_line.price_unit
            assert invoice_line.subtotal == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        billed = next(il for il in lines if il.sale_line_id == line.pk)
        assert billed.quantity == sum(logged, Decimal("0")) / Decimal("8")  # never a rounded quantity
        transaction.set_rollback(True)
