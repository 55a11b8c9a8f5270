"""The audit trail: every billing action records who, which object and what changed
(before → after), in the action's own transaction, append-only (model and PostgreSQL)."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from audit import services as audit
from audit.models import AppendOnlyError, AuditEvent
from core.errors import DomainError
from invoicing import services as inv
from sales import services as sales
from tests.clock import TODAY, frozen_on
from tests.factories import UserFactory
from timesheets import services as ts

pytestmark = [pytest.mark.django_db, frozen_on(TODAY)]

D = Decimal


def events_of(obj, action):
    return list(
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=obj.pk, action=action
        ).order_by("id")
    )


def only_event(obj, action):
    found = events_of(obj, action)
    assert len(found) == 1, [e.action for e in AuditEvent.objects.all()]
    return found[0]


def audit_inserts(queries) -> int:
    return sum(1 for q in queries if q["sql"].startswith('INSERT INTO "audit_auditevent"'))


# --- orders ----------------------------------------------------------------------------------


def test_confirming_an_order_records_who_and_the_state_change(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "50", confirm=False)
    with CaptureQueriesContext(connection) as queries:
        sales.order_confirm(order=order, user=seller)
    event = only_event(order, "order.sale")
    assert (event.actor, event.actor_name, event.actor_label) == (seller, "seller", "seller")
    assert event.object_repr == order.name
    assert event.changes["state"] == ["draft", "sale"]
    assert event.changes["confirmed_at"][0] is None and event.changes["confirmed_at"][1]
    assert audit_inserts(queries.captured_queries) == 1


def test_locking_and_cancelling_record_their_state_change(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "10")
    sales.order_lock(order=order, user=seller)
    assert only_event(order, "order.done").changes["state"] == ["sale", "done"]
    draft, _ = make_order(prepaid_product, "10", confirm=False)
    sales.order_cancel(order=draft, user=seller)
    assert only_event(draft, "order.cancel").changes == {"state": ["draft", "cancel"]}


def test_editing_an_order_records_each_changed_field_before_and_after(
    make_order, prepaid_product, seller, customer
):
    order, line = make_order(prepaid_product, "50", confirm=False)
    sales.order_update(order=order, user=seller, client_reference="PO-7", note="")
    assert only_event(order, "order.update").changes == {"client_reference": ["", "PO-7"]}
    sales.order_line_update(line=line, user=seller, quantity=D("62.5"), price_unit=D("480"))
    event = only_event(line, "order.line_update")
    assert (event.parent_type, event.parent_id) == ("sales.order", order.pk)
    # Decimals as exact strings, as stored
    assert event.changes["quantity"] == ["50.00", "62.50"]
    assert event.changes["price_unit"] == ["500.00", "480.00"]
    assert event.changes["price_subtotal"] == ["25000.00", "30000.00"]
    assert not {"description", "uom", "tax"} & set(event.changes)  # unchanged links stay out
    assert only_event(order, "order.create").changes["customer"] == [None, "Globex"]


# --- invoices --------------------------------------------------------------------------------


@pytest.fixture
def posted_invoice(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "2")
    invoice = inv.invoice_create_from_order(order=order, user=seller)
    return inv.invoice_post(invoice=invoice, user=seller)


def test_invoice_creation_posting_and_cancelling_record_their_changes(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "2")
    invoice = inv.invoice_create_from_order(order=order, user=seller)
    created = only_event(invoice, "invoice.create")
    assert created.changes["state"] == [None, "draft"]
    assert created.changes["amount_total"] == [None, "1000.00"]
    assert created.data["order"] == order.name

    inv.invoice_update(invoice=invoice, user=seller, due_date=datetime.date(2027, 1, 31))
    assert only_event(invoice, "invoice.update").changes == {"due_date": [None, "2027-01-31"]}

    inv.invoice_post(invoice=invoice, user=seller)
    posted = only_event(invoice, "invoice.post").changes
    assert posted["state"] == ["draft", "posted"]
    assert posted["number"] == [None, f"INV/{TODAY.year}/00001"]
    assert posted["invoice_date"] == [None, TODAY.isoformat()]
    assert "due_date" not in posted  # set before posting, unchanged by it

    second = inv.invoice_create_from_order(order=make_order(prepaid_product, "1")[0], user=seller)
    inv.invoice_cancel(invoice=second, user=seller)
    assert only_event(second, "invoice.cancel").changes == {"state": ["draft", "cancel"]}


def test_editing_invoice_lines_records_the_line_and_total_changes(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "2")
    invoice = inv.invoice_create_from_order(order=order, user=seller)
    line = invoice.lines.get()
    inv.invoice_lines_update(invoice=invoice, user=seller, lines=[{"id": line.pk, "price_unit": D("450.00")}])
    changes = only_event(invoice, "invoice.lines_update").changes
    key = f"line {line.sequence}"
    assert changes[f"{key}.price_unit"] == ["500.00", "450.00"]
    assert changes[f"{key}.total"] == ["1000.00", "900.00"]
    assert changes["amount_total"] == ["1000.00", "900.00"]
    assert f"{key}.quantity" not in changes


def test_payment_and_credit_note_record_the_settlement(posted_invoice, seller, accountant):
    inv.invoice_register_payment(invoice=posted_invoice, amount=D("100.10"), date=TODAY, user=accountant)
    paid = only_event(posted_invoice, "invoice.payment")
    assert paid.actor == accountant
    assert paid.changes == {
        "amount_paid": ["0.00", "100.10"],
        "payment_state": ["not_paid", "partial"],
    }
    assert paid.data["amount"] == "100.10"

    credit = inv.invoice_credit_note(invoice=posted_invoice, user=accountant)
    credited = only_event(posted_invoice, "invoice.credit")
    assert credited.changes == {
        "amount_settled": ["0.00", "899.90"],
        "payment_state": ["partial", "paid"],
    }
    assert credited.data["credit_note"] == credit.number
    assert only_event(credit, "invoice.post").changes["state"] == ["draft", "posted"]


# --- timesheets ------------------------------------------------------------------------------


def test_timesheet_lines_record_create_edit_and_delete_on_their_ticket(ticket, agent):
    with CaptureQueriesContext(connection) as queries:
        line = ts.timesheet_log(
            employee=agent, user=agent, date=TODAY, hours=D("1.25"), ticket=ticket, description="Fix"
        )
    created = only_event(line, "timesheet.create")
    assert (created.parent_type, created.parent_id) == ("helpdesk.ticket", ticket.pk)
    assert created.changes["hours"] == [None, "1.25"]
    assert created.changes["ticket"] == [None, str(ticket)]
    assert created.changes["date"] == [None, TODAY.isoformat()]
    assert audit_inserts(queries.captured_queries) == 1

    ts.timesheet_update(line=line, user=agent, hours=D("2"), description="Fixed")
    updated = only_event(line, "timesheet.update")
    assert updated.changes == {"hours": ["1.25", "2.00"], "description": ["Fix", "Fixed"]}

    line_id = line.pk
    ts.timesheet_delete(line=line, user=agent)
    deleted = AuditEvent.objects.get(action="timesheet.delete", object_id=line_id)
    assert deleted.changes["hours"] == ["2.00", None]
    assert (deleted.parent_type, deleted.parent_id) == ("helpdesk.ticket", ticket.pk)


def test_an_unchanged_timesheet_edit_records_nothing(ticket, agent):
    line = ts.timesheet_log(employee=agent, user=agent, date=TODAY, hours=D("1"), ticket=ticket)
    ts.timesheet_update(line=line, user=agent, hours=D("1.00"))
    assert not events_of(line, "timesheet.update")


# --- one transaction, append-only ------------------------------------------------------------


def test_a_rolled_back_action_leaves_no_event(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "5", confirm=False)
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        sales.order_confirm(order=order, user=seller)
        raise RuntimeError("the database fails after the action")
    assert AuditEvent.objects.count() == before
    with pytest.raises(DomainError):
        inv.invoice_register_payment(
            invoice=inv.invoice_create_from_order(order=make_order(prepaid_product, "1")[0], user=seller),
            amount=D("-1"),
            date=TODAY,
            user=seller,
        )
    assert not AuditEvent.objects.filter(action="invoice.payment").exists()


def test_system_actions_record_no_actor_shown_as_system(make_order, prepaid_product):
    order, _ = make_order(prepaid_product, "1")
    event = audit.record(actor=None, action="order.sweep", obj=order)
    assert (event.actor, event.actor_name, event.actor_label) == (None, "", "System")


def test_many_events_are_one_insert(make_order, prepaid_product, seller, django_assert_num_queries):
    orders = [make_order(prepaid_product, "1")[0] for _ in range(5)]
    with django_assert_num_queries(1):
        audit.record_many(actor=seller, action="order.test", entries=[{"obj": o} for o in orders])
    assert AuditEvent.objects.filter(action="order.test").count() == 5


def test_the_model_refuses_to_change_or_delete_an_event(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "1")
    event = only_event(order, "order.sale")
    event.action = "order.forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="order.forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "order.sale"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_of_an_event(make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "1")
    event = only_event(order, "order.sale")
    for sql in (
        "UPDATE audit_auditevent SET action = 'order.forged' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
        "UPDATE audit_auditevent SET actor_id = NULL, action = 'x' WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "order.sale"


def test_deleting_a_user_keeps_their_events_under_their_name(make_order, prepaid_product):
    clerk = UserFactory(username="clerk", roles=["sales"])
    order, _ = make_order(prepaid_product, "1", confirm=False)
    sales.order_confirm(order=order, user=clerk)
    clerk.delete()  # Django sets actor to NULL: the one UPDATE the trigger lets through
    event = only_event(order, "order.sale")
    assert (event.actor_id, event.actor_label) == (None, "clerk")
