# The real Celery worker fixtures (tests/celery_worker.py) for the tests marked `celery`.
import pytest

from tests.celery_worker import celery_broker, celery_worker, pytest_runtest_makereport  # noqa: F401


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories hash `pass-1234` for every user; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
