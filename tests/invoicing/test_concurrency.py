"""Concurrent writers on real PostgreSQL: each thread has its own connection and commits.

transaction=True: threads only see committed rows (tests/conftest.py puts the reference rows of
the data migrations back after each flush).
"""

import contextlib
import datetime
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import DomainError
from invoicing import services as inv
from invoicing.models import Invoice
from sales import services as sales
from tests.clock import TODAY, frozen_on
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory, UserFactory
from timesheets import services as ts
from timesheets.models import TimesheetLine

pytestmark = [pytest.mark.django_db(transaction=True), frozen_on(TODAY)]

DAY = datetime.date(2026, 11, 20)


def run_in_threads(count: int, work):
    """Run work(i) in `count` threads released together; returns results or exceptions."""
    barrier = threading.Barrier(count)

    def target(i):
        try:
            barrier.wait()
            return work(i)
        except Exception as exc:  # noqa: BLE001 - returned to the test, which asserts on it
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(target, range(count)))


def confirmed_line(product, quantity, seller, customer):
    order = sales.order_create(
        customer=customer, user=seller, lines=[{"product": product, "quantity": Decimal(quantity)}]
    )
    sales.order_confirm(order=order, user=seller)
    return order, order.lines.get()


def test_sixteen_writers_lose_no_delivered_hours(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seller = UserFactory(username="seller", roles=["sales"])
    customer = CustomerFactory()
    project = ProjectFactory(customer=customer)
    _, line = confirmed_line(ProductFactory(timesheet=True), "100", seller, customer)
    workers = [UserFactory(username=f"worker{i}", roles=["agent"]) for i in range(16)]
    per_thread = 500

    def hours(i, k):
        return Decimal("0.25") * ((i + k) % 8 + 1)

    def write(i):
        for k in range(per_thread):
            ts.timesheet_log(
                employee=workers[i],
                user=workers[i],
                date=DAY - datetime.timedelta(days=k // 10),  # at most 24 h a day: 10 lines ≤ 20 h
                hours=hours(i, k),
                project=project,
                sale_line=line,
            )
        return per_thread

    # A shorter GIL switch interval lets the thread holding the row lock run its next statement
    # sooner (16 threads share one interpreter); it changes scheduling only, not the outcome.
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        results = run_in_threads(16, write)
    finally:
        sys.setswitchinterval(old_interval)
    assert results == [per_thread] * 16
    expected = sum(hours(i, k) for i in range(16) for k in range(per_thread))
    line.refresh_from_db()
    assert TimesheetLine.objects.count() == 16 * per_thread
    assert line.qty_delivered == expected
    assert line.qty_to_invoice == expected


def test_two_writers_of_20_hours_on_one_day_one_is_refused(settings):
    """The 24 h cap under concurrency: the advisory lock per employee and day serialises them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    employee = UserFactory(username="busy", roles=["agent"])
    project = ProjectFactory(customer=CustomerFactory())

    results = run_in_threads(
        2,
        lambda i: ts.timesheet_log(
            employee=employee, user=employee, date=DAY, hours=Decimal("20"), project=project
        ),
    )

    saved = [r for r in results if isinstance(r, TimesheetLine)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(saved) == 1 and len(refused) == 1, results
    assert refused[0].field == "hours" and "24 hours a day" in refused[0].message
    assert TimesheetLine.objects.filter(employee=employee, date=DAY).count() == 1


def test_concurrent_invoice_creation_creates_one_invoice(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seller = UserFactory(username="seller", roles=["sales"])
    customer = CustomerFactory()
    project = ProjectFactory(customer=customer)
    order, line = confirmed_line(ProductFactory(timesheet=True), "10", seller, customer)
    for k in range(20):
        ts.timesheet_log(
            employee=seller,
            user=seller,
            date=DAY - datetime.timedelta(days=k % 2),  # 15 h a day: under the 24 h cap
            hours=Decimal("1.5"),
            project=project,
            sale_line=line,
        )

    results = run_in_threads(4, lambda i: inv.invoice_create_from_order(order=order, user=seller))

    created = [r for r in results if isinstance(r, Invoice)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(created) == 1 and len(refused) == 3, results
    assert all("nothing to invoice" in str(r) for r in refused)
    assert Invoice.objects.count() == 1
    assert TimesheetLine.objects.filter(invoice=created[0]).count() == 20
    line.refresh_from_db()
    assert (line.qty_invoiced, line.qty_to_invoice) == (Decimal("30.00"), Decimal("0"))


def test_concurrent_posting_numbers_are_unique_and_gapless(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seller = UserFactory(username="seller", roles=["accountant"])
    customer = CustomerFactory()
    product = ProductFactory()
    drafts = []
    for _ in range(12):
        order, _ = confirmed_line(product, "1", seller, customer)
        drafts.append(inv.invoice_create_from_order(order=order, user=seller))

    results = run_in_threads(12, lambda i: inv.invoice_post(invoice=drafts[i], user=seller))

    assert all(isinstance(r, Invoice) for r in results), results
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    year = timezone.localdate().year
    assert numbers == [f"INV/{year}/{n:05d}" for n in range(1, 13)]
    # posting again, concurrently, is refused for every caller: nothing is numbered twice
    again = run_in_threads(4, lambda i: inv.invoice_post(invoice=drafts[0], user=seller))
    assert all(isinstance(r, DomainError) and r.status_code == 409 for r in again)
    assert Invoice.objects.filter(number__isnull=False).count() == 12


def test_logging_editing_and_invoicing_at_once_keep_billing_consistent(settings):
    """Loggers, an editor and an invoicer on one order: no deadlock, no lost figure."""
    from django.db.models import Sum

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seller = UserFactory(username="seller", roles=["sales"])
    customer = CustomerFactory()
    project = ProjectFactory(customer=customer)
    order, line = confirmed_line(ProductFactory(timesheet=True), "10", seller, customer)
    # One line a day per writer (at most 24 h a day): the loggers and the editor meet on the same
    # days, so they also contend for the same (employee, day) advisory locks.
    seeded = [
        ts.timesheet_log(
            employee=seller,
            user=seller,
            date=DAY - datetime.timedelta(days=k),
            hours=Decimal("1"),
            project=project,
            sale_line=line,
        )
        for k in range(30)
    ]

    def work(i):
        if i < 4:  # loggers
            for k in range(40):
                ts.timesheet_log(
                    employee=seller,
                    user=seller,
                    date=DAY - datetime.timedelta(days=k),
                    hours=Decimal("0.5"),
                    project=project,
                    sale_line=line,
                )
        elif i == 4:  # editor: billed lines are refused, the others change
            for row in seeded:
                with contextlib.suppress(DomainError):
                    ts.timesheet_update(line=row, user=seller, hours=Decimal("2"))
        else:  # invoicer
            for _ in range(10):
                with contextlib.suppress(DomainError):
                    inv.invoice_create_from_order(order=order, user=seller)
        return "ok"

    assert run_in_threads(6, work) == ["ok"] * 6
    line.refresh_from_db()
    logged = TimesheetLine.objects.aggregate(s=Sum("hours"))["s"]
    billed = TimesheetLine.objects.filter(invoice__isnull=False).aggregate(s=Sum("hours"))["s"]
    assert line.qty_delivered == logged
    assert line.qty_invoiced == billed == sum(Invoice.objects.values_list("amount_untaxed", flat=True)) / 100
    assert line.qty_to_invoice == logged - billed
    assert TimesheetLine.objects.count() == 30 + 4 * 40
