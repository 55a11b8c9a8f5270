"""Posting off the lock: the PDF of a posted invoice is rendered after the posting commits (a Celery
task), stored once with its SHA-256; the PDF endpoint renders on demand, once, if the task has
not run yet. Real PostgreSQL, real Celery worker on real Redis, PDFs read back with pdftotext."""

import hashlib
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.urls import reverse

from invoicing.models import Invoice
from tests.factories import invoice_with_lines

pytestmark = pytest.mark.django_db(transaction=True)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "read-back.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def stored_bytes(invoice: Invoice) -> bytes:
    with default_storage.open(invoice.pdf.name, "rb") as handle:
        return handle.read()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.celery
def test_real_worker_renders_and_stores_the_pdf_after_posting(tmp_path, accountant, celery_broker):
    draft = invoice_with_lines(posted=False)
    client = logged_in(accountant)

    response = client.post(reverse("invoicing:invoice_post", args=[draft.pk]), follow=True)

    posted = Invoice.objects.get(pk=draft.pk)
    assert posted.state == "posted" and f"Invoice posted as {posted.number}" in response.content.decode()
    deadline = time.monotonic() + 90
    while not posted.pdf_sha256 and time.monotonic() < deadline:
        time.sleep(0.3)
        posted.refresh_from_db()
    assert posted.pdf_sha256, "the worker did not store the PDF within 90 s"
    data = stored_bytes(posted)
    assert hashlib.sha256(data).hexdigest() == posted.pdf_sha256
    text = pdf_text(data, tmp_path)
    assert posted.number in text and "Globex Corporation" in text
    assert "Mail server migration" in text and "DRAFT" not in text
    # Served from the stored bytes, identical.
    assert client.get(reverse("invoicing:invoice_pdf", args=[posted.pk])).content == data
    assert (
        "PDF being prepared"
        not in client.get(reverse("invoicing:invoice_detail", args=[posted.pk])).content.decode()
    )


def test_concurrent_downloads_before_the_task_render_and_store_once(accountant):
    invoice = invoice_with_lines()  # posted, its PDF not rendered yet (as if the task were late)
    assert not invoice.pdf_sha256
    url = reverse("invoicing:invoice_pdf", args=[invoice.pk])
    count = 4
    barrier = threading.Barrier(count)
    answers: list = [None] * count

    def download(i):
        client = logged_in(accountant)
        try:
            barrier.wait()
            answers[i] = client.get(url)
        finally:
            connection.close()

    threads = [threading.Thread(target=download, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert all(answer is not None and answer.status_code == 200 for answer in answers)
    bodies = {answer.content for answer in answers}
    assert len(bodies) == 1, "every download answers the same stored bytes"
    invoice.refresh_from_db()
    (body,) = bodies
    assert hashlib.sha256(body).hexdigest() == invoice.pdf_sha256 == answers[0]["X-Content-SHA256"]
    # Rendered once: a second rendering would have been stored under a second file name.
    _dirs, files = default_storage.listdir(str(Path(invoice.pdf.name).parent))
    assert files == [Path(invoice.pdf.name).name]


def test_embedded_mode_renders_in_process_right_after_the_posting_commits(accountant, tmp_path):
    """`make run`: no broker, so tasks run in-process: the PDF is there once posting has answered."""
    from config.celery import app

    assert app.conf.task_always_eager  # the test settings, like `make run`, configure no broker
    draft = invoice_with_lines(posted=False)
    response = logged_in(accountant).post(reverse("invoicing:invoice_post", args=[draft.pk]))
    assert response.status_code == 302
    posted = Invoice.objects.get(pk=draft.pk)
    assert posted.state == "posted" and posted.pdf_sha256
    data = stored_bytes(posted)
    assert hashlib.sha256(data).hexdigest() == posted.pdf_sha256
    assert posted.number in pdf_text(data, tmp_path)


def test_email_sent_before_the_task_ran_attaches_the_pdf_stored_once(accountant, mailoutbox):
    from invoicing.tasks import invoice_pdf_render_task, invoice_send_email_task

    invoice = invoice_with_lines()
    assert invoice_send_email_task(invoice.pk) == "sent"
    invoice.refresh_from_db()
    (mail,) = mailoutbox
    _name, content, _mimetype = mail.attachments[0]
    assert hashlib.sha256(content).hexdigest() == invoice.pdf_sha256 and content == stored_bytes(invoice)
    # The late rendering task then finds the stored PDF and leaves it alone.
    assert invoice_pdf_render_task(invoice.pk) == "already stored"
    invoice.refresh_from_db()
    assert hashlib.sha256(stored_bytes(invoice)).hexdigest() == invoice.pdf_sha256


def test_api_says_whether_the_pdf_is_ready(accountant):
    from rest_framework.test import APIClient

    invoice = invoice_with_lines()
    api = APIClient()
    api.force_authenticate(accountant)
    detail = f"/api/v1/invoices/{invoice.pk}/"
    assert api.get(detail).json()["pdf_ready"] is False
    assert api.get(f"{detail}pdf/").content.startswith(b"%PDF")
    assert api.get(detail).json()["pdf_ready"] is True
    draft = invoice_with_lines(posted=False)
    assert api.get(f"/api/v1/invoices/{draft.pk}/").json()["pdf_ready"] is False
