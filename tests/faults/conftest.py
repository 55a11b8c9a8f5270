"""Fault tests: a REAL Redis of their own (stopped and started again) and a REAL Celery worker of
their own (SIGKILLed and started again), so no other test's broker or worker is disturbed.

- `fault_redis` (module): redis-server on a free loopback port, no persistence (like a Redis
  restarted without its data); `.stop()` / `.start()` on the same port.
- `fault_worker` (test): a worker (tests/celery_worker.Worker) on that Redis with a 5 s
  visibility timeout and an abandoned-message sweep every second, plus this process's Celery app
  sending to it. `start(pause_at=...)` sets the test-only pause point (core/faults.py);
  `wait_paused()` waits until the worker sleeps there; `kill()` is SIGKILL.
- `mail_sink`: an SMTP server (tests/faults/smtp_sink.py) that can hold a mail before accepting it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.celery_worker import Worker, _BrokerConf, _database_url
from tests.faults.smtp_sink import MailSink

VISIBILITY_TIMEOUT = 5
TIMEOUT = 90  # generous: the machine may be loaded


def wait_for(predicate, *, timeout: float = TIMEOUT, what: str = "condition"):
    """Poll `predicate` until it returns something truthy; fail with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class RedisServer:
    def __init__(self, directory: Path):
        self.directory = directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"]  # no persistence: a restart loses the queue
            + ["--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, timeout=30, what="redis-server to answer")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.process = None

    def command(self, *words: str) -> str:
        return subprocess.run(
            ["redis-cli", "-p", str(self.port), *words], capture_output=True, text=True, check=True
        ).stdout.strip()

    def queue_is_empty(self) -> bool:
        """No message waiting and none taken but unacknowledged: nothing is left to deliver."""
        return self.command("LLEN", "celery") == "0" and self.command("HLEN", "unacked") == "0"


class FaultWorker(Worker):
    def __init__(self, redis_url: str, database_url: str, pause_dir: Path, mail_url: str):
        super().__init__(
            redis_url,
            database_url,
            extra_env={
                "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
                "CELERY_UNACKED_RESTORE_INTERVAL": "1",
                "CELERY_UNACKED_RESTORE_THROTTLE": "1",
                "EMAIL_URL": mail_url,
                "FAULT_PAUSE_DIR": str(pause_dir),
                "TASK_PENDING_GRACE_SECONDS": "0",
            },
        )
        self.pause_dir = pause_dir
        self.pause_at = ""
        self.starts = 0

    def start(self, *, pause_at: str = "") -> None:
        self.pause_at = pause_at
        self.extra_env["FAULT_PAUSE_AT"] = pause_at
        self.starts += 1
        self.hostname = f"faults-{os.getpid()}-{self.starts}@{socket.gethostname()}"
        super().start()

    def wait_paused(self) -> None:
        marker = self.pause_dir / self.pause_at
        wait_for(lambda: marker.exists() or self._died(), what=f"the worker to pause at {self.pause_at}")
        assert marker.exists(), f"the worker exited before {self.pause_at}:\n{self.log()[-5000:]}"

    def _died(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or `docker kill` would: no clean-up at all."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)
        self._close_log()


@pytest.fixture(scope="module")
def fault_redis(tmp_path_factory):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed: the fault tests need a real Redis")
    server = RedisServer(tmp_path_factory.mktemp("fault-redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_sink():
    sink = MailSink()
    yield sink
    sink.close()


@pytest.fixture
def fault_worker(fault_redis, mail_sink, transactional_db, settings, request, tmp_path):
    from celery._state import _set_task_join_will_block
    from django.db import connection

    from config.celery import app

    if not fault_redis.answers():  # a test that stopped it and failed
        fault_redis.start()
    fault_redis.command("FLUSHALL")
    pause_dir = tmp_path / "pauses"
    pause_dir.mkdir()
    worker = FaultWorker(fault_redis.url, _database_url(connection.settings_dict), pause_dir, mail_sink.url)
    _set_task_join_will_block(False)
    request.node._celery_worker = worker  # its log is printed if the test fails
    settings.MEDIA_ROOT = worker.media_root
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "visibility_timeout": VISIBILITY_TIMEOUT,
    }
    with _BrokerConf(app, fault_redis.url):
        yield worker
    if worker.process is not None and worker.process.poll() is None:
        worker.kill()  # quicker than a warm shutdown; its job is over
    shutil.rmtree(worker.files_dir, ignore_errors=True)
    worker.log_path.unlink(missing_ok=True)
