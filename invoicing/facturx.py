"""Factur-X (EN 16931 profile) CII XML of an invoice, and its embedding into a PDF.

The XML is built with lxml from the stored invoice rows (never recomputed rules): header,
seller and buyer, one trade line item per product line (sections skipped), the billing
period (header and per line), taxes grouped by rate, totals, payment means and terms.
"""

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import facturx
from django.conf import settings
from lxml import etree

from core.money import ZERO, format_qty, quantize_exact_qty, quantize_money

from .models import Invoice, InvoiceLine
from .peppol.categories import line_vat_category

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
EN16931_GUIDELINE = "urn:cen.eu:en16931:2017"
# UN/ECE Recommendation 20 codes of our standard units; other units count as "one" (C62).
UNIT_CODES = {"hours": "HUR", "hour": "HUR", "days": "DAY", "day": "DAY", "units": "C62", "unit": "C62"}


def _q(prefix: str, tag: str) -> str:
    return f"{{{NS[prefix]}}}{tag}"


def _sub(parent, tag: str, text=None, **attrib):
    prefix, name = tag.split(":")
    el = etree.SubElement(parent, _q(prefix, name), **attrib)
    if text is not None:
        el.text = str(text)
    return el


def _date(parent, tag: str, value: date, inner: str = "udt:DateTimeString"):
    wrapper = _sub(parent, tag)
    _sub(wrapper, inner, value.strftime("%Y%m%d"), format="102")
    return wrapper


def _amount(value) -> str:
    return str(quantize_money(value))


def _qty(value) -> str:
    # Exact, as stored (0.00625 Week): the line amount is computed from this quantity.
    return format_qty(quantize_exact_qty(value))


def _rate(value) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def unit_code(uom) -> str:
    if uom is None:
        return "C62"
    return UNIT_CODES.get(uom.name.strip().lower(), "C62")


def _party(parent, tag: str, *, name, street="", zip_code="", city="", country="", vat="", email=""):
    party = _sub(parent, tag)
    _sub(party, "ram:Name", name)
    address = _sub(party, "ram:PostalTradeAddress")
    if zip_code:
        _sub(address, "ram:PostcodeCode", zip_code)
    if street:
        _sub(address, "ram:LineOne", street)
    if city:
        _sub(address, "ram:CityName", city)
    _sub(address, "ram:CountryID", (country or "BE").upper())
    if email:
        uri = _sub(party, "ram:URIUniversalCommunication")
        _sub(uri, "ram:URIID", email, schemeID="EM")
    if vat:
        reg = _sub(party, "ram:SpecifiedTaxRegistration")
        _sub(reg, "ram:ID", vat, schemeID="VA")
    return party


def _line_figures(line: InvoiceLine, sign: int) -> tuple[Decimal, Decimal, Decimal]:
    """(quantity, net unit price ≥ 0, line total) of a line, in the document's sign."""
    quantity = Decimal(line.quantity) * sign
    price = Decimal(line.price_unit)
    subtotal = Decimal(line.subtotal) * sign
    if price < 0:  # EN 16931 wants a non-negative net price: carry the sign on the quantity.
        price, quantity = -price, -quantity
    if line.discount:
        price = price * (1 - Decimal(line.discount) / 100)
    return quantity, price.quantize(Decimal("0.0001")), subtotal


@dataclass(frozen=True)
class _Document:
    """What every part of the XML reads: the invoice, its product lines and the document's sign."""

    invoice: Invoice
    customer: object
    product_lines: list[InvoiceLine]
    is_credit: bool
    # A credit note is written with positive amounts and type 381, whatever sign we store.
    sign: int
    company: dict
    currency: str

    @classmethod
    def of(cls, invoice: Invoice, lines: list[InvoiceLine]) -> "_Document":
        is_credit = invoice.kind == Invoice.Kind.CREDIT_NOTE
        return cls(
            invoice=invoice,
            customer=invoice.customer,
            product_lines=[ln for ln in lines if ln.display_type == InvoiceLine.DisplayType.PRODUCT],
            is_credit=is_credit,
            sign=-1 if is_credit and invoice.amount_total < 0 else 1,
            company=settings.COMPANY,
            currency=getattr(settings, "CURRENCY", "EUR"),
        )


def invoice_facturx_xml(invoice: Invoice, lines: list[InvoiceLine] | None = None) -> bytes:
    """The CII XML (Factur-X EN 16931) of a numbered invoice or credit note."""
    if lines is None:
        lines = list(invoice.lines.select_related("uom").all())
    doc = _Document.of(invoice, lines)
    root = etree.Element(_q("rsm", "CrossIndustryInvoice"), nsmap=NS)
    _exchanged_document(root, doc)
    transaction = _sub(root, "rsm:SupplyChainTradeTransaction")
    for index, line in enumerate(doc.product_lines, start=1):
        _trade_line_item(transaction, index, line, doc)
    _header_agreement(transaction, doc)
    _sub(transaction, "ram:ApplicableHeaderTradeDelivery")
    _header_settlement(transaction, doc)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _exchanged_document(root, doc: _Document) -> None:
    """The guideline (EN 16931), then the document's number, type and issue date."""
    context = _sub(root, "rsm:ExchangedDocumentContext")
    guideline = _sub(context, "ram:GuidelineSpecifiedDocumentContextParameter")
    _sub(guideline, "ram:ID", EN16931_GUIDELINE)
    invoice = doc.invoice
    document = _sub(root, "rsm:ExchangedDocument")
    _sub(document, "ram:ID", invoice.number or f"DRAFT-{invoice.pk}")
    _sub(document, "ram:TypeCode", "381" if doc.is_credit else "380")
    _date(document, "ram:IssueDateTime", invoice.invoice_date or date.today())


def _billing_period(parent, start: date | None, end: date | None) -> None:
    """The period billed (of a line or of the whole document), when there is one."""
    if not (start or end):
        return
    period = _sub(parent, "ram:BillingSpecifiedPeriod")
    if start:
        _date(period, "ram:StartDateTime", start)
    if end:
        _date(period, "ram:EndDateTime", end)


def _trade_line_item(transaction, index: int, line: InvoiceLine, doc: _Document) -> None:
    """One product line: its name, net price, quantity, VAT category, period and total."""
    quantity, price, subtotal = _line_figures(line, doc.sign)
    item = _sub(transaction, "ram:IncludedSupplyChainTradeLineItem")
    line_document = _sub(item, "ram:AssociatedDocumentLineDocument")
    _sub(line_document, "ram:LineID", index)
    product = _sub(item, "ram:SpecifiedTradeProduct")
    _sub(product, "ram:Name", (line.description or "Line")[:500])
    agreement = _sub(item, "ram:SpecifiedLineTradeAgreement")
    net = _sub(agreement, "ram:NetPriceProductTradePrice")
    _sub(net, "ram:ChargeAmount", price)
    delivery = _sub(item, "ram:SpecifiedLineTradeDelivery")
    _sub(delivery, "ram:BilledQuantity", _qty(quantity), unitCode=unit_code(line.uom))
    settlement = _sub(item, "ram:SpecifiedLineTradeSettlement")
    tax = _sub(settlement, "ram:ApplicableTradeTax")
    _sub(tax, "ram:TypeCode", "VAT")
    _sub(tax, "ram:CategoryCode", line_vat_category(line, doc.customer).code)
    _sub(tax, "ram:RateApplicablePercent", _rate(line.tax_rate))
    _billing_period(settlement, line.period_start, line.period_end)
    summation = _sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _sub(summation, "ram:LineTotalAmount", _amount(subtotal))


def _header_agreement(transaction, doc: _Document) -> None:
    """The buyer's reference, the seller and the buyer, and the order invoiced."""
    invoice, company, customer = doc.invoice, doc.company, doc.customer
    agreement = _sub(transaction, "ram:ApplicableHeaderTradeAgreement")
    if invoice.order_id and invoice.order.client_reference:
        _sub(agreement, "ram:BuyerReference", invoice.order.client_reference)
    _party(
        agreement,
        "ram:SellerTradeParty",
        name=company.get("name", ""),
        street=company.get("address", ""),
        country=company.get("country", "BE"),
        vat=company.get("vat", ""),
        email=company.get("email", ""),
    )
    _party(
        agreement,
        "ram:BuyerTradeParty",
        name=customer.name,
        street=customer.street,
        zip_code=customer.zip,
        city=customer.city,
        country=customer.country,
        vat=customer.vat,
        email=customer.email,
    )
    if invoice.order_id:
        seller_order = _sub(agreement, "ram:SellerOrderReferencedDocument")
        _sub(seller_order, "ram:IssuerAssignedID", invoice.order.name)


def _header_settlement(transaction, doc: _Document) -> None:
    """How to pay, the taxes, the period, the terms, the totals and (credit notes) the invoice credited."""
    invoice = doc.invoice
    settlement = _sub(transaction, "ram:ApplicableHeaderTradeSettlement")
    _sub(settlement, "ram:PaymentReference", payment_reference(invoice))
    _sub(settlement, "ram:InvoiceCurrencyCode", doc.currency)
    if doc.company.get("iban") and not doc.is_credit:
        means = _sub(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _sub(means, "ram:TypeCode", "58")  # SEPA credit transfer
        account = _sub(means, "ram:PayeePartyCreditorFinancialAccount")
        _sub(account, "ram:IBANID", doc.company["iban"].replace(" ", ""))
    _tax_breakdown(settlement, doc)
    _billing_period(settlement, invoice.period_start, invoice.period_end)
    terms = _sub(settlement, "ram:SpecifiedTradePaymentTerms")
    _sub(terms, "ram:Description", payment_terms_text(invoice))
    if invoice.due_date:
        _date(terms, "ram:DueDateDateTime", invoice.due_date)
    _monetary_summation(settlement, doc)
    if doc.is_credit and invoice.reversed_invoice_id and invoice.reversed_invoice.number:
        ref = _sub(settlement, "ram:InvoiceReferencedDocument")
        _sub(ref, "ram:IssuerAssignedID", invoice.reversed_invoice.number)


def _tax_groups(doc: _Document) -> OrderedDict[tuple[str, str, str, str], list[Decimal]]:
    """(category, rate, reason, reason code) → [basis, tax], in order of first appearance."""
    # VAT categories as in the Peppol UBL (peppol.categories): S, Z, E, AE with its reason...
    groups: OrderedDict[tuple[str, str, str, str], list[Decimal]] = OrderedDict()
    for line in doc.product_lines:
        category = line_vat_category(line, doc.customer)
        key = (category.code, _rate(line.tax_rate), category.reason, category.reason_code)
        basis, amount = groups.setdefault(key, [ZERO, ZERO])
        groups[key] = [
            basis + Decimal(line.subtotal) * doc.sign,
            amount + Decimal(line.tax_amount) * doc.sign,
        ]
    if not groups:
        groups[("Z", "0.00", "", "")] = [ZERO, ZERO]
    return groups


def _tax_breakdown(settlement, doc: _Document) -> None:
    """One ApplicableTradeTax per VAT category and rate."""
    for (category, rate, reason, reason_code), (basis, amount) in _tax_groups(doc).items():
        tax = _sub(settlement, "ram:ApplicableTradeTax")
        _sub(tax, "ram:CalculatedAmount", _amount(amount))
        _sub(tax, "ram:TypeCode", "VAT")
        if reason:
            _sub(tax, "ram:ExemptionReason", reason)
        _sub(tax, "ram:BasisAmount", _amount(basis))
        _sub(tax, "ram:CategoryCode", category)
        if reason_code:
            _sub(tax, "ram:ExemptionReasonCode", reason_code)
        _sub(tax, "ram:RateApplicablePercent", rate)


def _monetary_summation(settlement, doc: _Document) -> None:
    """The document totals, from the stored rows, in the document's sign."""
    sign, invoice = doc.sign, doc.invoice
    line_total = sum((Decimal(ln.subtotal) * sign for ln in doc.product_lines), ZERO)
    tax_total = sum((Decimal(ln.tax_amount) * sign for ln in doc.product_lines), ZERO)
    grand_total = Decimal(invoice.amount_total) * sign
    summation = _sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _sub(summation, "ram:LineTotalAmount", _amount(line_total))
    _sub(summation, "ram:TaxBasisTotalAmount", _amount(Decimal(invoice.amount_untaxed) * sign))
    _sub(summation, "ram:TaxTotalAmount", _amount(tax_total), currencyID=doc.currency)
    _sub(summation, "ram:GrandTotalAmount", _amount(grand_total))
    _sub(summation, "ram:TotalPrepaidAmount", _amount(ZERO))
    _sub(summation, "ram:DuePayableAmount", _amount(grand_total))


def payment_reference(invoice: Invoice) -> str:
    """The reference the customer quotes when paying: the structured one if set, else the number."""
    return invoice.payment_reference or invoice.number or f"Draft {invoice.pk}"


def payment_terms_text(invoice: Invoice) -> str:
    if invoice.invoice_date and invoice.due_date:
        days = (invoice.due_date - invoice.invoice_date).days
        if days <= 0:
            return "Payable immediately"
        return f"{days} days net"
    return f"{invoice.customer.payment_term_days} days net"


def check_xml(xml: bytes) -> None:
    """Validate against the EN 16931 XSD the factur-x library ships (raises on error)."""
    facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")


def embed_facturx(pdf: bytes, xml: bytes, *, title: str, author: str) -> bytes:
    """The PDF with the XML attached as factur-x.xml (PDF/A-3 associated file)."""
    return facturx.generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        pdf_metadata={"author": author, "keywords": "Factur-X, Invoice", "title": title, "subject": title},
        lang="en-US",
    )
