"""The Factur-X (CII) XML of known documents, byte for byte.

Built from unsaved rows (no database): an invoice with a billed period, a discount, a section, a
down-payment deduction, two tax rates and an exempt line; a credit note of it; a draft without
dates. The expected files under `golden/` were written by the code before it was split into
steps; a refactor must leave them unchanged. Regenerate only for an intended change of output:
`DJANGO_SETTINGS_MODULE=config.settings python -c "import django; django.setup();
from tests.invoicing.peppol.test_facturx_golden import write_golden; write_golden()"`, then review the diff.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings

from invoicing.facturx import check_xml, invoice_facturx_xml
from invoicing.models import Invoice, InvoiceLine
from sales.models import Customer, Order, Tax, Uom

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_NAMES = [
    "facturx_invoice.xml",
    "facturx_credit_note.xml",
    "facturx_credit_note_negative.xml",
    "facturx_draft.xml",
]
COMPANY = {
    "name": "Golden Services SRL",
    "address": "Avenue Louise 54, 1050 Brussels",
    "country": "BE",
    "vat": "BE0123456749",
    "email": "billing@golden.example",
    "iban": "BE68 5390 0754 7034",
}


def _taxes() -> dict[str, Tax]:
    return {
        "21": Tax(pk=1, name="VAT 21%", rate=Decimal("21.000")),
        "6": Tax(pk=2, name="VAT 6%", rate=Decimal("6.000")),
        "exempt": Tax(
            pk=3,
            name="Exempt art. 44",
            rate=Decimal("0.000"),
            vat_category=Tax.VatCategory.EXEMPT,
            exemption_reason_code="VATEX-EU-132",
            exemption_reason="Exempt under article 44 of the Belgian VAT Code",
        ),
    }


def _line(sequence, description, quantity, price, tax, *, uom=None, discount="0", **extra) -> InvoiceLine:
    rate = tax.rate if tax else Decimal("0.000")
    subtotal = (Decimal(quantity) * Decimal(price) * (1 - Decimal(discount) / 100)).quantize(Decimal("0.01"))
    tax_amount = (subtotal * rate / 100).quantize(Decimal("0.01"))
    return InvoiceLine(
        pk=sequence,
        sequence=sequence,
        description=description,
        quantity=Decimal(quantity),
        uom=uom,
        price_unit=Decimal(price),
        discount=Decimal(discount),
        tax=tax,
        tax_rate=rate,
        subtotal=subtotal,
        tax_amount=tax_amount,
        total=subtotal + tax_amount,
        **extra,
    )


def _invoice(kind=Invoice.Kind.INVOICE, **fields) -> tuple[Invoice, list[InvoiceLine]]:
    taxes = _taxes()
    hours = Uom(pk=1, name="Hours")
    units = Uom(pk=2, name="Units")
    weeks = Uom(pk=3, name="Week")
    customer = Customer(
        pk=5,
        name="Brasserie Dupont SRL",
        street="Rue de la Loi 16",
        zip="1000",
        city="Brussels",
        country="BE",
        vat="BE0456712328",
        email="ap@dupont.example",
        payment_term_days=15,
    )
    order = Order(pk=7, name="S00007", customer=customer, client_reference="PO-2026-17")
    lines = [
        _line(
            10,
            "Support hours",
            "12.5",
            "85.00",
            taxes["21"],
            uom=hours,
            period_start=datetime.date(2026, 10, 1),
            period_end=datetime.date(2026, 10, 31),
        ),
        _line(20, "Licence", "3", "120.00", taxes["21"], uom=units, discount="10"),
        _line(30, "Training manual", "2", "45.50", taxes["6"], uom=units),
        _line(40, "Part-time consultant", "0.00625", "4000.00", taxes["21"], uom=weeks),
        _line(50, "Medical training", "1", "300.00", taxes["exempt"], uom=units),
        InvoiceLine(
            pk=60, sequence=60, description="Down payments", display_type=InvoiceLine.DisplayType.SECTION
        ),
        _line(70, "Down payment of 10 %", "-1", "100.00", taxes["21"], uom=units, is_downpayment=True),
    ]
    product = [ln for ln in lines if ln.display_type == InvoiceLine.DisplayType.PRODUCT]
    untaxed = sum((ln.subtotal for ln in product), Decimal("0.00"))
    tax = sum((ln.tax_amount for ln in product), Decimal("0.00"))
    values = {
        "pk": 42,
        "number": "INV/2026/00042",
        "kind": kind,
        "customer": customer,
        "order": order,
        "state": Invoice.State.POSTED,
        "invoice_date": datetime.date(2026, 11, 23),
        "due_date": datetime.date(2026, 12, 23),
        "period_start": datetime.date(2026, 10, 1),
        "period_end": datetime.date(2026, 10, 31),
        "payment_reference": "+++090/9337/55493+++",
        "amount_untaxed": untaxed,
        "amount_tax": tax,
        "amount_total": untaxed + tax,
        **fields,
    }
    return Invoice(**values), lines


def golden_documents() -> dict[str, bytes]:
    """Each golden file's name and the XML the code writes for its document."""
    invoice, lines = _invoice()
    credit, credit_lines = _invoice(
        Invoice.Kind.CREDIT_NOTE,
        pk=43,
        number="CN/2026/00003",
        reversed_invoice=invoice,
        period_start=None,
        period_end=None,
        payment_reference="",
    )
    negative_credit, negative_lines = _invoice(Invoice.Kind.CREDIT_NOTE, pk=44, number="CN/2026/00004")
    negative_credit.amount_total = -negative_credit.amount_total
    negative_credit.amount_untaxed = -negative_credit.amount_untaxed
    for line in negative_lines:
        line.subtotal, line.tax_amount = -line.subtotal, -line.tax_amount
    draft, _ = _invoice(
        pk=45, number=None, order=None, state=Invoice.State.DRAFT, invoice_date=datetime.date(2026, 11, 2)
    )
    draft.due_date = None
    draft_lines = [_line(10, "", "1", "50.00", None)]
    with override_settings(COMPANY=COMPANY, CURRENCY="EUR"):
        return {
            "facturx_invoice.xml": invoice_facturx_xml(invoice, lines),
            "facturx_credit_note.xml": invoice_facturx_xml(credit, credit_lines),
            "facturx_credit_note_negative.xml": invoice_facturx_xml(negative_credit, negative_lines),
            "facturx_draft.xml": invoice_facturx_xml(draft, draft_lines),
        }


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_facturx_xml_is_byte_for_byte_the_golden_file(name):
    written = golden_documents()[name]
    assert written == (GOLDEN / name).read_bytes()


def test_the_golden_invoice_passes_the_en16931_schema():
    check_xml(golden_documents()["facturx_invoice.xml"])


def write_golden() -> None:
    """Rewrite the golden files (intended output changes only)."""
    GOLDEN.mkdir(exist_ok=True)
    for file_name, xml in golden_documents().items():
        (GOLDEN / file_name).write_bytes(xml)
