"""The Peppol BIS Billing 3.0 UBL Invoice / CreditNote of a posted invoice, built with lxml.

Every figure is read from the stored rows (lines, rates, amounts), never recomputed by other
rules: line amounts are the stored subtotals, VAT per category the sum of the stored line taxes,
and any difference between those sums and the stored total goes to the rounding amount.
"""

import base64
import re
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from lxml import etree

from core.money import ZERO, quantize_money
from sales.identifiers import belgian_enterprise_number, compact_vat, peppol_id_from_vat, split_peppol_id

from ..facturx import payment_terms_text, unit_code
from ..models import Invoice, InvoiceLine
from .categories import VatCategory, line_vat_category

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
ROOTS = {
    Invoice.Kind.INVOICE: "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    Invoice.Kind.CREDIT_NOTE: "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}
TYPE_INVOICE, TYPE_PREPAYMENT, TYPE_CREDIT_NOTE = "380", "386", "381"
PAYMENT_MEANS_CREDIT_TRANSFER = "30"


@dataclass
class Party:
    name: str
    street: str
    zip: str
    city: str
    country: str
    vat: str
    email: str
    peppol_id: str


def company_party() -> Party:
    """The seller, from settings.COMPANY (its address is one line: "street, zip city, country")."""
    company = settings.COMPANY
    parts = [p.strip() for p in company.get("address", "").split(",")]
    zip_code, city = "", ""
    if len(parts) > 1:
        match = re.fullmatch(r"(\S*\d\S*)\s+(.+)", parts[1])
        zip_code, city = (match.group(1), match.group(2)) if match else ("", parts[1])
    vat = compact_vat(company.get("vat", ""))
    return Party(
        name=company.get("name", ""),
        street=parts[0] if parts else "",
        zip=zip_code,
        city=city,
        country=company.get("country", "BE").upper(),
        vat=vat,
        email=company.get("email", ""),
        peppol_id=company.get("peppol_id") or peppol_id_from_vat(vat),
    )


def customer_party(customer) -> Party:
    vat = compact_vat(customer.vat)
    return Party(
        name=customer.name,
        street=customer.street,
        zip=customer.zip,
        city=customer.city,
        country=(customer.country or settings.COMPANY.get("country", "BE")).upper(),
        vat=vat,
        email=customer.email,
        peppol_id=customer.peppol_id or peppol_id_from_vat(vat),
    )


class _Writer:
    """Small helpers over one lxml tree (namespaces, amounts with their currency)."""

    def __init__(self, currency: str):
        self.currency = currency

    def el(self, parent, tag: str, text=None, **attrib):
        prefix, name = tag.split(":")
        element = etree.SubElement(parent, f"{{{CBC if prefix == 'cbc' else CAC}}}{name}", **attrib)
        if text is not None:
            element.text = str(text)
        return element

    def amount(self, parent, tag: str, value) -> None:
        self.el(parent, tag, str(quantize_money(value)), currencyID=self.currency)


def _quantity(value) -> str:
    return f"{Decimal(value).normalize():f}" if Decimal(value) != 0 else "0"


def _price(value: Decimal) -> str:
    """At most six decimals, at least two: a discounted net price keeps its precision."""
    text = f"{Decimal(value).quantize(Decimal('0.000001')).normalize():f}"
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def document_sign(invoice: Invoice) -> int:
    """Credit notes are written with positive amounts whatever sign is stored."""
    return -1 if invoice.kind == Invoice.Kind.CREDIT_NOTE and invoice.amount_total < 0 else 1


def product_lines(invoice: Invoice) -> list[InvoiceLine]:
    lines = invoice.lines.select_related("uom", "tax").order_by("sequence", "id")
    return [line for line in lines if line.display_type == InvoiceLine.DisplayType.PRODUCT]


def document_type_code(invoice: Invoice, lines: list[InvoiceLine]) -> str:
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        return TYPE_CREDIT_NOTE
    if lines and all(line.is_downpayment and line.subtotal > 0 for line in lines):
        return TYPE_PREPAYMENT
    return TYPE_INVOICE


def invoice_ubl_xml(invoice: Invoice, *, pdf: bytes | None = None, pdf_name: str = "") -> bytes:
    """The UBL document of a numbered invoice or credit note (optionally with its PDF inside)."""
    is_credit = invoice.kind == Invoice.Kind.CREDIT_NOTE
    w = _Writer(getattr(settings, "CURRENCY", "EUR"))
    lines = product_lines(invoice)
    sign = document_sign(invoice)
    categories = [line_vat_category(line, invoice.customer) for line in lines]
    root = etree.Element(
        f"{{{ROOTS[invoice.kind]}}}{'CreditNote' if is_credit else 'Invoice'}",
        nsmap={None: ROOTS[invoice.kind], "cac": CAC, "cbc": CBC},
    )
    _header(w, root, invoice, lines)
    if pdf:
        reference = w.el(root, "cac:AdditionalDocumentReference")
        w.el(reference, "cbc:ID", invoice.number)
        w.el(reference, "cbc:DocumentDescription", "Invoice PDF" if not is_credit else "Credit note PDF")
        attachment = w.el(reference, "cac:Attachment")
        w.el(
            attachment,
            "cbc:EmbeddedDocumentBinaryObject",
            base64.b64encode(pdf).decode("ascii"),
            mimeCode="application/pdf",
            filename=pdf_name or f"{invoice.number.replace('/', '-')}.pdf",
        )
    _party(w, w.el(root, "cac:AccountingSupplierParty"), company_party())
    _party(w, w.el(root, "cac:AccountingCustomerParty"), customer_party(invoice.customer))
    if any(category.code == "K" for category in categories):
        delivery = w.el(root, "cac:Delivery")
        w.el(delivery, "cbc:ActualDeliveryDate", invoice.invoice_date.isoformat())
        address = w.el(w.el(delivery, "cac:DeliveryLocation"), "cac:Address")
        w.el(w.el(address, "cac:Country"), "cbc:IdentificationCode", customer_party(invoice.customer).country)
    _payment(w, root, invoice)
    tax_total = _tax_total(w, root, lines, categories, sign)
    _monetary_total(w, root, invoice, lines, tax_total, sign)
    for index, (line, category) in enumerate(zip(lines, categories, strict=True), start=1):
        _line(w, root, index, line, category, sign, is_credit)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _header(w: _Writer, root, invoice: Invoice, lines: list[InvoiceLine]) -> None:
    is_credit = invoice.kind == Invoice.Kind.CREDIT_NOTE
    w.el(root, "cbc:CustomizationID", CUSTOMIZATION_ID)
    w.el(root, "cbc:ProfileID", PROFILE_ID)
    w.el(root, "cbc:ID", invoice.number)
    w.el(root, "cbc:IssueDate", invoice.invoice_date.isoformat())
    if invoice.due_date and not is_credit:
        w.el(root, "cbc:DueDate", invoice.due_date.isoformat())
    w.el(
        root,
        "cbc:CreditNoteTypeCode" if is_credit else "cbc:InvoiceTypeCode",
        document_type_code(invoice, lines),
    )
    w.el(root, "cbc:DocumentCurrencyCode", w.currency)
    order = invoice.order
    w.el(
        root,
        "cbc:BuyerReference",
        (order and order.client_reference) or (order and order.name) or invoice.number,
    )
    if invoice.period_start or invoice.period_end:
        period = w.el(root, "cac:InvoicePeriod")
        if invoice.period_start:
            w.el(period, "cbc:StartDate", invoice.period_start.isoformat())
        if invoice.period_end:
            w.el(period, "cbc:EndDate", invoice.period_end.isoformat())
    if order is not None:
        reference = w.el(root, "cac:OrderReference")
        w.el(reference, "cbc:ID", order.client_reference or "NA")
        w.el(reference, "cbc:SalesOrderID", order.name)
    credited = invoice.reversed_invoice
    if is_credit and credited is not None and credited.number:
        reference = w.el(w.el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        w.el(reference, "cbc:ID", credited.number)
        if credited.invoice_date:
            w.el(reference, "cbc:IssueDate", credited.invoice_date.isoformat())


def _party(w: _Writer, wrapper, party: Party) -> None:
    element = w.el(wrapper, "cac:Party")
    scheme, identifier = split_peppol_id(party.peppol_id)
    w.el(element, "cbc:EndpointID", identifier, schemeID=scheme)
    w.el(w.el(element, "cac:PartyName"), "cbc:Name", party.name)
    address = w.el(element, "cac:PostalAddress")
    if party.street:
        w.el(address, "cbc:StreetName", party.street)
    if party.city:
        w.el(address, "cbc:CityName", party.city)
    if party.zip:
        w.el(address, "cbc:PostalZone", party.zip)
    w.el(w.el(address, "cac:Country"), "cbc:IdentificationCode", party.country)
    if party.vat:
        tax_scheme = w.el(element, "cac:PartyTaxScheme")
        w.el(tax_scheme, "cbc:CompanyID", party.vat)
        w.el(w.el(tax_scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = w.el(element, "cac:PartyLegalEntity")
    w.el(legal, "cbc:RegistrationName", party.name)
    enterprise = belgian_enterprise_number(party.vat)
    if enterprise:
        w.el(legal, "cbc:CompanyID", enterprise, schemeID="0208")
    if party.email:
        w.el(w.el(element, "cac:Contact"), "cbc:ElectronicMail", party.email)


def _payment(w: _Writer, root, invoice: Invoice) -> None:
    iban = settings.COMPANY.get("iban", "").replace(" ", "")
    if iban and invoice.kind == Invoice.Kind.INVOICE:
        means = w.el(root, "cac:PaymentMeans")
        w.el(means, "cbc:PaymentMeansCode", PAYMENT_MEANS_CREDIT_TRANSFER, name="Credit transfer")
        w.el(means, "cbc:PaymentID", invoice.payment_reference or invoice.number)
        account = w.el(means, "cac:PayeeFinancialAccount")
        w.el(account, "cbc:ID", iban)
        w.el(account, "cbc:Name", settings.COMPANY.get("name", ""))
        bic = settings.COMPANY.get("bic", "")
        if bic:
            w.el(w.el(account, "cac:FinancialInstitutionBranch"), "cbc:ID", bic)
    w.el(w.el(root, "cac:PaymentTerms"), "cbc:Note", payment_terms_text(invoice))


def _tax_category(w: _Writer, parent, tag: str, category: VatCategory, *, with_reason: bool) -> None:
    element = w.el(parent, tag)
    w.el(element, "cbc:ID", category.code)
    if category.percent is not None:
        w.el(element, "cbc:Percent", category.percent)
    if with_reason and category.reason_code:
        w.el(element, "cbc:TaxExemptionReasonCode", category.reason_code)
    if with_reason and category.reason:
        w.el(element, "cbc:TaxExemptionReason", category.reason)
    w.el(w.el(element, "cac:TaxScheme"), "cbc:ID", "VAT")


def _tax_total(w: _Writer, root, lines, categories, sign: int) -> Decimal:
    groups: OrderedDict[VatCategory, list[Decimal]] = OrderedDict()
    for line, category in zip(lines, categories, strict=True):
        basis, amount = groups.setdefault(category, [ZERO, ZERO])
        groups[category] = [basis + line.subtotal * sign, amount + line.tax_amount * sign]
    if not groups:
        groups[VatCategory("Z", ZERO)] = [ZERO, ZERO]
    total = sum((amount for _, amount in groups.values()), ZERO)
    tax_total = w.el(root, "cac:TaxTotal")
    w.amount(tax_total, "cbc:TaxAmount", total)
    for category, (basis, amount) in groups.items():
        subtotal = w.el(tax_total, "cac:TaxSubtotal")
        w.amount(subtotal, "cbc:TaxableAmount", basis)
        w.amount(subtotal, "cbc:TaxAmount", amount)
        _tax_category(w, subtotal, "cac:TaxCategory", category, with_reason=True)
    return total


def _monetary_total(w: _Writer, root, invoice: Invoice, lines, tax_total: Decimal, sign: int) -> None:
    line_total = sum((line.subtotal * sign for line in lines), ZERO)
    tax_inclusive = line_total + tax_total
    payable = invoice.amount_total * sign
    totals = w.el(root, "cac:LegalMonetaryTotal")
    w.amount(totals, "cbc:LineExtensionAmount", line_total)
    w.amount(totals, "cbc:TaxExclusiveAmount", line_total)
    w.amount(totals, "cbc:TaxInclusiveAmount", tax_inclusive)
    if payable != tax_inclusive:
        w.amount(totals, "cbc:PayableRoundingAmount", payable - tax_inclusive)
    w.amount(totals, "cbc:PayableAmount", payable)


def _line(w: _Writer, root, index: int, line: InvoiceLine, category: VatCategory, sign: int, is_credit: bool):
    quantity, gross = Decimal(line.quantity) * sign, Decimal(line.price_unit)
    if gross < 0:  # EN 16931 wants a non-negative price: the sign goes on the quantity.
        gross, quantity = -gross, -quantity
    net = gross * (1 - Decimal(line.discount) / 100)
    element = w.el(root, "cac:CreditNoteLine" if is_credit else "cac:InvoiceLine")
    w.el(element, "cbc:ID", index)
    w.el(
        element,
        "cbc:CreditedQuantity" if is_credit else "cbc:InvoicedQuantity",
        _quantity(quantity),
        unitCode=unit_code(line.uom),
    )
    w.amount(element, "cbc:LineExtensionAmount", line.subtotal * sign)
    if line.period_start or line.period_end:
        period = w.el(element, "cac:InvoicePeriod")
        if line.period_start:
            w.el(period, "cbc:StartDate", line.period_start.isoformat())
        if line.period_end:
            w.el(period, "cbc:EndDate", line.period_end.isoformat())
    item = w.el(element, "cac:Item")
    text = (line.description or "").strip() or "Line"
    first, _, rest = text.partition("\n")
    if rest.strip():
        w.el(item, "cbc:Description", text)
    w.el(item, "cbc:Name", first.strip()[:200] or "Line")
    _tax_category(w, item, "cac:ClassifiedTaxCategory", category, with_reason=False)
    price = w.el(element, "cac:Price")
    w.el(price, "cbc:PriceAmount", _price(net), currencyID=w.currency)
    if line.discount:
        allowance = w.el(price, "cac:AllowanceCharge")
        w.el(allowance, "cbc:ChargeIndicator", "false")
        w.el(allowance, "cbc:Amount", _price(gross - Decimal(_price(net))), currencyID=w.currency)
        w.el(allowance, "cbc:BaseAmount", _price(gross), currencyID=w.currency)
