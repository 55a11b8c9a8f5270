"""Property test: random sequences of timesheet and invoice actions keep the billing figures
consistent (delivered = Σ linked hours, a timesheet line on at most one live invoice, never
more invoiced than invoiceable)."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from core.units import hours_to_unit
from invoicing import services as inv
from invoicing.models import Invoice
from sales import services as sales
from sales.models import OrderLine
from tests.clock import TODAY, frozen_on
from timesheets import services as ts
from timesheets.models import TimesheetLine

pytestmark = [pytest.mark.django_db, frozen_on(TODAY)]

PERIOD_START = TODAY - datetime.timedelta(days=10)

hours = st.integers(min_value=1, max_value=96).map(lambda q: Decimal(q) / 4)  # 0.25 … 24.00
actions = st.lists(
    st.one_of(
        st.tuples(st.just("log"), st.integers(0, 2), hours, st.integers(0, 20)),
        st.tuples(st.just("edit"), st.integers(0, 50), hours),
        st.tuples(st.just("delete"), st.integers(0, 50)),
        st.tuples(st.just("invoice"), st.sampled_from(["all", "period", "open_start"])),
        st.tuples(st.just("post"), st.integers(0, 10)),
        st.tuples(st.just("cancel"), st.integers(0, 10)),
        st.tuples(st.just("credit"), st.integers(0, 10)),
    ),
    min_size=1,
    max_size=14,
)


MAX_A_DAY = Decimal("24")


def day_total(agent, day, exclude=None) -> Decimal:
    rows = TimesheetLine.objects.filter(employee=agent, date=day).exclude(pk=exclude)
    return rows.aggregate(s=Sum("hours"))["s"] or Decimal("0")


def pick(queryset, index):
    rows = list(queryset.order_by("pk"))
    return rows[index % len(rows)] if rows else None


def apply(action, *, lines, order, agent, seller, project):
    kind = action[0]
    if kind == "log":
        _, which, h, days_ago = action
        day = TODAY - datetime.timedelta(days=days_ago)
        over = day_total(agent, day) + h > MAX_A_DAY
        try:
            ts.timesheet_log(
                employee=agent, user=agent, date=day, hours=h, project=project, sale_line=lines[which]
            )
        except DomainError as exc:
            assert over and exc.field == "hours", exc.message  # only the 24 h a day refuses it
        else:
            assert not over, "more than 24 h logged on one day"
    elif kind == "edit":
        line = pick(TimesheetLine.objects.all(), action[1])
        if line is not None:
            billed = line.invoice_id is not None
            over = day_total(agent, line.date, exclude=line.pk) + action[2] > MAX_A_DAY
            try:
                ts.timesheet_update(line=line, user=agent, hours=action[2])
            except DomainError:
                assert billed or over, "an unbilled line must stay editable within 24 h a day"
            else:
                assert not billed, "a billed line was edited"
                assert not over, "more than 24 h on one day"
    elif kind == "delete":
        line = pick(TimesheetLine.objects.all(), action[1])
        if line is not None:
            billed = line.invoice_id is not None
            try:
                ts.timesheet_delete(line=line, user=agent)
            except DomainError:
                assert billed
            else:
                assert not billed
    elif kind == "invoice":
        period = {
            "all": {},
            "period": {"period_start": PERIOD_START, "period_end": TODAY},
            "open_start": {"period_end": PERIOD_START},
        }[action[1]]
        try:
            inv.invoice_create_from_order(order=order, user=seller, **period)
        except DomainError as exc:
            assert "nothing to invoice" in exc.message
    elif kind in ("post", "cancel", "credit"):
        states = {"post": "draft", "cancel": "draft", "credit": "posted"}
        candidates = Invoice.objects.filter(kind="invoice", state=states[kind], credit_notes__isnull=True)
        invoice = pick(candidates, action[1])
        if invoice is not None:
            service = {
                "post": inv.invoice_post,
                "cancel": inv.invoice_cancel,
                "credit": inv.invoice_credit_note,
            }
            service[kind](invoice=invoice, user=seller)


def check_invariants(lines):
    assert not TimesheetLine.objects.filter(invoice__state="cancel").exists(), "linked to a cancelled invoice"
    assert not TimesheetLine.objects.filter(invoice__kind="credit_note").exists()
    for line in OrderLine.objects.filter(pk__in=[x.pk for x in lines]).select_related("uom"):
        logged = line.timesheets.aggregate(s=Sum("hours"))["s"] or Decimal("0")
        assert line.qty_delivered == hours_to_unit(logged, line.uom), "delivered ≠ Σ hours, exactly"
        invoiceable = line.quantity if line.invoice_policy == "prepaid" else line.qty_delivered
        assert line.qty_invoiced <= invoiceable, "invoiced more than invoiceable"
        assert line.qty_to_invoice == invoiceable - line.qty_invoiced
        if line.invoice_policy == "timesheet":
            billed = line.timesheets.filter(invoice__isnull=False).aggregate(s=Sum("hours"))["s"] or Decimal(
                "0"
            )
            assert line.qty_invoiced == hours_to_unit(billed, line.uom), "invoiced ≠ hours billed"
        elif line.invoice_policy == "prepaid":
            assert not line.timesheets.filter(invoice__isnull=False).exists()


@settings(
    max_examples=25,
    deadline=None,
    database=None,  # no example files in the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(actions=actions)
def test_random_billing_sequences_keep_figures_consistent(
    actions, make_order, timesheet_product, prepaid_product, days, seller, agent, project
):
    with transaction.atomic():
        order, postpaid = make_order(timesheet_product, "40")
        in_days = sales.order_line_add(
            order=order, product=timesheet_product, user=seller, uom=days, quantity=Decimal("5")
        )
        prepaid = sales.order_line_add(
            order=order, product=prepaid_product, user=seller, quantity=Decimal("10")
        )
        lines = [postpaid, in_days, prepaid]
        for action in actions:
            apply(action, lines=lines, order=order, agent=agent, seller=seller, project=project)
            check_invariants(lines)
        transaction.set_rollback(True)
