"""Fixtures of the Peppol tests: Belgian and EU customers, taxes, orders posted through services."""

import datetime
from decimal import Decimal

import pytest

from invoicing import services as invoicing
from sales import services as sales
from sales.models import Customer, Tax
from tests.clock import on_day
from tests.factories import CustomerFactory, ProductFactory, TaxFactory, UserFactory, uom
from tests.invoicing.peppol.schematron import RuleSet

TODAY = datetime.date(2026, 11, 23)


def valid_be_vat(first_eight: int) -> str:
    """A Belgian VAT number with correct check digits (97 − first eight digits mod 97)."""
    return f"BE0{first_eight:07d}{97 - first_eight % 97:02d}"


@pytest.fixture(scope="session")
def peppol_rules():
    """The official CEN + OpenPEPPOL rules, compiled once for the session."""
    pytest.importorskip("saxonche", reason="saxonche (a dev dependency) runs the official rules")
    return RuleSet()


@pytest.fixture(autouse=True)
def _invoice_day():
    with on_day(TODAY):
        yield


@pytest.fixture
def accountant_user(db):
    return UserFactory(username="peppol-accountant", roles=["accountant", "sales"])


@pytest.fixture
def be_customer(db):
    """A Belgian business on the Peppol channel (its id derived from its VAT number)."""
    customer = CustomerFactory(
        name="Brasserie Dupont SRL",
        vat=valid_be_vat(4567123),
        street="Rue de la Loi 16",
        zip="1000",
        city="Brussels",
        country="BE",
        delivery_channel=Customer.DeliveryChannel.PEPPOL,
        email="ap@dupont.example",
    )
    customer.full_clean()
    customer.save()
    return customer


@pytest.fixture
def nl_customer(db):
    """A Dutch business: services to it are reverse charged (AE)."""
    return CustomerFactory(
        name="Tulp BV",
        vat="NL123456789B01",
        street="Damrak 1",
        zip="1012 LG",
        city="Amsterdam",
        country="NL",
        delivery_channel=Customer.DeliveryChannel.PEPPOL,
        peppol_id="9944:NL123456789B01",
    )


@pytest.fixture
def taxes(db):
    return {
        "21": TaxFactory(name="VAT 21%", rate=Decimal("21.000")),
        "6": TaxFactory(name="VAT 6%", rate=Decimal("6.000")),
        "0": TaxFactory(name="VAT 0%", rate=Decimal("0.000"), vat_category=Tax.VatCategory.ZERO),
        "exempt": TaxFactory(
            name="Exempt art. 44",
            rate=Decimal("0.000"),
            vat_category=Tax.VatCategory.EXEMPT,
            exemption_reason_code="VATEX-EU-132",
            exemption_reason="Exempt under article 44 of the Belgian VAT Code",
        ),
    }


@pytest.fixture
def post_order(db, accountant_user):
    """post_order(customer, [line dicts], method=..., amount=...) → the posted invoice."""

    def build(customer, lines, *, method="regular", amount=None, order=None):
        if order is None:
            order = sales.order_create(
                customer=customer,
                user=accountant_user,
                order_date=TODAY,
                lines=lines,
                client_reference="PO-2026-17",
            )
            sales.order_confirm(order=order, user=accountant_user)
        invoice = invoicing.invoice_create_from_order(
            order=order, user=accountant_user, method=method, amount=amount
        )
        return with_documents(invoicing.invoice_post(invoice=invoice, user=accountant_user))

    return build


def with_documents(invoice):
    """The PDF and the UBL are made by a Celery task queued after the posting commits; tests that
    run inside one transaction run that task here, in-process, as the commit would."""
    from invoicing.tasks import invoice_pdf_render_task

    invoice_pdf_render_task(invoice.pk)
    return invoice


def line(description, quantity, price, tax=None, unit="Hours", discount="0"):
    product = ProductFactory(name=description, price=Decimal(price), uom=uom(unit), tax=tax)
    return {
        "product": product,
        "quantity": Decimal(quantity),
        "uom": uom(unit),
        "discount": Decimal(discount),
        "tax": tax,
        "description": description,
    }
