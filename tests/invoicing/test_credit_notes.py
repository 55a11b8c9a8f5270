"""SPEC "Credit notes": full or partial, settling their invoice; refunds; released timesheets;
negative amounts in lists, totals, exports and the API; the credit-note PDF.

The table "Credit notes" in README.md ("How billing works") is written from
`test_credit_note_cases`: one invoice of 453.75 (3.75 h at 100.00 + 21 % tax).
"""

import csv
import io
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import ConflictError, DomainError
from invoicing import services as inv
from invoicing.documents import invoice_pdf_bytes
from invoicing.models import Invoice
from tests.clock import TODAY, frozen_on
from tests.factories import ProductFactory, TaxFactory
from timesheets import services as ts
from timesheets.models import TimesheetLine

pytestmark = [pytest.mark.django_db, frozen_on(TODAY)]

D = Decimal
HX = {"HX-Request": "true"}
FULL, PARTIAL = "full", "partial"


@pytest.fixture
def billed(make_order, agent, project, seller):
    """A posted invoice of 3.75 h (2 h, 1 h, 0.75 h on three days) at 100.00/h + 21 %: 453.75."""
    product = ProductFactory(
        name="Service on Timesheets", timesheet=True, tax=TaxFactory(name="VAT 21%", rate=D("21"))
    )
    order, line = make_order(product, "10")
    for day, hours in [(2, "2"), (10, "1"), (20, "0.75")]:
        ts.timesheet_log(
            employee=agent,
            user=agent,
            date=TODAY.replace(day=day),
            hours=D(hours),
            project=project,
            sale_line=line,
        )
    invoice = inv.invoice_create_from_order(order=order, user=seller)
    inv.invoice_post(invoice=invoice, user=seller)
    invoice.refresh_from_db()
    assert invoice.amount_total == D("453.75")
    return invoice


def pay(document, amount, user):
    inv.invoice_register_payment(invoice=document, amount=D(amount), date=TODAY, user=user)
    document.refresh_from_db()


def credit(invoice, user, quantity=None):
    """A full credit note (quantity None) or a partial one of `quantity` hours on the line."""
    lines = None
    if quantity is not None:
        lines = [{"invoice_line": invoice.lines.get().pk, "quantity": D(quantity)}]
    note = inv.invoice_credit_note(invoice=invoice, user=user, lines=lines)
    invoice.refresh_from_db()
    note.refresh_from_db()
    return note


def figures(document):
    return (document.payment_state, document.amount_due)


# paid before | credit | invoice after | credit note after | credit note after the refund
CASES = [
    ("0", FULL, ("reversed", D("0")), ("paid", D("0")), None),
    ("0", PARTIAL, ("partial", D("363.00")), ("paid", D("0")), None),
    ("200.00", FULL, ("paid", D("0")), ("partial", D("200.00")), ("paid", D("0"))),
    ("200.00", PARTIAL, ("partial", D("163.00")), ("paid", D("0")), None),
    ("400.00", PARTIAL, ("paid", D("0")), ("partial", D("37.00")), ("paid", D("0"))),
    ("453.75", FULL, ("paid", D("0")), ("not_paid", D("453.75")), ("paid", D("0"))),
    ("453.75", PARTIAL, ("paid", D("0")), ("not_paid", D("90.75")), ("paid", D("0"))),
]


@pytest.mark.parametrize(("paid", "kind", "invoice_after", "credit_after", "after_refund"), CASES)
def test_credit_note_cases(billed, accountant, paid, kind, invoice_after, credit_after, after_refund):
    """A partial credit note here credits 0.75 h: 75.00 + 15.75 tax = 90.75."""
    if D(paid):
        pay(billed, paid, accountant)
    note = credit(billed, accountant, None if kind == FULL else "0.75")

    assert note.amount_total == (D("453.75") if kind == FULL else D("90.75"))
    assert (note.state, note.number.startswith("RINV/")) == ("posted", True)
    assert figures(billed) == invoice_after
    assert figures(note) == credit_after
    assert billed.amount_settled == note.amount_settled
    if after_refund is None:
        with pytest.raises(DomainError, match="more than the amount due"):
            pay(note, "0.01", accountant)
        return
    pay(note, note.amount_due, accountant)  # the refund
    assert figures(note) == after_refund
    assert figures(billed) == invoice_after


def test_a_full_credit_releases_every_timesheet_line_and_restores_to_invoice(billed, accountant):
    line = billed.lines.get().sale_line
    credit(billed, accountant)
    line.refresh_from_db()
    assert not TimesheetLine.objects.filter(invoice__isnull=False).exists()
    assert (line.qty_invoiced, line.qty_to_invoice, line.invoice_status) == (D("0"), D("3.75"), "to_invoice")


def test_a_partial_credit_releases_only_the_timesheet_lines_it_credits(billed, accountant):
    line = billed.lines.get().sale_line
    credit(billed, accountant, "0.75")
    line.refresh_from_db()
    released = TimesheetLine.objects.filter(invoice__isnull=True)
    assert [(t.date.day, t.hours) for t in released] == [(20, D("0.75"))]
    assert TimesheetLine.objects.filter(invoice=billed).count() == 2
    assert (line.qty_invoiced, line.qty_to_invoice) == (D("3"), D("0.75"))

    # Crediting the rest, line by line, releases the rest and reverses the unpaid invoice.
    credit(billed, accountant, "3")
    assert not TimesheetLine.objects.filter(invoice__isnull=False).exists()
    assert figures(billed) == ("reversed", D("0"))


def test_never_more_than_not_yet_credited_and_no_second_full_credit(billed, accountant):
    credit(billed, accountant, "1")
    with pytest.raises(ConflictError, match="already credited"):
        credit(billed, accountant)
    with pytest.raises(DomainError, match="at most 2.75 can still be credited") as refused:
        credit(billed, accountant, "3")
    assert refused.value.field == "lines[0].quantity"
    with pytest.raises(DomainError) as zero:
        credit(billed, accountant, "0")
    assert zero.value.field == "lines[0].quantity"
    with pytest.raises(DomainError, match="no such line"):
        inv.invoice_credit_note(invoice=billed, user=accountant, lines=[{"invoice_line": 0, "quantity": 1}])
    assert Invoice.objects.filter(kind="credit_note").count() == 1


def test_a_credit_note_cannot_be_credited(billed, accountant):
    note = credit(billed, accountant, "1")
    with pytest.raises(ConflictError, match="cannot be credited"):
        inv.invoice_credit_note(invoice=note, user=accountant)


def test_lists_totals_and_export_show_credit_notes_negative(billed, accountant, make_order, client):
    credit(billed, accountant)  # 453.75 credited: nothing due on either
    second = inv.invoice_create_from_order(order=billed.order, user=accountant, period_start=None)
    second.refresh_from_db()
    inv.invoice_post(invoice=second, user=accountant)
    client.force_login(accountant)

    page = client.get(reverse("invoicing:invoice_list"))
    totals = page.context["totals"]
    assert (totals["untaxed"], totals["total"], totals["due"]) == (D("375.00"), D("453.75"), D("453.75"))
    assert "-453.75" in page.content.decode().replace(",", "")

    export = client.get(reverse("invoicing:invoice_export"))
    rows = {row["kind"]: row for row in csv.DictReader(io.StringIO(export.content.decode()))}
    note = rows["credit_note"]
    assert (note["untaxed"], note["total"], note["settled"], note["due"]) == (
        "-375.00",
        "-453.75",
        "-453.75",
        "0.00",
    )


def test_the_api_answers_signed_totals_and_takes_partial_credit_notes(billed, accountant, api_as):
    api = api_as(accountant)
    line_id = billed.lines.get().pk
    url = f"/api/v1/invoices/{billed.pk}/credit_note/"

    too_much = api.post(url, {"lines": [{"invoice_line": line_id, "quantity": "4"}]}, format="json")
    assert too_much.status_code == 400 and "lines[0].quantity" in too_much.json()

    answer = api.post(url, {"lines": [{"invoice_line": line_id, "quantity": "0.75"}]}, format="json")
    assert answer.status_code == 201
    body = answer.json()
    assert (body["kind"], body["amount_total"], body["amount_total_signed"]) == (
        "credit_note",
        "90.75",
        "-90.75",
    )
    assert (body["payment_state"], body["amount_due"]) == ("paid", "0.00")
    assert body["lines"][0]["quantity"] == "0.75"

    assert api.post(url, format="json").status_code == 409  # no second full credit
    invoice = api.get(f"/api/v1/invoices/{billed.pk}/").json()
    assert (invoice["amount_total_signed"], invoice["payment_state"], invoice["amount_due"]) == (
        "453.75",
        "partial",
        "363.00",
    )


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(text.split())


def test_the_credit_note_pdf_says_what_it_credits_and_asks_no_payment(billed, accountant, tmp_path):
    note = credit(billed, accountant, "0.75")
    text = pdf_text(invoice_pdf_bytes(invoice=note), tmp_path)
    assert f"Credit note for {billed.number}" in text
    assert note.number in text
    for words in ("please pay", "payment terms", "due date"):  # labels are printed in capitals
        assert words not in text.lower()
    invoice_text = pdf_text(invoice_pdf_bytes(invoice=billed), tmp_path).lower()
    assert "please pay" in invoice_text and "payment terms" in invoice_text


def test_the_partial_credit_note_dialog(billed, accountant, client):
    client.force_login(accountant)
    detail = client.get(reverse("invoicing:invoice_detail", args=[billed.pk])).content.decode()
    url = reverse("invoicing:invoice_credit_note_partial", args=[billed.pk])
    assert url in detail and "Full credit note" in detail

    dialog = client.get(url, headers=HX).content.decode()
    field = f"qty_{billed.lines.get().pk}"
    assert 'class="modal-backdrop"' in dialog and f'name="{field}"' in dialog

    refused = client.post(url, {field: "5"}, headers=HX)
    assert refused.status_code == 200 and "at most 3.75 can still be credited" in refused.content.decode()
    assert not Invoice.objects.filter(kind="credit_note").exists()

    issued = client.post(url, {field: "0.75"}, headers=HX)
    note = Invoice.objects.get(kind="credit_note")
    assert issued.status_code == 200 and issued["HX-Redirect"] == reverse(
        "invoicing:invoice_detail", args=[note.pk]
    )

    detail = client.get(reverse("invoicing:invoice_detail", args=[billed.pk])).content.decode()
    assert "Full credit note" not in detail and url in detail  # the rest, line by line
    note_page = client.get(reverse("invoicing:invoice_detail", args=[note.pk])).content.decode()
    assert "Register refund" not in note_page  # it settled the invoice: nothing to refund
