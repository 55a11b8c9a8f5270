"""The one recompute path of delivered / invoiced / to invoice / statuses and the one
remaining-hours formula, on every engine: PostgreSQL here (`make test`), and SQLite (`make run`)
by the last test, which runs this module again on an SQLite database.

Every test here is engine-agnostic: it builds its data through the services and asserts exact
figures (6-decimal conversions as `core.units.convert_quantity` makes them).
"""

import datetime
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoicing import services as inv
from sales import selectors
from sales import services as sales
from sales.models import Order, OrderLine, Product, Uom
from tests.clock import on_day
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory, TaxFactory, UserFactory, uom
from timesheets import services as ts
from timesheets.models import ApprovalState, TimesheetLine

D = Decimal
DAY = datetime.date(2026, 11, 23)
ROOT = Path(__file__).resolve().parents[2]
FIGURES = ("qty_delivered", "qty_invoiced", "qty_to_invoice", "invoice_status")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_one_day():
    with on_day(DAY):
        yield


class World:
    """One customer, their project, a salesperson and an agent; orders built by the services."""

    def __init__(self):
        self.customer = CustomerFactory(name="Globex")
        self.project = ProjectFactory(customer=self.customer)
        self.seller = UserFactory(username="seller", roles=["sales", "accountant"])
        self.worker = UserFactory(username="worker", roles=["agent"])

    def order(self, product, quantity, *, uom=None):
        line = {"product": product, "quantity": D(quantity)}
        if uom is not None:
            line["uom"] = uom
        order = sales.order_create(customer=self.customer, user=self.seller, order_date=DAY, lines=[line])
        sales.order_confirm(order=order, user=self.seller)
        return order, order.lines.get()

    def log(self, line, hours, *, days_ago=0):
        return ts.timesheet_log(
            employee=self.worker,
            user=self.worker,
            date=DAY - datetime.timedelta(days=days_ago),
            hours=D(hours),
            project=self.project,
            sale_line=line,
        )


@pytest.fixture
def world(db):
    return World()


def rows_of(line):
    return OrderLine.objects.filter(pk=line.pk).values_list(*FIGURES).get()


def test_conversions_are_exact_and_the_figures_follow_the_policies(world):
    day_product = ProductFactory(invoice_policy=Product.InvoicePolicy.TIMESHEET, uom=uom("Days"))
    week = Uom.objects.create(name="Week (40 h)", category=uom("Hours").category, ratio=D("40"))
    order, day_line = world.order(day_product, "5")
    _, week_line = world.order(ProductFactory(uom=week), "1")
    _, hour_line = world.order(ProductFactory(timesheet=True), "10")
    for line, hours, days_ago in [(day_line, "8", 0), (day_line, "5", 1), (week_line, "0.25", 0)]:
        world.log(line, hours, days_ago=days_ago)
    world.log(week_line, "0.75", days_ago=1)
    world.log(hour_line, "2.5")

    assert rows_of(day_line) == (D("1.625"), D("0"), D("1.625"), OrderLine.InvoiceStatus.TO_INVOICE)
    inv.invoice_create_from_order(order=order, user=world.seller)

    assert [rows_of(day_line), rows_of(week_line), rows_of(hour_line)] == [
        (D("1.625"), D("1.625"), D("0"), OrderLine.InvoiceStatus.NO),  # 13 h = 1.625 days, billed
        (D("0.025"), D("0"), D("1"), OrderLine.InvoiceStatus.TO_INVOICE),  # prepaid: the week sold
        (D("2.5"), D("0"), D("2.5"), OrderLine.InvoiceStatus.TO_INVOICE),
    ]
    assert Order.objects.get(pk=order.pk).invoice_status == Order.InvoiceStatus.NO


def test_prepaid_over_consumption_is_upselling_and_credit_notes_count_negative(world):
    order, line = world.order(ProductFactory(price=D("50.00")), "10")
    invoice = inv.invoice_create_from_order(order=order, user=world.seller)
    inv.invoice_post(invoice=invoice, user=world.seller)
    assert rows_of(line) == (D("0"), D("10"), D("0"), OrderLine.InvoiceStatus.INVOICED)
    for days_ago in range(3):
        world.log(line, "4", days_ago=days_ago)

    assert rows_of(line) == (D("12"), D("10"), D("0"), OrderLine.InvoiceStatus.UPSELLING)
    assert Order.objects.get(pk=order.pk).invoice_status == Order.InvoiceStatus.UPSELLING

    inv.invoice_credit_note(invoice=invoice, user=world.seller)
    assert rows_of(line) == (D("12"), D("0"), D("10"), OrderLine.InvoiceStatus.TO_INVOICE)
    assert Order.objects.get(pk=order.pk).invoice_status == Order.InvoiceStatus.TO_INVOICE


def test_post_paid_lines_deliver_only_time_that_is_approved_or_needs_no_approval(world):
    _, postpaid = world.order(ProductFactory(timesheet=True), "10")
    _, prepaid = world.order(ProductFactory(), "10")
    waiting = [world.log(postpaid, "2"), world.log(prepaid, "2", days_ago=1)]
    world.log(postpaid, "1.5", days_ago=2)
    TimesheetLine.objects.filter(pk__in=[t.pk for t in waiting]).update(
        approval_state=ApprovalState.SUBMITTED
    )

    sales.order_lines_recompute(line_ids=[postpaid.pk, prepaid.pk])

    assert rows_of(postpaid)[:3] == (D("1.5"), D("0"), D("1.5"))
    assert rows_of(prepaid)[0] == D("2")  # prepaid blocks count every hour logged


def test_a_recompute_restores_every_figure_and_the_order_totals(world):
    vat = TaxFactory(name="VAT 20%", rate=D("20.000"))
    order, first = world.order(ProductFactory(price=D("100.00"), tax=vat), "2", uom=uom("Days"))
    second = sales.order_line_add(
        order=order, product=ProductFactory(timesheet=True), user=world.seller, quantity=D("10")
    )
    third = sales.order_line_add(
        order=order, product=ProductFactory(manual=True, price=D("10.00")), user=world.seller, quantity=D("3")
    )
    for days_ago, (line, hours) in enumerate(((first, "20"), (second, "3.5"), (second, "1.25"))):
        world.log(line, hours, days_ago=days_ago)
    sales.order_line_set_delivered(line=third, quantity=D("1"), user=world.seller)
    inv.invoice_create_from_order(
        order=order, user=world.seller, method="down_payment_percent", amount=D("10")
    )
    inv.invoice_post(invoice=inv.invoice_create_from_order(order=order, user=world.seller), user=world.seller)
    totals = ("amount_untaxed", "amount_tax", "amount_total", "invoice_status")
    lines_before = list(order.lines.order_by("pk").values_list(*FIGURES))
    order_before = Order.objects.filter(pk=order.pk).values_list(*totals).get()

    OrderLine.objects.filter(order=order).update(
        qty_invoiced=D("99"), qty_to_invoice=D("99"), invoice_status="no"
    )
    # The manual line's delivered quantity is entered by hand: only the others are derived.
    OrderLine.objects.filter(
        order=order, is_downpayment=False, invoice_policy__in=[first.invoice_policy, second.invoice_policy]
    ).update(qty_delivered=D("99"))
    Order.objects.filter(pk=order.pk).update(
        amount_untaxed=0, amount_tax=0, amount_total=0, invoice_status="no"
    )
    sales.order_lines_recompute(line_ids=[], order_ids=[order.pk])

    assert list(order.lines.order_by("pk").values_list(*FIGURES)) == lines_before
    assert Order.objects.filter(pk=order.pk).values_list(*totals).get() == order_before
    assert lines_before[0] == (D("2.5"), D("2"), D("0"), OrderLine.InvoiceStatus.UPSELLING)  # 20 h = 2.5 days
    assert lines_before[1] == (D("4.75"), D("4.75"), D("0"), OrderLine.InvoiceStatus.NO)
    # 2 days at 8 × 100.00 + 20 % tax, 10 h at 100.00, 3 × 10.00; the down payment line is 0 × 0.
    assert order_before == (D("2630.00"), D("320.00"), D("2950.00"), Order.InvoiceStatus.NO)


@pytest.mark.parametrize("logged", [2, 200])
def test_a_recompute_is_four_statements_whatever_the_history(world, logged):
    """Lock the orders, lock the lines, one UPDATE of the lines, one of their orders: in this
    order, in one round trip (PostgreSQL)."""
    _, line = world.order(ProductFactory(timesheet=True), "10")
    TimesheetLine.objects.bulk_create(
        TimesheetLine(date=DAY, employee=world.worker, hours=D("0.5"), project=world.project, sale_line=line)
        for _ in range(logged)
    )
    with CaptureQueriesContext(connection) as queries:
        sales.order_lines_recompute(line_ids=[line.pk])
    statements = [
        q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    batched = connection.vendor == "postgresql"  # elsewhere: the same four, one by one
    assert len(statements) == (1 if batched else 4), statements
    parts = [" ".join(part.split()) for sql in statements for part in sql.split(";\n")]
    assert len(parts) == 4, parts
    assert parts[0].startswith('SELECT "sales_order"."id"')
    assert parts[1].startswith('SELECT "sales_orderline"."id"')
    if batched:  # (SQLite has no row locks)
        assert "FOR NO KEY UPDATE" in parts[0] and "FOR NO KEY UPDATE" in parts[1]
    assert 'UPDATE "sales_orderline"' in parts[2] and parts[3].startswith('UPDATE "sales_order"')
    assert rows_of(line)[0] == D(logged) / 2


def test_remaining_hours_have_one_formula_everywhere(world):
    """Ordered × ratio − billed hours logged, unrounded, the same whether annotated or not."""
    _, line = world.order(ProductFactory(), "2", uom=uom("Days"))
    world.log(line, "7.25")
    world.log(line, "1.5", days_ago=1)
    annotated = selectors.order_lines_with_remaining_hours(OrderLine.objects.filter(pk=line.pk)).get()
    plain = OrderLine.objects.get(pk=line.pk)

    assert annotated.__dict__["_remaining_hours"] == D("7.25")  # 16 h sold − 8.75 h logged
    assert annotated.remaining_hours == plain.remaining_hours == D("7.25")
    assert selectors.order_line_remaining_hours(line=plain) == D("7.25")
    _, postpaid = world.order(ProductFactory(timesheet=True), "10")
    assert OrderLine.objects.get(pk=postpaid.pk).remaining_hours is None


@pytest.mark.skipif(connection.vendor == "sqlite", reason="this is the SQLite run")
def test_this_module_passes_on_sqlite_too(tmp_path):
    """`make run` uses SQLite: the same tests, on a fresh SQLite database."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", __file__],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "1 skipped" in run.stdout
