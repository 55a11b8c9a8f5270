# The real Celery worker fixtures (tests/celery_worker.py) for the tests marked `celery`.
from tests.celery_worker import celery_broker, celery_worker, pytest_runtest_makereport  # noqa: F401
