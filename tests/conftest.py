import pytest

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Files written by a test (PDFs, signatures) go to a temp dir, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", roles=["agent"])


@pytest.fixture
def sales_user(db):
    return UserFactory(username="sales", roles=["sales"])


@pytest.fixture
def accountant(db):
    return UserFactory(username="accountant", roles=["accountant"])


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", roles=["admin"])


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
