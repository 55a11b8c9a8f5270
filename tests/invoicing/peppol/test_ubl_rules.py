"""Every kind of document the portal posts passes the official Peppol BIS 3 rules: 0 fatal."""

from decimal import Decimal

import pytest
from lxml import etree

from core.money import line_subtotal, tax_amount
from invoicing import services as invoicing
from invoicing.models import Invoice, InvoiceLine, PeppolDocument
from invoicing.peppol.documents import peppol_xml_bytes
from tests.factories import CustomerFactory, uom
from tests.invoicing.peppol.conftest import line, valid_be_vat, with_documents

pytestmark = pytest.mark.django_db
NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


def stored_xml(invoice: Invoice) -> bytes:
    return peppol_xml_bytes(PeppolDocument.objects.get(invoice=invoice))


def assert_valid(rules, invoice: Invoice) -> etree._Element:
    xml = stored_xml(invoice)
    fatal = rules.fatal(xml)
    assert fatal == [], "\n".join(str(f) for f in fatal)
    return etree.fromstring(xml)


def texts(tree, path: str) -> list[str]:
    return [getattr(e, "text", e) for e in tree.xpath(path, namespaces=NS)]


def test_the_official_examples_pass_and_a_broken_total_fails(peppol_rules):
    from tests.invoicing.peppol.schematron import HERE

    example = (HERE / "peppol-bis-3" / "base-example.xml").read_bytes()
    assert peppol_rules.fatal(example) == []
    broken = example.replace(
        b'<cbc:PayableAmount currencyID="EUR">1656.25', b'<cbc:PayableAmount currencyID="EUR">1600.25'
    )
    assert broken != example
    assert "BR-CO-16" in {f.rule for f in peppol_rules.fatal(broken)}


def test_multi_rate_invoice_with_discount_and_units(peppol_rules, post_order, be_customer, taxes):
    invoice = post_order(
        be_customer,
        [
            line("Consulting", "12.50", "95.00", taxes["21"]),
            line("On-site day", "2", "640.00", taxes["21"], unit="Days", discount="12.5"),
            line("Printed manuals", "3", "19.99", taxes["6"], unit="Units"),
            line("Export documentation", "1", "80.00", taxes["0"], unit="Units"),
        ],
    )
    tree = assert_valid(peppol_rules, invoice)
    assert texts(tree, "//cac:InvoiceLine/cbc:InvoicedQuantity/@unitCode") == ["HUR", "DAY", "C62", "C62"]
    assert sorted(texts(tree, "//cac:TaxSubtotal/cac:TaxCategory/cbc:ID")) == ["S", "S", "Z"]
    assert texts(tree, "//cac:LegalMonetaryTotal/cbc:PayableAmount") == [str(invoice.amount_total)]
    assert texts(tree, "//cbc:InvoiceTypeCode") == ["380"]
    # The Belgian structured communication is the payment reference, and the seller/buyer ids are 0208.
    assert texts(tree, "//cac:PaymentMeans/cbc:PaymentID") == [invoice.payment_reference]
    assert invoice.payment_reference.startswith("+++") and invoice.payment_reference.endswith("+++")
    assert tree.xpath("//cac:AccountingCustomerParty//cbc:EndpointID/@schemeID", namespaces=NS) == ["0208"]
    assert texts(tree, "//cac:AccountingCustomerParty//cbc:EndpointID") == [
        be_customer.peppol_id.split(":")[1]
    ]
    # The PDF travels inside.
    pdf = tree.xpath("//cbc:EmbeddedDocumentBinaryObject", namespaces=NS)[0]
    assert pdf.get("mimeCode") == "application/pdf"


def test_exempt_and_standard_lines_carry_their_exemption_reason(peppol_rules, post_order, be_customer, taxes):
    invoice = post_order(
        be_customer,
        [
            line("Training (exempt)", "6", "110.00", taxes["exempt"]),
            line("Course books", "4", "25.00", taxes["6"]),
        ],
    )
    tree = assert_valid(peppol_rules, invoice)
    exempt = tree.xpath("//cac:TaxSubtotal/cac:TaxCategory[cbc:ID='E']", namespaces=NS)[0]
    assert exempt.findtext("cbc:TaxExemptionReasonCode", namespaces=NS) == "VATEX-EU-132"


def test_intra_eu_reverse_charge(peppol_rules, post_order, nl_customer):
    invoice = post_order(nl_customer, [line("Remote administration", "20", "85.00")])
    tree = assert_valid(peppol_rules, invoice)
    category = tree.xpath("//cac:TaxSubtotal/cac:TaxCategory", namespaces=NS)[0]
    assert category.findtext("cbc:ID", namespaces=NS) == "AE"
    assert category.findtext("cbc:TaxExemptionReasonCode", namespaces=NS) == "VATEX-EU-AE"
    # Not a Belgian customer: the document number is the payment reference.
    assert invoice.payment_reference == invoice.number


def test_zero_rated_invoice_without_vat(peppol_rules, post_order, be_customer, taxes):
    invoice = post_order(be_customer, [line("Donated hours", "5", "60.00", taxes["0"])])
    tree = assert_valid(peppol_rules, invoice)
    assert texts(tree, "//cac:TaxTotal/cbc:TaxAmount") == ["0.00"]


def test_full_and_partial_credit_notes(peppol_rules, post_order, be_customer, taxes, accountant_user):
    invoice = post_order(
        be_customer,
        [
            line("Consulting", "10", "95.00", taxes["21"]),
            line("Licences", "3", "40.00", taxes["6"], unit="Units"),
        ],
    )
    credit = with_documents(invoicing.invoice_credit_note(invoice=invoice, user=accountant_user))
    tree = assert_valid(peppol_rules, credit)
    assert etree.QName(tree).localname == "CreditNote"
    assert texts(tree, "//cbc:CreditNoteTypeCode") == ["381"]
    assert texts(tree, "//cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == [invoice.number]

    partial = partial_credit_note(invoice, accountant_user, keep_first=1, quantity=Decimal("4"))
    tree = assert_valid(peppol_rules, partial)
    assert texts(tree, "//cac:CreditNoteLine/cbc:CreditedQuantity") == ["4"]
    assert texts(tree, "//cac:LegalMonetaryTotal/cbc:PayableAmount") == ["459.80"]


def partial_credit_note(invoice, user, *, keep_first: int, quantity: Decimal) -> Invoice:
    """A credit note of part of an invoice's lines, posted through the service."""
    source = list(invoice.lines.order_by("sequence"))[:keep_first]
    credit = Invoice.objects.create(
        kind=Invoice.Kind.CREDIT_NOTE,
        customer=invoice.customer,
        order=invoice.order,
        reversed_invoice=invoice,
    )
    untaxed = tax = Decimal("0.00")
    for original in source:
        subtotal = line_subtotal(quantity, original.price_unit, original.discount)
        vat = tax_amount(subtotal, original.tax_rate)
        InvoiceLine.objects.create(
            invoice=credit,
            description=original.description,
            quantity=quantity,
            uom=original.uom,
            price_unit=original.price_unit,
            tax=original.tax,
            tax_rate=original.tax_rate,
            subtotal=subtotal,
            tax_amount=vat,
            total=subtotal + vat,
        )
        untaxed, tax = untaxed + subtotal, tax + vat
    Invoice.objects.filter(pk=credit.pk).update(
        amount_untaxed=untaxed, amount_tax=tax, amount_total=untaxed + tax
    )
    credit.refresh_from_db()
    return with_documents(invoicing.invoice_post(invoice=credit, user=user))


def test_down_payment_then_final_invoice_deducting_it(
    peppol_rules, post_order, be_customer, taxes, accountant_user
):
    from sales import services as sales

    order = sales.order_create(
        customer=be_customer,
        user=accountant_user,
        lines=[line("Migration project", "1", "4000.00", taxes["21"], unit="Units")],
    )
    sales.order_confirm(order=order, user=accountant_user)
    down = post_order(be_customer, [], order=order, method="down_payment_percent", amount=Decimal("30"))
    tree = assert_valid(peppol_rules, down)
    assert texts(tree, "//cbc:InvoiceTypeCode") == ["386"]
    final = post_order(be_customer, [], order=order)
    tree = assert_valid(peppol_rules, final)
    quantities = texts(tree, "//cac:InvoiceLine/cbc:InvoicedQuantity")
    assert any(q.startswith("-") for q in quantities), "the down payment is deducted by a negative line"
    assert texts(tree, "//cac:LegalMonetaryTotal/cbc:PayableAmount") == [str(final.amount_total)]


def test_five_hundred_line_invoice(peppol_rules, be_customer, taxes, accountant_user):
    invoice = Invoice.objects.create(customer=be_customer)
    rates = [taxes["21"], taxes["6"], taxes["0"]]
    lines = []
    for i in range(500):
        tax = rates[i % 3]
        quantity, price = (
            Decimal(f"{1 + i % 7}.{i % 100:02d}"),
            Decimal(f"{10 + i % 90}.{(i * 37) % 100:02d}"),
        )
        discount = Decimal("10") if i % 11 == 0 else Decimal("0")
        subtotal = line_subtotal(quantity, price, discount)
        vat = tax_amount(subtotal, tax.rate)
        lines.append(
            InvoiceLine(
                invoice=invoice,
                sequence=i,
                description=f"Work item {i}",
                quantity=quantity,
                uom=uom("Hours"),
                price_unit=price,
                discount=discount,
                tax=tax,
                tax_rate=tax.rate,
                subtotal=subtotal,
                tax_amount=vat,
                total=subtotal + vat,
            )
        )
    InvoiceLine.objects.bulk_create(lines)
    untaxed = sum(ln.subtotal for ln in lines)
    vat = sum(ln.tax_amount for ln in lines)
    Invoice.objects.filter(pk=invoice.pk).update(
        amount_untaxed=untaxed, amount_tax=vat, amount_total=untaxed + vat
    )
    invoice.refresh_from_db()
    with_documents(invoicing.invoice_post(invoice=invoice, user=accountant_user))
    tree = assert_valid(peppol_rules, invoice)
    assert len(tree.xpath("//cac:InvoiceLine", namespaces=NS)) == 500


def test_email_customer_gets_a_stored_document_that_is_not_sent(peppol_rules, post_order, taxes):
    customer = CustomerFactory(vat=valid_be_vat(1234567), country="BE")
    invoice = post_order(customer, [line("Consulting", "2", "95.00", taxes["21"])])
    document = PeppolDocument.objects.get(invoice=invoice)
    assert document.status == PeppolDocument.Status.NOT_SENT
    assert_valid(peppol_rules, invoice)


def test_the_factur_x_of_the_pdf_carries_the_same_vat_categories(post_order, nl_customer, taxes):
    """The PDF's embedded Factur-X (CII) says what the UBL says: reverse charge with its reason."""
    from invoicing.facturx import check_xml, invoice_facturx_xml

    invoice = post_order(nl_customer, [line("Remote administration", "20", "85.00")])
    xml = invoice_facturx_xml(invoice)
    check_xml(xml)  # the EN 16931 XSD the factur-x library ships
    cii = etree.fromstring(xml)
    ram = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}
    header = cii.xpath("//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=ram)[0]
    assert header.findtext("ram:CategoryCode", namespaces=ram) == "AE"
    assert header.findtext("ram:ExemptionReasonCode", namespaces=ram) == "VATEX-EU-AE"
    assert header.findtext("ram:ExemptionReason", namespaces=ram) == "Reverse charge"
    # ... and the PDF's tax table says it in words.
    from invoicing.documents import render_invoice_html

    assert "Reverse charge" in render_invoice_html(invoice=invoice)
