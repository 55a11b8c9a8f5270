"""The invoice PDF: content read back with pdftotext, embedded Factur-X, stored once, served identical."""

import datetime
import hashlib
import subprocess
from decimal import Decimal

import facturx
import pytest
from lxml import etree

from invoicing import documents
from invoicing.facturx import invoice_facturx_xml
from invoicing.models import Invoice
from tests.factories import InvoiceLineFactory, TimesheetLineFactory, invoice_with_lines

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "invoice.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_posted_invoice_pdf_shows_number_customer_lines_totals_and_timesheet_appendix(tmp_path, settings):
    invoice = invoice_with_lines()
    data = documents.invoice_pdf_bytes(invoice=invoice)
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    assert "INV/2026/00042" in text
    assert "Globex Corporation" in text
    assert settings.COMPANY["name"] in text and settings.COMPANY["iban"] in text
    assert "Service on Timesheets" in text and "Prepaid support 10 h" in text
    assert "Service period 2026-11-01 – 2026-11-15" in text
    # One money format (core.display): thousand separators, two decimals, always the currency.
    assert "Untaxed amount" in text and "850.00 EUR" in text and "178.50 EUR" in text
    assert "Please pay 1,028.50 EUR" in " ".join(text.split())
    assert "2026-12-20" in text  # due date
    assert "Mail server migration" in text and "Backup restore test" in text
    assert "Ada Lovelace" in text and "3.50" in text  # appendix total hours
    assert "DRAFT" not in text


def test_draft_pdf_is_a_watermarked_preview_never_stored(tmp_path):
    invoice = invoice_with_lines(posted=False)
    data = documents.invoice_pdf_bytes(invoice=invoice)
    assert "DRAFT" in pdf_text(data, tmp_path)
    invoice.refresh_from_db()
    assert not invoice.pdf and not invoice.pdf_sha256


def test_posted_pdf_is_stored_once_and_served_byte_identical_with_its_sha256():
    invoice = invoice_with_lines()
    first = documents.invoice_pdf_bytes(invoice=invoice)
    invoice = Invoice.objects.get(pk=invoice.pk)
    second = documents.invoice_pdf_bytes(invoice=invoice)
    assert first == second
    assert invoice.pdf_sha256 == hashlib.sha256(first).hexdigest()
    assert invoice.pdf.name.endswith("INV-2026-00042.pdf")


def test_tampered_stored_pdf_is_refused_rather_than_served():
    invoice = invoice_with_lines()
    documents.invoice_pdf_bytes(invoice=invoice)
    invoice = Invoice.objects.get(pk=invoice.pk)
    with open(invoice.pdf.path, "ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(ValueError, match="SHA-256"):
        documents.invoice_pdf_bytes(invoice=invoice)


def test_embedded_facturx_xml_is_en16931_valid_and_carries_the_billing_period():
    invoice = invoice_with_lines()
    data = documents.invoice_pdf_bytes(invoice=invoice)
    filename, xml = facturx.get_facturx_xml_from_pdf(data, check_xsd=False)
    assert filename == "factur-x.xml"
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"
    tree = etree.fromstring(xml)
    ns = {
        "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
        "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    }
    assert tree.findtext(".//ram:GrandTotalAmount", namespaces=ns) == "1028.50"
    assert tree.findtext(".//ram:TaxBasisTotalAmount", namespaces=ns) == "850.00"
    header_period = tree.find(".//ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod", ns)
    assert header_period.findtext("ram:StartDateTime/udt:DateTimeString", namespaces=ns) == "20261101"
    assert header_period.findtext("ram:EndDateTime/udt:DateTimeString", namespaces=ns) == "20261115"
    assert len(tree.findall(".//ram:IncludedSupplyChainTradeLineItem", ns)) == 2


def test_facturx_xml_of_negative_down_payment_line_and_credit_note_is_schema_valid():
    invoice = invoice_with_lines()
    InvoiceLineFactory(
        invoice=invoice, sequence=9, display_type="section", description="Down payments", subtotal=0, total=0
    )
    InvoiceLineFactory(
        invoice=invoice,
        sequence=10,
        description="Down payment",
        quantity=Decimal("-1.00"),
        price_unit=Decimal("100.00"),
        subtotal=Decimal("-100.00"),
        total=Decimal("-100.00"),
        is_downpayment=True,
    )
    assert facturx.xml_check_xsd(invoice_facturx_xml(invoice), flavor="factur-x", level="en16931")
    credit = invoice_with_lines(
        number="RINV/2026/00001", kind=Invoice.Kind.CREDIT_NOTE, reversed_invoice=invoice
    )
    xml = invoice_facturx_xml(credit)
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xml


def test_company_logo_is_drawn_when_set(settings, tmp_path):
    logo = tmp_path / "logo.png"
    # A 1×1 PNG.
    logo.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8"
            "cfc0f01f0005000201a5f1b3cf0000000049454e44ae426082"
        )
    )
    settings.COMPANY = {**settings.COMPANY, "logo": str(logo)}
    invoice = invoice_with_lines()
    html = documents.render_invoice_html(invoice=invoice)
    assert f'src="{logo.as_uri()}"' in html
    assert documents.invoice_pdf_bytes(invoice=invoice).startswith(b"%PDF")


def test_email_task_skips_drafts_and_customers_without_email(mailoutbox):
    from invoicing.tasks import invoice_send_email_task

    assert invoice_send_email_task(invoice_with_lines(posted=False).pk) == "skipped"
    invoice = invoice_with_lines(number="INV/2026/00050")
    invoice.customer.email = ""
    invoice.customer.save()
    assert invoice_send_email_task(invoice.pk) == "skipped"
    assert mailoutbox == []


def test_long_appendix_is_a_fixed_width_listing_with_every_line_and_the_total(tmp_path, settings):
    settings.INVOICE_APPENDIX_TABLE_MAX_ROWS = 1  # the two lines of the fixture count as "long"
    invoice = invoice_with_lines()
    long_text = "Replaced the failing RAID controller " + "and rebuilt the array " * 6 + "END-OF-TEXT"
    first = invoice.timesheets.first()
    TimesheetLineFactory(
        date=first.date,
        employee=first.employee,
        project=first.project,
        sale_line=first.sale_line,
        invoice=invoice,
        description=long_text,
        hours=Decimal("4.25"),
    )
    html = documents.render_invoice_html(invoice=invoice)
    assert 'class="listing"' in html and "<table>" not in html.split("Appendix")[1]
    text = pdf_text(documents.invoice_pdf_bytes(invoice=invoice), tmp_path)
    appendix = text.split("Appendix")[1]
    assert "Mail server migration" in appendix and "Backup restore test" in appendix
    assert "Ada Lovelace" in appendix and "END-OF-TEXT" in appendix  # wrapped, nothing cut
    assert "Total hours" in appendix and "7.75" in appendix


def test_listing_pages_repeat_the_header_and_never_split_a_line():
    from types import SimpleNamespace

    from invoicing.appendix import LINES_PER_PAGE, appendix_pages

    rows = [
        SimpleNamespace(
            date=datetime.date(2026, 11, 1 + i % 28),
            employee="Ada Lovelace",
            description=("long words " * 15) if i % 10 == 0 else f"Task {i}",
            hours=Decimal("1.00"),
        )
        for i in range(300)
    ]
    pages = appendix_pages(rows, Decimal("300.00"))
    assert len(pages) > 4
    assert all(len(page) <= LINES_PER_PAGE and page[0].startswith("Date") for page in pages)
    dated = [line for page in pages for line in page if line[:4] == "2026"]
    assert len(dated) == 300
    # A wrapped description's continuation lines follow their first line on the same page.
    for page in pages:
        assert not page[2].startswith(" "), "a page never starts with a continuation line"
    assert pages[-1][-1].split() == ["Total", "hours", "300.00", "300.00"]  # actual, billed
