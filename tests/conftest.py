import importlib

import pytest

# Real Celery worker + Redis broker for the tests marked `celery` (skipped without Redis).
from tests.celery_worker import celery_broker, celery_worker, pytest_runtest_makereport  # noqa: F401
from tests.clock import start_from_environment
from tests.factories import UserFactory

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
    return UserFactory(username="agent", roles=["agent"])


@pytest.fixture
def sales_user(db):
    return UserFactory(username="sales", roles=["sales"])


@pytest.fixture
def accountant(db):
    return UserFactory(username="accountant", roles=["accountant"])


@pytest.fixture
def admin_staff(db):
    """A user in the "admin" role (not a superuser: pytest-django's `admin_user` is the real
    superuser, named "admin", and tests use both)."""
    return UserFactory(username="admin-staff", roles=["admin"])


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
