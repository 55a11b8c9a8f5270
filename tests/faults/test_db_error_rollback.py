"""A database error inside a billing action rolls the WHOLE action back: nothing half-written, no
number consumed, no job queued. The error is real: PostgreSQL refuses the action's last write (its
audit event) through a CHECK constraint the test adds (and its transaction drops again)."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from core.models import Sequence, TaskRecord
from invoicing.models import Invoice, InvoiceLine
from sales.models import OrderLine
from tests.factories import UserFactory, invoice_with_lines
from tests.invoicing.test_to_invoice import make_orders
from timesheets.models import TimesheetLine

pytestmark = pytest.mark.django_db


def refuse_audit_of(action: str) -> None:
    """From now on (in this test's transaction) PostgreSQL refuses to record `action`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE audit_auditevent ADD CONSTRAINT test_refuses_action "
            f"CHECK (action <> '{action}') NOT VALID"
        )


def accept_audit_again() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DROP CONSTRAINT test_refuses_action")


def test_posting_an_invoice_that_fails_in_the_database_posts_nothing_and_takes_no_number():
    accountant = UserFactory(username="acc", roles=["accountant"])
    draft = invoice_with_lines(posted=False)
    sequences_before = list(Sequence.objects.values_list("code", "year", "next_number"))
    browser = Client(raise_request_exception=False)
    browser.force_login(accountant)
    refuse_audit_of("invoice.post")

    response = browser.post(reverse("invoicing:invoice_post", args=[draft.pk]))

    assert response.status_code == 500  # our error page: an unexpected error, nothing done
    invoice = Invoice.objects.get(pk=draft.pk)
    assert (invoice.state, invoice.number, invoice.invoice_date) == ("draft", None, None)
    assert list(Sequence.objects.values_list("code", "year", "next_number")) == sequences_before
    assert not AuditEvent.objects.filter(action="invoice.post").exists()
    assert not TaskRecord.objects.exists() and not invoice.pdf_sha256  # no PDF job was queued

    accept_audit_again()
    assert browser.post(reverse("invoicing:invoice_post", args=[draft.pk])).status_code == 302
    posted = Invoice.objects.get(pk=draft.pk)
    assert posted.state == "posted" and posted.number.endswith("00001")  # the gap-free first number


def test_invoicing_an_order_that_fails_in_the_database_leaves_the_order_as_it_was():
    (order,) = make_orders(1, tasks_per_order=2)
    accountant = UserFactory(username="acc", roles=["accountant"])
    lines_before = list(OrderLine.objects.filter(order=order).order_by("pk").values())
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(accountant)
    refuse_audit_of("invoice.create")

    response = api.post(f"/api/v1/orders/{order.pk}/invoice/", {}, format="json")

    assert response.status_code == 500 and response["Content-Type"].startswith("application/json")
    assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()
    assert not TimesheetLine.objects.filter(invoice__isnull=False).exists()
    assert list(OrderLine.objects.filter(order=order).order_by("pk").values()) == lines_before

    accept_audit_again()
    assert api.post(f"/api/v1/orders/{order.pk}/invoice/", {}, format="json").status_code == 201
    assert TimesheetLine.objects.filter(invoice__isnull=False).count() == 2
