"""Invoice screens: list, filters, totals, export, detail, PDF download, e-mail, roles."""

import csv
import datetime
import hashlib
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing.models import Invoice
from tests.factories import CustomerFactory, InvoiceFactory, UserFactory, invoice_with_lines

pytestmark = pytest.mark.django_db

LIST = reverse("invoicing:invoice_list")


def posted(customer=None, **fields):
    today = datetime.date.today()
    values = {
        "state": Invoice.State.POSTED,
        "invoice_date": today - datetime.timedelta(days=40),
        "due_date": today - datetime.timedelta(days=10),
        "amount_untaxed": Decimal("100.00"),
        "amount_tax": Decimal("21.00"),
        "amount_total": Decimal("121.00"),
    }
    values.update(fields)
    if customer is not None:
        values["customer"] = customer
    values.setdefault("number", f"INV/2026/{Invoice.objects.count() + 1:05d}")
    return InvoiceFactory(**values)


def test_admins_read_invoices_as_in_the_api_but_do_not_keep_the_books(client, admin_staff):
    invoice = invoice_with_lines()
    client.force_login(admin_staff)
    html = client.get(reverse("invoicing:invoice_detail", args=[invoice.pk])).content.decode()
    assert client.get(LIST).status_code == 200 and invoice.number in html
    assert "Register payment" not in html
    assert reverse("invoicing:invoice_credit_note", args=[invoice.pk]) not in html
    for url in (
        reverse("invoicing:invoice_export"),
        reverse("invoicing:invoice_pdf", args=[invoice.pk]),
        reverse("invoicing:invoice_pay", args=[invoice.pk]),
    ):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", ["agent", "customer"])
def test_invoice_screens_are_forbidden_to_other_roles(client, role):
    user = UserFactory(username=f"u-{role}", roles=[role])
    invoice = invoice_with_lines()
    client.force_login(user)
    for url in (
        LIST,
        reverse("invoicing:invoice_detail", args=[invoice.pk]),
        reverse("invoicing:invoice_export"),
        reverse("invoicing:invoice_pdf", args=[invoice.pk]),
        reverse("invoicing:invoice_pay", args=[invoice.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_list_filters_by_state_payment_customer_and_overdue_with_totals(client, accountant):
    acme = CustomerFactory(name="Acme")
    other = CustomerFactory(name="Other")
    late = posted(acme)
    posted(acme, due_date=datetime.date.today() + datetime.timedelta(days=5), number="INV/2026/10002")
    posted(other, payment_state="paid", amount_paid=Decimal("121.00"), number="INV/2026/10003")
    InvoiceFactory(customer=acme, amount_total=Decimal("50.00"))
    client.force_login(accountant)

    response = client.get(LIST)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 4
    assert response.context["totals"]["total"] == Decimal("413.00")
    assert response.context["totals"]["due"] == Decimal("242.00")  # posted, not paid

    overdue = client.get(LIST, {"overdue": "on"})
    assert [i.pk for i in overdue.context["page"]] == [late.pk]
    assert b"overdue-row" in overdue.content and b"Overdue" in overdue.content

    assert client.get(LIST, {"state": "draft"}).context["page"].paginator.count == 1
    assert client.get(LIST, {"payment_state": "paid"}).context["page"].paginator.count == 1
    assert client.get(LIST, {"customer": other.pk}).context["page"].paginator.count == 1
    assert client.get(LIST, {"q": "10002"}).context["page"].paginator.count == 1


def test_bad_filter_values_are_ignored_not_a_500(client, seller):
    client.force_login(seller)
    response = client.get(LIST, {"state": "nonsense", "customer": "abc", "page": "x"})
    assert response.status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_invoice_list_runs_a_constant_number_of_queries(client, accountant, django_assert_num_queries, size):
    customer = CustomerFactory()
    for n in range(size):
        posted(customer, number=f"INV/2026/{n + 1:05d}")
    client.force_login(accountant)
    client.get(LIST)  # warm the session
    # savepoint pair (ATOMIC_REQUESTS), session, user, groups, aggregate, count, page rows: the
    # same at 3 and 30 invoices (the customer filter is a search field: no query for choices)
    with django_assert_num_queries(8):
        assert client.get(LIST).status_code == 200


def test_accountant_exports_the_filtered_list_as_csv(client, accountant, seller):
    acme = CustomerFactory(name="Acme")
    posted(acme, number="INV/2026/00007")
    posted(CustomerFactory(name="Zeta"), number="INV/2026/00008")
    client.force_login(accountant)
    response = client.get(reverse("invoicing:invoice_export"), {"customer": acme.pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "number" and len(rows) == 2
    assert rows[1][0] == "INV/2026/00007" and rows[1][4] == "Acme" and rows[1][10] == "121.00"
    client.force_login(seller)
    assert client.get(reverse("invoicing:invoice_export")).status_code == 403


def test_detail_shows_lines_and_billed_timesheets(client, seller):
    invoice = invoice_with_lines()
    client.force_login(seller)
    response = client.get(reverse("invoicing:invoice_detail", args=[invoice.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "INV/2026/00042" in html and "Globex Corporation" in html
    assert "Prepaid support 10 h" in html and "Mail server migration" in html and "Ada Lovelace" in html
    assert "1,028.50" in html
    # sales reads, but neither posts nor pays nor downloads a posted invoice
    assert "Register payment" not in html and "Download PDF" not in html


def test_missing_invoice_is_a_404(client, accountant):
    client.force_login(accountant)
    assert client.get(reverse("invoicing:invoice_detail", args=[999999])).status_code == 404


def test_accountant_downloads_stored_pdf_byte_identical_twice(client, accountant):
    invoice = invoice_with_lines()
    client.force_login(accountant)
    url = reverse("invoicing:invoice_pdf", args=[invoice.pk])
    first, second = client.get(url), client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert first.content.startswith(b"%PDF") and first.content == second.content
    assert 'filename="INV-2026-00042.pdf"' in first["Content-Disposition"]
    invoice.refresh_from_db()
    assert invoice.pdf_sha256 == hashlib.sha256(first.content).hexdigest() == first["X-Content-SHA256"]


def test_sales_previews_a_draft_pdf_but_cannot_download_a_posted_one(client, seller):
    draft = invoice_with_lines(posted=False)
    client.force_login(seller)
    response = client.get(reverse("invoicing:invoice_pdf", args=[draft.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "draft-invoice" in response["Content-Disposition"]
    posted_invoice = invoice_with_lines(number="INV/2026/00043")
    assert client.get(reverse("invoicing:invoice_pdf", args=[posted_invoice.pk])).status_code == 403


def test_send_queues_the_email_with_the_pdf_and_records_sent_at(
    client, accountant, mailoutbox, django_capture_on_commit_callbacks
):
    invoice = invoice_with_lines()
    client.force_login(accountant)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("invoicing:invoice_send", args=[invoice.pk]), follow=True)
    assert len(callbacks) == 1
    assert "is being sent to ap@globex.example" in response.content.decode()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ap@globex.example"] and "INV/2026/00042" in mail.subject
    name, content, mimetype = mail.attachments[0]
    assert name == "INV-2026-00042.pdf" and mimetype == "application/pdf" and content.startswith(b"%PDF")
    invoice.refresh_from_db()
    assert invoice.sent_at is not None
    assert hashlib.sha256(content).hexdigest() == invoice.pdf_sha256


def test_sending_a_draft_is_refused_with_a_message(
    client, accountant, mailoutbox, django_capture_on_commit_callbacks
):
    draft = invoice_with_lines(posted=False)
    client.force_login(accountant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invoicing:invoice_send", args=[draft.pk]), follow=True)
    assert "Only a posted invoice can be sent" in response.content.decode()
    assert mailoutbox == []


@pytest.mark.parametrize("name", ["invoice_post", "invoice_credit_note", "invoice_send", "invoice_pay"])
def test_sales_cannot_run_accounting_actions(client, seller, name):
    invoice = invoice_with_lines()
    client.force_login(seller)
    assert client.post(reverse(f"invoicing:{name}", args=[invoice.pk])).status_code == 403


def test_actions_refuse_get(client, accountant):
    invoice = invoice_with_lines()
    client.force_login(accountant)
    assert client.get(reverse("invoicing:invoice_post", args=[invoice.pk])).status_code == 405


def test_payment_dialog_opens_with_amount_due_and_shows_field_errors(client, accountant):
    """The amount due is offered in the site's format (1,028.50, the currency beside it)."""
    invoice = invoice_with_lines()
    client.force_login(accountant)
    url = reverse("invoicing:invoice_pay", args=[invoice.pk])
    dialog = client.get(url, headers={"HX-Request": "true"})
    assert dialog.status_code == 200
    html = dialog.content.decode()
    assert 'class="modal-backdrop"' in html and 'value="1,028.50"' in html
    response = client.post(
        url, {"amount": "-5", "date": "not a date", "method": "bank_transfer"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0.01" in html
    assert "Enter a date as YYYY-MM-DD" in html
    assert invoice.payments.count() == 0
