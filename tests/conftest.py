import importlib
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from sales import services as sales

# Real Celery worker + Redis broker for the tests marked `celery` (skipped without Redis).
from tests.celery_worker import celery_broker, celery_worker, pytest_runtest_makereport  # noqa: F401
from tests.clock import TODAY, start_from_environment
from tests.conversation_data import conversation_world
from tests.factories import (
    CustomerFactory,
    ProductFactory,
    ProjectFactory,
    TaxFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
    uom,
)
from tests.helpdesk.data import prepaid_setup

# A real S3-compatible server (moto) for the storage tests (skipped without moto[server]).
from tests.s3_server import s3_server, s3_storage  # noqa: F401


def pytest_configure(config):
    # TEST_CLOCK=YYYY-MM-DD runs the whole session on that day (see tests/clock.py).
    start_from_environment()


# The rows the data migrations create: units, helpdesk stages, role groups with permissions.
REFERENCE_DATA = (
    ("sales.migrations.0002_default_units", "create_units"),
    ("helpdesk.migrations.0003_default_stages", "create_stages"),
    ("core.migrations.0002_role_groups", "create_role_groups"),
)


def restore_reference_data():
    """A transactional test (live server, threads, Celery worker) ends by truncating every
    table, reference rows included; the next such test puts them back (idempotent)."""
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from sales.models import Uom

    if Uom.objects.filter(name="Hours").exists() and Group.objects.filter(name="customer").exists():
        return
    state_apps = MigrationExecutor(connection).loader.project_state().apps
    for module, function in REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(state_apps, None)
    ContentType.objects.clear_cache()


def _is_transactional(request) -> bool:
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        return True
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return False
    return bool(marker.kwargs.get("transaction", marker.args[0] if marker.args else False))


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    if _is_transactional(request):
        request.getfixturevalue("transactional_db")
        restore_reference_data()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in counters and other cached values never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories give every user a password; full-strength PBKDF2 (~0.3 s each) would dominate
    the run time, and no test is about hashing strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Files written by a test (PDFs, signatures, the Peppol outbox) go to a temp dir, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PEPPOL_OUTBOX_DIR = tmp_path / "peppol-outbox"


@pytest.fixture
def agent(db):
    """The agent (technician) of the tests (role "agent")."""
    return UserFactory(username="agent", roles=["agent"])


@pytest.fixture
def other_agent(db):
    """A second agent, for tests that need two people in the "agent" role."""
    return UserFactory(username="other-agent", roles=["agent"])


@pytest.fixture
def seller(db):
    """The salesperson of the tests (role "sales")."""
    return UserFactory(username="seller", roles=["sales"])


@pytest.fixture
def other_seller(db):
    """A second salesperson, for tests that need two people in the "sales" role."""
    return UserFactory(username="other-seller", roles=["sales"])


@pytest.fixture
def accountant(db):
    return UserFactory(username="accountant", roles=["accountant"])


@pytest.fixture
def admin_staff(db):
    """A user in the "admin" role (not a superuser: pytest-django's `admin_user` is the real
    superuser, named "admin", and tests use both)."""
    return UserFactory(username="admin-staff", roles=["admin"])


@pytest.fixture
def admin_staff_client(client, admin_staff):
    client.force_login(admin_staff)
    return client


@pytest.fixture
def customer_user(db):
    return UserFactory(username="customer", roles=["customer"])


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def api_as(api_client):
    """api_as(user) → an APIClient authenticated as that user."""

    def login(user):
        api_client.force_authenticate(user=user)
        return api_client

    return login


@pytest.fixture
def client_for(db):
    """client_for(user) → a fresh APIClient authenticated as that user (one per user)."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def portal_customer(db):
    """A customer with its portal contact (`portal_customer.contact`)."""
    customer = CustomerFactory(name="Portal Co")
    contact = UserFactory(username="portal", roles=["customer"])
    customer.portal_users.add(contact)
    customer.contact = contact
    return customer


@pytest.fixture
def other_customer(db):
    return CustomerFactory(name="Other Co")


@pytest.fixture
def users(agent, seller, accountant, admin_staff, admin_user, portal_customer):
    """One user per role, plus "superuser": pytest-django's `admin_user` (createsuperuser's
    account, in no group), who may do whatever any staff role may."""
    return {
        "agent": agent,
        "sales": seller,
        "accountant": accountant,
        "admin": admin_staff,
        "customer": portal_customer.contact,
        "superuser": admin_user,
    }


@pytest.fixture
def world(db):
    """The conversation world (tests/conversation_data.py): customers A (Globex) and B (Initech),
    each with a portal user, a ticket and its messages, orders and invoices; an agent's team."""
    return conversation_world()


@pytest.fixture
def client_a(client, world):
    """The browser of customer A's portal user."""
    client.force_login(world.a.user)
    return client


@pytest.fixture
def prepaid(db, agent):
    return prepaid_setup(agent=agent)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


# The billing tests: products, confirmed orders built through the services.


@pytest.fixture
def customer(db):
    """The customer of the tests that need one (payment term 30 days, an e-mail address)."""
    return CustomerFactory(name="Globex", email="ap@globex.example", payment_term_days=30)


@pytest.fixture
def hours(db):
    return uom("Hours")


@pytest.fixture
def days(db):
    return uom("Days")


@pytest.fixture
def prepaid_product(db):
    """Prepaid support sold by the hour at 500.00/h (a 50 h block costs 25 000.00)."""
    return ProductFactory(name="Prepaid support", price=Decimal("500.00"))


@pytest.fixture
def support_block(db):
    """Prepaid support sold at 100.00 an hour (Hours)."""
    return ProductFactory(name="Support hours", price=Decimal("100.00"))


@pytest.fixture
def quotation(seller, customer, support_block):
    """A quotation (not confirmed) of 10 h of support_block for the customer."""
    return sales.order_create(
        customer=customer, user=seller, lines=[{"product": support_block, "quantity": Decimal("10")}]
    )


@pytest.fixture
def timesheet_product(db):
    """Post-paid "Service on Timesheets" at 100.00/h."""
    return ProductFactory(name="Service on Timesheets", timesheet=True, price=Decimal("100.00"))


@pytest.fixture
def vat20(db):
    return TaxFactory(name="VAT 20%", rate=Decimal("20.000"))


@pytest.fixture
def make_order(db, seller, customer):
    """make_order(product, quantity, confirm=True, **line kwargs) → (order, line)."""

    def build(product, quantity, *, confirm=True, customer=customer, **line):
        order = sales.order_create(
            customer=customer,
            user=seller,
            order_date=TODAY,
            lines=[{"product": product, "quantity": Decimal(quantity), **line}],
        )
        if confirm:
            sales.order_confirm(order=order, user=seller)
        order.refresh_from_db()
        return order, order.lines.get()

    return build


@pytest.fixture
def project(db, customer):
    return ProjectFactory(name="Globex support", customer=customer)


@pytest.fixture
def ticket(db, customer, agent):
    team = TeamFactory(name="Support")
    team.members.add(agent)  # agents log time on tickets of their own teams
    return TicketFactory(team=team, customer=customer, title="Printer on fire")
