"""Invoice state changes go through one transition map, and every billing action takes its row
locks in the house order (order → order lines → invoice → timesheet lines) through `core.locks`.

The concurrency test runs on real PostgreSQL with threads (each its own connection, committing).
"""

import datetime
import re
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.errors import ConflictError
from core.locks import lock_billing
from invoicing import services as inv
from invoicing.models import Invoice
from invoicing.states import INVOICE_TRANSITIONS
from sales import services as sales
from sales.models import Order, OrderLine
from tests.clock import TODAY, frozen_on
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory, UserFactory
from timesheets import services as ts
from timesheets.models import TimesheetLine

pytestmark = frozen_on(TODAY)

DAY = datetime.date(2026, 11, 20)
ROOT = Path(__file__).resolve().parents[2]


def draft_with_time(seller):
    """A confirmed post-paid order with 2 h logged and a draft invoice billing them."""
    customer = CustomerFactory()
    project = ProjectFactory(customer=customer)
    order = sales.order_create(
        customer=customer, user=seller, lines=[{"product": ProductFactory(timesheet=True), "quantity": 10}]
    )
    sales.order_confirm(order=order, user=seller)
    line = order.lines.get()
    ts.timesheet_log(employee=seller, user=seller, date=DAY, hours=2, project=project, sale_line=line)
    return inv.invoice_create_from_order(order=order, user=seller)


@pytest.mark.django_db
def test_invoice_moves_outside_the_transition_map_are_refused():
    assert {
        Invoice.State.DRAFT: {Invoice.State.POSTED, Invoice.State.CANCEL},
        Invoice.State.POSTED: set(),
        Invoice.State.CANCEL: set(),
    } == INVOICE_TRANSITIONS
    seller = UserFactory(username="seller", roles=["sales", "accountant"])
    invoice = draft_with_time(seller)
    inv.invoice_cancel(invoice=invoice, user=seller)
    with pytest.raises(ConflictError, match="only drafts can be posted"):
        inv.invoice_post(invoice=invoice, user=seller)
    with pytest.raises(ConflictError, match="only drafts can be cancelled"):
        inv.invoice_cancel(invoice=invoice, user=seller)


@pytest.mark.django_db
def test_lock_billing_takes_the_levels_in_the_house_order():
    seller = UserFactory(username="seller", roles=["sales"])
    invoice = draft_with_time(seller)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        lock_billing(
            timesheet_lines=TimesheetLine.objects.all(),
            invoices=Invoice.objects.all(),
            order_lines=OrderLine.objects.all(),
            orders=Order.objects.filter(pk=invoice.order_id),
        )
    tables = [re.search(r'FROM "(\w+)"', q["sql"]).group(1) for q in queries.captured_queries]
    assert tables == [
        Order._meta.db_table,
        OrderLine._meta.db_table,
        Invoice._meta.db_table,
        TimesheetLine._meta.db_table,
    ]
    assert all("FOR NO KEY UPDATE" in q["sql"] and "ORDER BY" in q["sql"] for q in queries.captured_queries)


# Row locks of the billing rooms are taken in core/locks.py only. Product stock and timers are no
# billing rows; number sequences are locked on their own (never while waiting for a billing row).
LOCK_PATTERN = re.compile(r"select_for_update|FOR (NO KEY )?UPDATE")
OUTSIDE_THE_HOUSE_ORDER = {
    "sales/services/products.py",  # product stock
    "timesheets/timers.py",  # one running timer per user
    "invoicing/peppol/delivery.py",  # the e-invoice delivery status of a posted document
    "invoicing/documents.py",  # stored PDF/UBL: an advisory lock (SQLite: the database lock)
}


def test_billing_rooms_take_row_locks_only_through_the_lock_module():
    offenders = []
    for room in ("sales", "invoicing", "timesheets"):
        for path in (ROOT / room).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "migrations" in relative or relative in OUTSIDE_THE_HOUSE_ORDER:
                continue
            for number, text in enumerate(path.read_text().splitlines(), 1):
                if LOCK_PATTERN.search(text) and not text.lstrip().startswith(('"""', "#")):
                    offenders.append(f"{relative}:{number}: {text.strip()}")
    assert offenders == []


def wait_for_lock_waiters(count: int, outcomes: dict, timeout: float = 20.0) -> None:
    """Block until `count` backends of this database wait on a lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Inside a transaction the activity view is a snapshot: take a new one each time.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.02)
    raise AssertionError(f"{count} backends never waited on a lock: {outcomes}")


@pytest.mark.django_db(transaction=True)
def test_editing_and_cancelling_one_draft_at_once_queue_instead_of_deadlocking(settings):
    """Cancel waits for the order; meanwhile the edit starts. Before the one lock order, the edit
    locked the invoice and then waited for the order, while the cancel, once it had the order,
    waited for the invoice: PostgreSQL detected a deadlock and the request answered 500."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seller = UserFactory(username="seller", roles=["sales", "accountant"])
    invoice = draft_with_time(seller)
    billed = invoice.lines.get()
    outcomes = {}

    def run(name, action):
        try:
            outcomes[name] = action()
        except Exception as exc:  # noqa: BLE001 - the test asserts on it
            outcomes[name] = exc
        finally:
            connection.close()

    def cancel():
        return inv.invoice_cancel(invoice=Invoice.objects.get(pk=invoice.pk), user=seller)

    def edit():
        return inv.invoice_lines_update(
            invoice=Invoice.objects.get(pk=invoice.pk),
            user=seller,
            lines=[{"id": billed.pk, "description": "Support, November"}],
        )

    threads = [
        threading.Thread(target=run, args=(name, action))
        for name, action in [("cancel", cancel), ("edit", edit)]
    ]
    with transaction.atomic():
        # Another writer holds the order: the cancel queues on it first, then the edit arrives.
        Order.objects.select_for_update(no_key=True).get(pk=invoice.order_id)
        threads[0].start()
        wait_for_lock_waiters(1, outcomes)
        threads[1].start()
        wait_for_lock_waiters(2, outcomes)
    for thread in threads:
        thread.join(timeout=60)

    assert isinstance(outcomes["cancel"], Invoice), outcomes["cancel"]
    assert isinstance(outcomes["edit"], ConflictError), outcomes["edit"]
    assert "only drafts can be changed" in outcomes["edit"].message
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.CANCEL
    assert TimesheetLine.objects.get().invoice is None
