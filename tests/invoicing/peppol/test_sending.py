"""Sending e-invoices: an access point's HTTP API (a real server on loopback, started here), the
folder drop, retries with backoff, failures with their reason, re-sending; a real Celery worker."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from invoicing.models import PeppolDocument
from invoicing.peppol.delivery import peppol_refresh_statuses, peppol_send_attempt, retry_delay
from invoicing.peppol.documents import peppol_xml_bytes
from tests.invoicing.peppol.conftest import line

Status = PeppolDocument.Status


class AccessPoint:
    """A tiny provider API: records every request, answers from a script of (status, JSON body)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict]] = []
        self.statuses: dict[str, dict] = {}
        access_point = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, code: int, body: dict):
                payload = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                access_point.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self._answer(*access_point.answers.pop(0))

            def do_GET(self):
                access_point.requests.append({"path": self.path, "headers": dict(self.headers), "body": b""})
                reference = self.path.rsplit("/", 1)[-1]
                self._answer(200, access_point.statuses.get(reference, {"status": "sent"}))

            def log_message(self, *args):  # keep the test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def access_point(settings):
    with AccessPoint() as server:
        settings.PEPPOL_SENDER = "http"
        settings.PEPPOL_API_URL = server.url
        settings.PEPPOL_API_TOKEN = "test-token"
        settings.PEPPOL_MAX_ATTEMPTS = 3
        yield server


@pytest.fixture
def queued(db, post_order, be_customer, taxes, django_capture_on_commit_callbacks):
    """A posted invoice whose e-invoice is queued (the Celery hand-over not run: the test drives it)."""
    with django_capture_on_commit_callbacks(execute=False):
        invoice = post_order(be_customer, [line("Consulting", "7", "95.00", taxes["21"])])
    return PeppolDocument.objects.get(invoice=invoice)


def test_http_sender_retries_a_busy_provider_then_sends_and_learns_delivery(access_point, queued):
    access_point.answers = [(503, {"message": "Maintenance"}), (201, {"id": "msg-1", "status": "sent"})]

    first = peppol_send_attempt(queued.pk)
    queued.refresh_from_db()
    assert (first.status, first.retry_in) == (Status.QUEUED, retry_delay(1))
    assert queued.attempts == 1 and "503: Maintenance" in queued.status_message

    second = peppol_send_attempt(queued.pk)
    queued.refresh_from_db()
    assert second.status == Status.SENT and second.retry_in is None
    assert (queued.status, queued.provider_reference, queued.sender) == (Status.SENT, "msg-1", "http")
    request = access_point.requests[-1]
    assert request["path"] == "/v1/documents"
    assert request["headers"]["Authorization"] == "Bearer test-token"
    assert request["headers"]["Content-Type"] == "application/xml"
    assert request["headers"]["Idempotency-Key"] == queued.xml_sha256
    assert request["body"] == peppol_xml_bytes(queued)

    access_point.statuses["msg-1"] = {"status": "delivered"}
    assert peppol_refresh_statuses() == 1
    queued.refresh_from_db()
    assert queued.status == Status.DELIVERED and queued.delivered_at is not None
    assert access_point.requests[-1]["path"] == "/v1/documents/msg-1"


def test_a_rejected_document_fails_with_the_reason_and_can_be_resent(
    access_point, queued, api_as, accountant_user
):
    access_point.answers = [(422, {"message": "Receiver 0208:0456712363 is not registered on Peppol"})]
    assert peppol_send_attempt(queued.pk).retry_in is None  # the document's fault: no retry
    queued.refresh_from_db()
    assert queued.status == Status.FAILED
    assert (
        queued.status_message
        == "The access point answered 422: Receiver 0208:0456712363 is not registered on Peppol"
    )

    response = api_as(accountant_user).post(f"/api/v1/invoices/{queued.invoice_id}/send_einvoice/")
    assert response.status_code == 200, response.json()
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (Status.QUEUED, 0)
    again = api_as(accountant_user).post(f"/api/v1/invoices/{queued.invoice_id}/send_einvoice/")
    assert again.status_code == 409  # already queued

    access_point.answers = [(202, {"id": "msg-2", "status": "delivered"})]
    assert peppol_send_attempt(queued.pk).status == Status.DELIVERED


def test_an_unreachable_provider_is_retried_then_marked_failed(settings, queued):
    with AccessPoint() as closed:
        url = closed.url
    settings.PEPPOL_SENDER, settings.PEPPOL_API_URL, settings.PEPPOL_MAX_ATTEMPTS = "http", url, 2
    assert peppol_send_attempt(queued.pk).retry_in == retry_delay(1)
    assert peppol_send_attempt(queued.pk).retry_in is None
    queued.refresh_from_db()
    assert queued.status == Status.FAILED and "cannot be reached" in queued.status_message
    assert retry_delay(2) == 2 * retry_delay(1)


def test_folder_sender_drops_the_file_and_reads_receipts(settings, tmp_path, queued):
    settings.PEPPOL_SENDER, settings.PEPPOL_OUTBOX_DIR = "folder", tmp_path / "outbox"
    assert peppol_send_attempt(queued.pk).status == Status.SENT
    queued.refresh_from_db()
    dropped = tmp_path / "outbox" / queued.provider_reference
    assert dropped.read_bytes() == peppol_xml_bytes(queued)
    (tmp_path / "outbox" / f"{queued.provider_reference}.failed").write_text("Unknown receiver")
    assert peppol_refresh_statuses() == 1
    queued.refresh_from_db()
    assert (queued.status, queued.status_message) == (Status.FAILED, "Unknown receiver")


def test_posting_hands_the_document_over_after_commit(
    settings, tmp_path, post_order, be_customer, taxes, django_capture_on_commit_callbacks
):
    """In-process Celery (the embedded set-up): the send runs once the posting has committed."""
    settings.PEPPOL_SENDER, settings.PEPPOL_OUTBOX_DIR = "folder", tmp_path / "outbox"
    with django_capture_on_commit_callbacks(execute=False) as on_commit:
        invoice = post_order(be_customer, [line("Consulting", "1", "95.00", taxes["21"])])
    document = PeppolDocument.objects.get(invoice=invoice)
    assert document.status == Status.QUEUED  # nothing leaves before the transaction commits
    for callback in on_commit:
        callback()
    document.refresh_from_db()
    assert document.status == Status.SENT
    assert (tmp_path / "outbox" / document.provider_reference).read_bytes() == peppol_xml_bytes(document)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_to_the_folder(
    celery_broker, celery_worker, settings, post_order, be_customer, taxes
):
    settings.MEDIA_ROOT = celery_worker.media_root  # the worker reads the XML the posting stored
    invoice = post_order(be_customer, [line("Consulting", "2", "95.00", taxes["21"])])
    document = PeppolDocument.objects.get(invoice=invoice)
    deadline = time.monotonic() + 60
    while document.status == Status.QUEUED and time.monotonic() < deadline:
        time.sleep(0.3)
        document.refresh_from_db()
    assert document.status == Status.SENT, document.status_message
    assert document.sender == "folder" and document.attempts == 1
    dropped = celery_worker.peppol_outbox / document.provider_reference
    assert dropped.read_bytes() == peppol_xml_bytes(document)
