import pytest
from rest_framework.test import APIClient

from tests.factories import CustomerFactory, UserFactory


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
def users(agent, sales_user, accountant, admin_staff, admin_user, portal_customer):
    """One user per role, plus "superuser": pytest-django's `admin_user` (createsuperuser's
    account, in no group), who may do whatever any staff role may."""
    return {
        "agent": agent,
        "sales": sales_user,
        "accountant": accountant,
        "admin": admin_staff,
        "customer": portal_customer.contact,
        "superuser": admin_user,
    }
