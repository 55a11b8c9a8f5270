"""The Belgian structured communication (`+++123/4567/89002+++`) used as payment reference."""

import re

from django.conf import settings

KIND_DIGIT = {"invoice": "1", "credit_note": "2"}


def structured_communication(base: str) -> str:
    """Ten digits + their modulo 97 check (97 when the remainder is 0), as +++ddd/dddd/ddddd+++."""
    if not re.fullmatch(r"\d{10}", base):
        raise ValueError("A structured communication is built on ten digits.")
    check = int(base) % 97 or 97
    digits = f"{base}{check:02d}"
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def is_structured_communication(value: str) -> bool:
    match = re.fullmatch(r"\+\+\+(\d{3})/(\d{4})/(\d{5})\+\+\+", value or "")
    if not match:
        return False
    digits = "".join(match.groups())
    return (int(digits[:10]) % 97 or 97) == int(digits[10:])


def invoice_structured_communication(*, kind: str, number: str, year: int) -> str:
    """One per document: kind digit, two-digit year, the number's sequence on seven digits."""
    sequence = int(re.sub(r"\D", "", number.rsplit("/", 1)[-1]) or 0) % 10**7
    return structured_communication(f"{KIND_DIGIT.get(kind, '9')}{year % 100:02d}{sequence:07d}")


def is_belgian(country: str) -> bool:
    """A customer with no country is taken to be in the company's country."""
    return (country or settings.COMPANY.get("country", "BE")).upper() == "BE"


def payment_reference_for(invoice) -> str:
    """What the customer quotes when paying: the structured communication for Belgian customers,
    the document number for the others."""
    if is_belgian(invoice.customer.country):
        return invoice_structured_communication(
            kind=invoice.kind, number=invoice.number, year=invoice.invoice_date.year
        )
    return invoice.number
