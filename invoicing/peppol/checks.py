"""What the Peppol rules need that our data may lack, said in plain words, field by field.

The UBL builder writes every structural element itself (and the tests run every kind of
document through the official rules); what can still break a fatal rule is missing or wrong
master data. These checks name it before posting: for a customer on the Peppol channel posting
is refused; for the others the problems are kept on the stored document.
"""

from dataclasses import dataclass

from django.conf import settings

from core.errors import DomainError
from sales.identifiers import peppol_id_problem, vat_problem

from ..models import Invoice
from .categories import NEEDS_REASON, line_vat_category
from .ubl import company_party, customer_party, product_lines

NEEDS_BUYER_VAT = {"AE": "reverse charge", "K": "an intra-EU supply"}


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


class PeppolDataError(DomainError):
    """Posting refused: the e-invoice would break the Peppol rules. One message per field."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        text = "; ".join(problem.message[0].lower() + problem.message[1:] for problem in problems)
        super().__init__(f"This invoice cannot be sent over Peppol: {text}.", code="peppol_invalid")

    def as_dict(self) -> dict:
        errors: dict[str, list[str]] = {"detail": [self.message]}
        for problem in self.problems:
            errors.setdefault(problem.field, []).append(problem.message)
        return errors


def _company_problems() -> list[Problem]:
    company = company_party()
    problems = []
    if not company.peppol_id:
        problems.append(
            Problem(
                "company.peppol_id",
                "The company has no Peppol id (set COMPANY_PEPPOL_ID or a Belgian COMPANY_VAT)",
            )
        )
    elif problem := peppol_id_problem(company.peppol_id):
        problems.append(Problem("company.peppol_id", f"The company's Peppol id is not valid. {problem}"))
    if not company.vat:
        problems.append(Problem("company.vat", "The company has no VAT number (COMPANY_VAT)"))
    elif problem := vat_problem(company.vat):
        problems.append(Problem("company.vat", f"The company's VAT number is not valid. {problem}"))
    if not company.name:
        problems.append(Problem("company.name", "The company has no name (COMPANY_NAME)"))
    return problems


def _customer_problems(invoice: Invoice, categories: list) -> list[Problem]:
    customer, party = invoice.customer, customer_party(invoice.customer)
    problems = []
    if not party.peppol_id:
        problems.append(
            Problem(
                "customer.peppol_id", "The customer has no Peppol id (and no Belgian VAT number to derive it)"
            )
        )
    elif problem := peppol_id_problem(party.peppol_id):
        problems.append(Problem("customer.peppol_id", f"The customer's Peppol id is not valid. {problem}"))
    if not customer.country:
        problems.append(Problem("customer.country", "The customer has no country"))
    if customer.vat and (problem := vat_problem(customer.vat)):
        problems.append(Problem("customer.vat", f"The customer's VAT number is not valid. {problem}"))
    needs_vat = sorted({NEEDS_BUYER_VAT[c.code] for c in categories if c.code in NEEDS_BUYER_VAT})
    if needs_vat and not customer.vat:
        problems.append(
            Problem(
                "customer.vat", f"The customer has no VAT number, which {' and '.join(needs_vat)} requires"
            )
        )
    return problems


def _line_problems(lines, categories) -> list[Problem]:
    problems = []
    for index, (line, category) in enumerate(zip(lines, categories, strict=True)):
        label = f"Line {index + 1} ({(line.description or '').strip()[:40]})"
        tax_name = line.tax.name if line.tax else "no tax"
        if category.code == "S" and line.tax_rate <= 0:
            problems.append(
                Problem(f"lines[{index}].tax", f"{label}: a standard-rated tax needs a rate above 0 %")
            )
        if category.code != "S" and line.tax_rate > 0:
            problems.append(
                Problem(
                    f"lines[{index}].tax",
                    f"{label}: {tax_name} is category {category.code}, charged at 0 %, "
                    f"not {line.tax_rate:g} %",
                )
            )
        if category.code in NEEDS_REASON and not (category.reason or category.reason_code):
            problems.append(Problem(f"lines[{index}].tax", f"{label}: {tax_name} needs an exemption reason"))
    return problems


def peppol_problems(invoice: Invoice) -> list[Problem]:
    """Everything that would make the invoice's UBL break a fatal Peppol/EN 16931 rule."""
    lines = product_lines(invoice)
    categories = [line_vat_category(line, invoice.customer) for line in lines]
    problems = (
        _company_problems() + _customer_problems(invoice, categories) + _line_problems(lines, categories)
    )
    if not settings.COMPANY.get("iban") and invoice.kind == Invoice.Kind.INVOICE:
        problems.append(Problem("company.iban", "The company has no IBAN to be paid on (COMPANY_IBAN)"))
    return problems
