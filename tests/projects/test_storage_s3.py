"""Past one machine: every stored file goes through Django's storage API, so with
STORAGE_BACKEND=s3 invoice PDFs, worksheets, signatures and attachments land in the bucket (a real
S3-compatible server: moto's server mode on loopback), and nothing is written to a local disk."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models
from django.urls import reverse

from invoicing import documents
from invoicing.models import Invoice
from projects.services import task_sign
from tests.factories import UserFactory, invoice_with_lines
from tests.projects.test_worksheet import png_data_url

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def bucket_object(client, bucket: str, key: str) -> bytes:
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_every_file_field_uses_the_configured_default_storage(s3_storage):
    from storages.backends.s3 import S3Storage

    file_fields = [
        field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]
    names = {f"{field.model.__name__}.{field.name}" for field in file_fields}
    assert {"Invoice.pdf", "Task.signature", "Task.worksheet_pdf", "Attachment.file"} <= names
    # No field brings a storage of its own (a local one would need a shared disk).
    assert all(field.storage is default_storage for field in file_fields)
    default_storage.exists("probe")  # resolves the lazy default storage
    assert isinstance(default_storage._wrapped, S3Storage)


def test_posted_invoice_pdf_is_stored_in_the_bucket_once_and_served_from_it(s3_storage, client):
    s3, bucket = s3_storage
    invoice = invoice_with_lines()
    accountant = UserFactory(username="s3-accountant", roles=["accountant"])
    client.force_login(accountant)

    first = client.get(reverse("invoicing:invoice_pdf", args=[invoice.pk]))

    invoice.refresh_from_db()
    assert first.status_code == 200 and invoice.pdf.name == "invoices/2026/INV-2026-00042.pdf"
    stored = bucket_object(s3, bucket, invoice.pdf.name)
    assert stored == first.content and hashlib.sha256(stored).hexdigest() == invoice.pdf_sha256
    assert client.get(reverse("invoicing:invoice_pdf", args=[invoice.pk])).content == stored
    listed = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == ["invoices/2026/INV-2026-00042.pdf"]
    # A tampered object is refused, as on a local disk.
    s3.put_object(Bucket=bucket, Key=invoice.pdf.name, Body=stored + b"tampered")
    with pytest.raises(ValueError, match="SHA-256"):
        documents.invoice_pdf_bytes(invoice=Invoice.objects.get(pk=invoice.pk))


def test_signature_and_signed_worksheet_are_stored_in_the_bucket(
    s3_storage, field_task, agent, django_capture_on_commit_callbacks
):
    s3, bucket = s3_storage
    with django_capture_on_commit_callbacks(execute=True):
        task_sign(task=field_task, signature=png_data_url(), signed_by="Jane Customer", user=agent)
    field_task.refresh_from_db()
    signature = bucket_object(s3, bucket, field_task.signature.name)
    worksheet = bucket_object(s3, bucket, field_task.worksheet_pdf.name)
    assert signature.startswith(b"\x89PNG") and worksheet.startswith(b"%PDF")
    assert field_task.worksheet_pdf.read() == worksheet


def test_storage_backend_s3_settings_come_from_the_environment():
    probe = (
        "import json, environ\n"
        "environ.Env.read_env = classmethod(lambda cls, *a, **k: None)\n"
        "from django.conf import settings\n"
        "print(json.dumps({'default': settings.STORAGES['default'], 'cache': settings.CACHES['default']}))\n"
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": "portal-media",
        "AWS_S3_ENDPOINT_URL": "http://minio:9000",
        "AWS_ACCESS_KEY_ID": "portal",
        "AWS_SECRET_ACCESS_KEY": "portal-secret",
        "REDIS_URL": "redis://redis:6379/1",
    }
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    default = loaded["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "portal-media"
    assert default["OPTIONS"]["endpoint_url"] == "http://minio:9000"
    assert default["OPTIONS"]["addressing_style"] == "path" and default["OPTIONS"]["file_overwrite"] is False
    assert loaded["cache"] == {
        # Django's Redis cache, answering from memory while Redis is down (core/cache.py).
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": "redis://redis:6379/1",
        "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 2.0},
    }
    env["STORAGE_BACKEND"] = "nfs"
    refused = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "STORAGE_BACKEND" in refused.stderr
