# The real Celery worker fixtures (tests/celery_worker.py) for the tests marked `celery`.
import pytest

from tests.celery_worker import celery_broker, celery_worker, pytest_runtest_makereport  # noqa: F401


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories hash `pass-1234` for every user; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def restore_reference_data():
    """Put back what the data migrations create (units, role groups + permissions, stages) when a
    flush removed it. `serialized_rollback` alone is not enough once Playwright runs an event loop
    in the main thread (the connection that holds the serialized copy is not the one in use)."""
    import importlib

    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from sales.models import Uom

    if Uom.objects.filter(name="Hours").exists() and Group.objects.filter(name="sales").exists():
        return
    state_apps = MigrationExecutor(connection).loader.project_state().apps
    for module, function in (
        ("sales.migrations.0002_default_units", "create_units"),
        ("core.migrations.0002_role_groups", "create_role_groups"),
        ("helpdesk.migrations.0003_default_stages", "create_stages"),
    ):
        getattr(importlib.import_module(module), function)(state_apps, None)
    ContentType.objects.clear_cache()


@pytest.fixture
def reference_data(transactional_db):
    restore_reference_data()
