"""The EN 16931 VAT category of each invoice line: from the tax, and from the customer."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from sales.identifiers import EU_COUNTRIES
from sales.models import Tax

# Default exemption reasons (VATEX codes of the CEF code list) per category.
DEFAULT_REASONS = {
    "AE": ("VATEX-EU-AE", "Reverse charge"),
    "K": ("VATEX-EU-IC", "Intra-Community supply"),
    "G": ("VATEX-EU-G", "Export outside the EU"),
    "O": ("VATEX-EU-O", "Not subject to VAT"),
    "E": ("", "Exempt from VAT"),
}
NEEDS_REASON = frozenset(DEFAULT_REASONS)


@dataclass(frozen=True)
class VatCategory:
    code: str
    rate: Decimal
    reason_code: str = ""
    reason: str = ""

    @property
    def percent(self) -> str | None:
        """The rate as UBL writes it ("21", "6", "0"); category O carries no rate."""
        if self.code == "O":
            return None
        text = f"{self.rate.normalize():f}"
        return text if "." not in text else text.rstrip("0").rstrip(".")


def is_other_eu_country(customer) -> bool:
    """A customer in another EU member state: untaxed services to it are reverse charged (AE),
    which needs its VAT number (checked before posting)."""
    company_country = settings.COMPANY.get("country", "BE").upper()
    country = (customer.country or "").upper()
    return country in EU_COUNTRIES and country != company_country


def line_vat_category(line, customer) -> VatCategory:
    """Standard when the line is taxed; zero-rated, or reverse charged for an EU business abroad,
    when it is not; what the tax says when it names a category."""
    rate = Decimal(line.tax_rate or 0)
    tax = line.tax
    code = tax.vat_category if tax is not None else Tax.VatCategory.AUTO
    if not code:
        code = "S" if rate > 0 else ("AE" if is_other_eu_country(customer) else "Z")
    if code in ("S", "Z"):
        return VatCategory(code, rate)
    default_code, default_reason = DEFAULT_REASONS[code]
    reason_code = (tax.exemption_reason_code if tax is not None else "") or default_code
    reason = (tax.exemption_reason if tax is not None else "") or default_reason
    return VatCategory(code, rate, reason_code, reason)
