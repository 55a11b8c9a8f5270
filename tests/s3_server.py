"""A REAL S3-compatible server for the storage tests: moto's server mode (`moto[server]`), started
as a subprocess on a free loopback port, one per test session.

- `s3_server` (session): the endpoint URL; skips with the reason shown when moto is missing.
- `s3_storage` (function): a fresh bucket, and Django's default storage pointed at it for the
  duration of the test (exactly the settings STORAGE_BACKEND=s3 builds, see config/settings.py).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

READY_TIMEOUT = 60
ACCESS_KEY, SECRET_KEY, REGION = "test-access-key", "test-secret-key", "us-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    pytest.importorskip("moto.server", reason="moto[server] is not installed (dev extra)")
    pytest.importorskip("storages.backends.s3", reason="django-storages[s3] is not installed")
    port = _free_port()
    log = Path(tempfile.mkstemp(prefix="moto-server-", suffix=".log")[1])
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_TIMEOUT
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto server exited with {process.returncode}:\n{log.read_text()}")
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"moto server not ready after {READY_TIMEOUT} s") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.unlink(missing_ok=True)


def s3_options(endpoint_url: str, bucket: str) -> dict:
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url,
        "region_name": REGION,
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "addressing_style": "path",
        "signature_version": "s3v4",
        "location": "",
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
    }


@pytest.fixture
def s3_storage(s3_server, settings):
    """(boto3 client, bucket name) with Django's default storage on that bucket."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    bucket = f"portal-test-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(s3_server, bucket)},
    }
    settings.MEDIA_ROOT = "/nonexistent-local-media-root"  # nothing may fall back to a local disk
    return client, bucket
