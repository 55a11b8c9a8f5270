"""Invoice actions through the engine: create-invoice dialog, post, cancel, credit, payments."""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing import services as invoicing
from invoicing.models import Invoice
from sales import services as sales
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory, TaxFactory
from timesheets.services import timesheet_log

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.fixture
def postpaid_order(seller):
    """A confirmed order of 10 h Service on Timesheets at 100.00/h, 21 % tax, no time logged."""
    tax = TaxFactory(rate=Decimal("21.000"))
    customer = CustomerFactory(name="Cyberdyne", email="ap@cyberdyne.example")
    product = ProductFactory(name="Service on Timesheets", timesheet=True, tax=tax)
    order = sales.order_create(customer=customer, user=seller, lines=[{"product": product, "quantity": 10}])
    return sales.order_confirm(order=order, user=seller)


def log(order, agent, day, hours, text="Work"):
    project = ProjectFactory(customer=order.customer)
    return timesheet_log(
        employee=agent,
        date=day,
        hours=Decimal(hours),
        user=agent,
        project=project,
        sale_line=order.lines.get(),
        description=text,
    )


def dialog_url(order):
    return reverse("invoicing:order_invoice_create", args=[order.pk])


def test_dialog_shows_nothing_to_invoice_from_the_engine(client, seller, postpaid_order):
    client.force_login(seller)
    response = client.get(dialog_url(postpaid_order), headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and 'class="modal-backdrop"' in html
    assert "nothing to invoice" in html.lower()
    assert 'name="period_start"' in html  # the order has timesheet-billed lines
    response = client.post(dialog_url(postpaid_order), {"method": "regular", "action": "create"}, headers=HX)
    assert "nothing to invoice" in response.content.decode().lower()
    assert not Invoice.objects.exists()


def test_dialog_hides_the_period_without_timesheet_lines(client, seller):
    order = sales.order_create(
        customer=CustomerFactory(), user=seller, lines=[{"product": ProductFactory(), "quantity": 1}]
    )
    sales.order_confirm(order=order, user=seller)
    client.force_login(seller)
    html = client.get(dialog_url(order), headers=HX).content.decode()
    assert 'name="period_start"' not in html and "500.00" in html  # prepaid: invoiceable at once


def test_draft_order_cannot_be_invoiced(client, seller):
    order = sales.order_create(
        customer=CustomerFactory(), user=seller, lines=[{"product": ProductFactory(), "quantity": 1}]
    )
    client.force_login(seller)
    html = client.get(dialog_url(order), headers=HX).content.decode()
    assert "Only a confirmed order can be invoiced" in html
    response = client.post(dialog_url(order), {"method": "regular", "action": "create"}, headers=HX)
    assert response.status_code == 200 and not Invoice.objects.exists()
    assert 'class="form-errors"' in response.content.decode()


def test_preview_then_create_a_regular_invoice_for_a_period(client, seller, agent, postpaid_order):
    day = datetime.date.today()
    log(postpaid_order, agent, day - datetime.timedelta(days=3), "2.50", "In the period")
    log(postpaid_order, agent, day, "1.00", "Out of the period")
    period = {
        "period_start": (day - datetime.timedelta(days=5)).isoformat(),
        "period_end": (day - datetime.timedelta(days=1)).isoformat(),
    }
    client.force_login(seller)
    preview = client.post(dialog_url(postpaid_order), {"method": "regular", **period}, headers=HX)
    html = preview.content.decode()
    assert "2.50" in html and "302.50" in html and not Invoice.objects.exists()

    response = client.post(
        dialog_url(postpaid_order), {"method": "regular", "action": "create", **period}, headers=HX
    )
    invoice = Invoice.objects.get()
    assert response.status_code == 200  # django-htmx's HttpResponseClientRedirect
    assert response["HX-Redirect"] == reverse("invoicing:invoice_detail", args=[invoice.pk])
    assert invoice.state == "draft" and invoice.amount_total == Decimal("302.50")
    assert [t.description for t in invoice.timesheets.all()] == ["In the period"]


def test_down_payment_needs_an_amount_and_a_sane_percentage(client, seller, postpaid_order):
    client.force_login(seller)
    response = client.post(
        dialog_url(postpaid_order), {"method": "down_payment_percent", "action": "create"}, headers=HX
    )
    assert "Enter the percentage of the down payment" in response.content.decode()
    response = client.post(
        dialog_url(postpaid_order),
        {"method": "down_payment_percent", "amount": "150", "action": "create"},
        headers=HX,
    )
    assert "cannot exceed 100" in response.content.decode()
    response = client.post(dialog_url(postpaid_order), {"method": "bogus", "action": "create"}, headers=HX)
    assert "Select a valid choice" in response.content.decode()
    response = client.post(
        dialog_url(postpaid_order),
        {"method": "regular", "period_start": "2026-11-10", "period_end": "2026-11-01", "action": "create"},
        headers=HX,
    )
    assert "end of the period is before its start" in response.content.decode()
    assert not Invoice.objects.exists()


def test_down_payment_fixed_creates_a_draft(client, seller, postpaid_order):
    client.force_login(seller)
    response = client.post(
        dialog_url(postpaid_order),
        {"method": "down_payment_fixed", "amount": "121.00", "action": "create"},
        headers=HX,
    )
    assert response.status_code == 200 and "HX-Redirect" in response
    assert Invoice.objects.get().amount_total == Decimal("121.00")


@pytest.fixture
def draft(seller, agent, postpaid_order):
    log(postpaid_order, agent, datetime.date.today(), "4.00", "Firewall rules")
    return invoicing.invoice_create_from_order(order=postpaid_order, user=seller)


def test_posting_answers_before_the_pdf_which_is_stored_once_after_commit(
    client, accountant, draft, django_capture_on_commit_callbacks
):
    client.force_login(accountant)
    detail = reverse("invoicing:invoice_detail", args=[draft.pk])
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        response = client.post(reverse("invoicing:invoice_post", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.state == "posted" and draft.number.startswith("INV/")
    html = response.content.decode()
    assert f"Invoice posted as {draft.number}" in html and "PDF being prepared" in html
    assert not draft.pdf and not draft.pdf_sha256
    assert "PDF being prepared" in client.get(reverse("invoicing:invoice_list")).content.decode()
    # The posting's transaction commits; its callback queues the rendering (in-process in tests).
    for callback in after_commit:
        callback()
    draft.refresh_from_db()
    assert draft.pdf and len(draft.pdf_sha256) == 64
    with draft.pdf.open("rb") as handle:
        stored = handle.read()
    assert hashlib.sha256(stored).hexdigest() == draft.pdf_sha256
    assert "PDF being prepared" not in client.get(detail).content.decode()
    assert (
        "PDF ready" in client.get(reverse("invoicing:invoice_pdf_status", args=[draft.pk])).content.decode()
    )
    download = client.get(reverse("invoicing:invoice_pdf", args=[draft.pk]))
    assert download.content == stored


def test_posting_twice_shows_the_engine_refusal(client, accountant, draft):
    client.force_login(accountant)
    client.post(reverse("invoicing:invoice_post", args=[draft.pk]))
    response = client.post(reverse("invoicing:invoice_post", args=[draft.pk]), follow=True)
    assert response.status_code == 200 and "only drafts can be posted" in response.content.decode()


def test_sales_cancels_a_draft_and_its_timesheets_are_released(client, seller, draft):
    client.force_login(seller)
    client.post(reverse("invoicing:invoice_cancel", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.state == "cancel" and not draft.timesheets.exists()


def test_accountant_issues_a_credit_note_and_lands_on_it(client, accountant, draft):
    invoicing.invoice_post(invoice=draft, user=accountant)
    client.force_login(accountant)
    response = client.post(reverse("invoicing:invoice_credit_note", args=[draft.pk]))
    credit = Invoice.objects.get(kind="credit_note")
    assert response["Location"] == reverse("invoicing:invoice_detail", args=[credit.pk])
    assert credit.number.startswith("RINV/") and credit.state == "posted"
    response = client.post(reverse("invoicing:invoice_credit_note", args=[draft.pk]), follow=True)
    assert "already credited" in response.content.decode()


def test_partial_then_full_payment_and_overpayment_refused_next_to_amount(client, accountant, draft):
    invoicing.invoice_post(invoice=draft, user=accountant)
    client.force_login(accountant)
    url = reverse("invoicing:invoice_pay", args=[draft.pk])
    today = datetime.date.today().isoformat()
    response = client.post(url, {"amount": "100.00", "date": today, "method": "bank_transfer"}, headers=HX)
    assert response.status_code == 200 and response["HX-Redirect"].endswith(f"/invoices/{draft.pk}/")
    draft.refresh_from_db()
    assert draft.payment_state == "partial" and draft.amount_due == Decimal("384.00")
    too_much = client.post(url, {"amount": "500.00", "date": today, "method": "card"}, headers=HX)
    html = too_much.content.decode()
    assert too_much.status_code == 200 and "more than the amount due" in html and "has-error" in html
    client.post(url, {"amount": "384.00", "date": today, "method": "card", "reference": "X1"}, headers=HX)
    draft.refresh_from_db()
    assert draft.payment_state == "paid" and draft.payments.count() == 2
    detail = client.get(reverse("invoicing:invoice_detail", args=[draft.pk])).content.decode()
    assert "Register payment" not in detail and "Partially paid" not in detail and ">Paid<" in detail


def test_paying_a_draft_is_refused_in_the_dialog(client, accountant, draft):
    client.force_login(accountant)
    response = client.post(
        reverse("invoicing:invoice_pay", args=[draft.pk]),
        {"amount": "1", "date": "2026-11-20", "method": "cash"},
        headers=HX,
    )
    assert response.status_code == 200 and "posted invoices only" in response.content.decode()
    assert not draft.payments.exists()
