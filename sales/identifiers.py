"""Company identifiers of customers: VAT numbers and Peppol participant ids.

A Peppol participant id is written `scheme:identifier`, the scheme being an ICD/EAS code of the
Peppol code list (Belgium: 0208, the enterprise number, ten digits with a modulo 97 check).
"""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError

# The EAS codes the OpenPEPPOL rules accept (PEPPOL-EN16931-CL008), as of the 2025 Q2 release.
EAS_CODES = frozenset(
    [
        "0002",
        "0007",
        "0009",
        "0037",
        "0060",
        "0088",
        "0096",
        "0097",
        "0106",
        "0130",
        "0135",
        "0142",
        "0151",
        "0177",
        "0183",
        "0184",
        "0188",
        "0190",
        "0191",
        "0192",
        "0193",
        "0195",
        "0196",
        "0198",
        "0199",
        "0200",
        "0201",
        "0202",
        "0204",
        "0208",
        "0209",
        "0210",
        "0211",
        "0212",
        "0213",
        "0215",
        "0216",
        "0218",
        "0221",
        "0230",
        "0235",
        "9910",
        "9913",
        "9914",
        "9915",
        "9918",
        "9919",
        "9920",
        "9922",
        "9923",
        "9924",
        "9925",
        "9926",
        "9927",
        "9928",
        "9929",
        "9930",
        "9931",
        "9932",
        "9933",
        "9934",
        "9935",
        "9936",
        "9937",
        "9938",
        "9939",
        "9940",
        "9941",
        "9942",
        "9943",
        "9944",
        "9945",
        "9946",
        "9947",
        "9948",
        "9949",
        "9950",
        "9951",
        "9952",
        "9953",
        "9957",
        "9959",
        "0147",
        "0154",
        "0158",
        "0170",
        "0194",
        "0203",
        "0205",
        "0217",
        "0225",
        "0240",
    ]
)
BELGIAN_ENTERPRISE_SCHEME = "0208"
# EU member states (VAT prefixes; Greece writes EL). Intra-EU B2B supplies are reverse charged.
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
# Peppol schemes that carry a VAT number, for customers registered on Peppol by VAT number.
VAT_SCHEMES = {
    "AT": "9914",
    "DE": "9930",
    "ES": "9920",
    "FR": "9957",
    "IE": "9935",
    "IT": "0211",
    "LU": "9938",
    "NL": "9944",
    "PT": "9946",
}
_PEPPOL_ID = re.compile(r"^(?P<scheme>\d{4}):(?P<identifier>[A-Za-z0-9.\-_]{1,50})$")


def compact_vat(vat: str) -> str:
    """`be 0123.456.749` → `BE0123456749`."""
    return re.sub(r"[\s.\-/]", "", vat or "").upper()


def belgian_check_ok(digits: str) -> bool:
    """Ten digits whose last two are 97 − (the first eight mod 97): enterprise and VAT numbers."""
    return bool(re.fullmatch(r"[01]\d{9}", digits)) and 97 - int(digits[:8]) % 97 == int(digits[8:])


def belgian_enterprise_number(vat: str) -> str | None:
    """The enterprise number (ten digits) of a valid Belgian VAT number, else None."""
    compact = compact_vat(vat)
    if not compact.startswith("BE"):
        return None
    digits = compact[2:]
    if len(digits) == 9:  # the old nine-digit form
        digits = "0" + digits
    return digits if belgian_check_ok(digits) else None


def vat_problem(vat: str) -> str | None:
    """Why a VAT number is not acceptable, in plain words (None when it is)."""
    compact = compact_vat(vat)
    if not compact:
        return None
    if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{2,13}", compact):
        return "A VAT number starts with the two-letter country code, e.g. BE0123456749."
    if compact.startswith("BE") and belgian_enterprise_number(compact) is None:
        return "This Belgian VAT number is not valid: BE and ten digits whose last two are a modulo 97 check."
    return None


def peppol_id_problem(peppol_id: str) -> str | None:
    """Why a Peppol participant id is not acceptable, in plain words (None when it is)."""
    if not peppol_id:
        return None
    match = _PEPPOL_ID.match(peppol_id)
    if match is None:
        return "Write the Peppol id as scheme:identifier, e.g. 0208:0123456749."
    scheme, identifier = match["scheme"], match["identifier"]
    if scheme not in EAS_CODES:
        return f"{scheme} is not a Peppol participant scheme (Belgian companies use 0208)."
    if scheme == BELGIAN_ENTERPRISE_SCHEME and not belgian_check_ok(identifier):
        return "A 0208 Peppol id is the ten-digit Belgian enterprise number, with its modulo 97 check."
    return None


def peppol_id_from_vat(vat: str) -> str:
    """The Peppol id a customer is most likely registered under, from its VAT number ('' if none)."""
    enterprise = belgian_enterprise_number(vat)
    if enterprise:
        return f"{BELGIAN_ENTERPRISE_SCHEME}:{enterprise}"
    compact = compact_vat(vat)
    scheme = VAT_SCHEMES.get(compact[:2])
    return f"{scheme}:{compact}" if scheme and vat_problem(compact) is None else ""


def split_peppol_id(peppol_id: str) -> tuple[str, str]:
    scheme, _, identifier = (peppol_id or "").partition(":")
    return scheme, identifier


# --- Model validation (Customer.clean, Tax.clean and their API serializers) -------------------
PEPPOL_CHANNEL = "peppol"


def peppol_fields_clean(customer) -> None:
    """Peppol id valid (derived from a Belgian VAT number when left blank); required for the
    Peppol channel. Raises ValidationError naming the field."""
    customer.peppol_id = (customer.peppol_id or "").strip()
    if not customer.peppol_id and customer.delivery_channel == PEPPOL_CHANNEL:
        customer.peppol_id = peppol_id_from_vat(customer.vat)
    problem = peppol_id_problem(customer.peppol_id)
    if problem:
        raise ValidationError({"peppol_id": problem})
    if customer.delivery_channel == PEPPOL_CHANNEL and not customer.peppol_id:
        raise ValidationError(
            {
                "peppol_id": "Invoices are sent over Peppol: enter the customer's Peppol id "
                "(or a Belgian VAT number)."
            }
        )


def tax_category_clean(tax) -> None:
    """A VAT category agrees with the rate (EN 16931: only S charges VAT); reasons only where exempt."""
    category, rate = tax.vat_category, tax.rate if tax.rate is not None else Decimal("0")
    if category == "S" and rate <= 0:
        raise ValidationError({"rate": "A standard-rated tax needs a rate above 0 %."})
    if category not in ("", "S") and rate > 0:
        raise ValidationError({"rate": f"Category {category} is charged at 0 %: set the rate to 0."})
    exempt = category not in ("", "S", "Z")
    if not exempt and (tax.exemption_reason or tax.exemption_reason_code):
        raise ValidationError(
            {"exemption_reason": "Only an exempt, reverse-charged, export or out-of-scope tax has a reason."}
        )
