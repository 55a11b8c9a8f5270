"""A REAL Celery worker for tests marked `celery` (pytest fixtures; import them in a conftest).

- `celery_worker` (session): starts `celery -A config worker --pool=solo` as a subprocess (through
  `python -m tests.clock`, so it runs on TEST_CLOCK's day like the tests) against
  TEST_REDIS_URL (exported by scripts/with-services.sh) and pytest's TEST database, waits until it
  answers a ping, stops it at teardown. Skips, with the reason shown, when TEST_REDIS_URL is unset.
- `celery_broker` (function): the worker above, plus this process's `config.celery.app` sending
  through the broker (not eagerly) for the duration of the test; restored afterwards so other
  tests keep running tasks in-process. Use it with `transactional_db`: the worker has its own
  database connection and only sees committed rows. The worker stores files (PDFs) under its own
  MEDIA_ROOT; the test's MEDIA_ROOT points there too for the duration of the test.

On a failing test using the worker, its log is printed (see `pytest_runtest_makereport` below,
also to be imported by the conftest).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT = 60


def _database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the worker pointing at the database this test run uses."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or ""
    return f"postgres://{auth}{host}{':' + str(port) if port else ''}/{quote(settings_dict['NAME'], safe='')}"


def _redis_db_url(redis_url: str) -> str:
    """One Redis database per pytest-xdist worker (8, 9, ...): each test process has its own test
    database and its own Celery worker, so their queues must not meet."""
    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker_id[2:]) if worker_id[2:].isdigit() else 0
    return urlsplit(redis_url)._replace(path=f"/{8 + index % 8}").geturl()


class Worker:
    def __init__(self, redis_url: str, database_url: str, extra_env: dict | None = None):
        self.redis_url = redis_url
        self.database_url = database_url
        # More settings for this worker (tests/faults: a short visibility timeout, a pause point).
        self.extra_env = dict(extra_env or {})
        self.hostname = f"pytest-{os.getpid()}@{socket.gethostname()}"
        self.log_path = Path(tempfile.mkstemp(prefix="celery-worker-", suffix=".log")[1])
        # Files the worker writes (media, the Peppol outbox) stay out of var/: tests point their
        # own MEDIA_ROOT here when the worker must read what they stored.
        self.files_dir = Path(tempfile.mkdtemp(prefix="celery-worker-files-"))
        self.media_root = self.files_dir / "media"
        self.peppol_outbox = self.files_dir / "peppol-outbox"
        self.process: subprocess.Popen | None = None

    def env(self) -> dict:
        from tests import clock

        env = {**os.environ}
        if clock.is_travelling():
            # The worker starts at the moment this process is at (it has ticked since 09:00).
            env["TEST_CLOCK"] = datetime.datetime.now(datetime.UTC).isoformat()
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DATABASE_URL=self.database_url,
            CELERY_BROKER_URL=self.redis_url,
            CELERY_RESULT_BACKEND=self.redis_url,
            CELERY_TASK_ALWAYS_EAGER="false",
            EMAIL_URL="consolemail://",
            MEDIA_ROOT=str(self.media_root),
            PEPPOL_SENDER="folder",
            PEPPOL_OUTBOX_DIR=str(self.peppol_outbox),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    def start(self) -> None:
        # Through tests.clock: the worker runs on TEST_CLOCK's day too, when it is set.
        cmd = [
            sys.executable,
            "-m",
            "tests.clock",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            self.hostname,
        ]
        self._close_log()
        self._log = self.log_path.open("ab")  # a restarted worker (tests/faults) logs on
        self.process = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env(), stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def wait_ready(self, app) -> None:
        """Until the worker answers a ping through the broker (or dies, or times out)."""
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Celery worker exited with {self.process.returncode}:\n{self.log()}")
            try:
                replies = app.control.ping(destination=[self.hostname], timeout=1.0)
            except Exception:  # broker not reachable yet
                replies = []
            if replies:
                return
            time.sleep(0.3)
        raise RuntimeError(f"Celery worker not ready after {READY_TIMEOUT} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self._close_log()
            return
        # Warm shutdown first (finishes the current task, closes its DB connection), then force.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        self._close_log()

    def _close_log(self):
        log = getattr(self, "_log", None)
        if log and not log.closed:
            log.close()


def _reset_app_connections(app) -> None:
    """Forget broker pools and the result backend so the next call uses the current conf."""
    # (Never close the pools: kombu keeps them in a global registry keyed by URL.)
    app._pool = None
    with contextlib.suppress(AttributeError):
        app.amqp._producer_pool = None
    for attr in ("backend",):
        if hasattr(app._local, attr):
            delattr(app._local, attr)


class _BrokerConf:
    """Point `app` at the broker, and back."""

    KEYS = ("broker_url", "result_backend", "task_always_eager")

    def __init__(self, app, redis_url: str):
        self.app = app
        self.redis_url = redis_url
        self.saved: dict = {}

    def __enter__(self):
        self.saved = {key: self.app.conf.get(key) for key in self.KEYS}
        _reset_app_connections(self.app)
        self.app.conf.update(
            broker_url=self.redis_url, result_backend=self.redis_url, task_always_eager=False
        )
        return self.app

    def __exit__(self, *exc):
        _reset_app_connections(self.app)
        self.app.conf.update(**self.saved)
        _reset_app_connections(self.app)
        return False


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip(
            "TEST_REDIS_URL is not set: run the suite through scripts/with-services.sh with redis-server "
            "installed to test with a real Celery worker"
        )
    from django.db import connection

    from config.celery import app

    worker = Worker(_redis_db_url(redis_url), _database_url(connection.settings_dict))
    worker.start()
    try:
        with _BrokerConf(app, worker.redis_url):
            worker.wait_ready(app)
    except Exception:
        worker.stop()
        raise
    yield worker
    worker.stop()
    with contextlib.suppress(OSError):
        worker.log_path.unlink()
    shutil.rmtree(worker.files_dir, ignore_errors=True)


@pytest.fixture
def celery_broker(celery_worker, request):
    """`config.celery.app` sending through the real broker to the real worker (this test only)."""
    from celery._state import _set_task_join_will_block

    from config.celery import app

    # This process is the client, never a worker: an earlier test that ran a task body in
    # this process (eager, or a tracer built in a thread) may have left Celery's process-wide
    # "inside a task" flag on, which makes `AsyncResult.get()` refuse to wait.
    _set_task_join_will_block(False)
    request.node._celery_worker = celery_worker
    request.getfixturevalue("settings").MEDIA_ROOT = celery_worker.media_root
    with _BrokerConf(app, celery_worker.redis_url):
        yield app


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    worker = getattr(item, "_celery_worker", None)
    if worker is not None and report.failed:
        report.sections.append(("Celery worker log", worker.log()[-20000:]))
