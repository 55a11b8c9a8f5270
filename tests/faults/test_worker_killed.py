"""The Celery worker SIGKILLed in the middle of a job; a new worker then completes it exactly once.

Real parts: PostgreSQL, Redis, a Celery worker subprocess, an SMTP server. How the kill lands "in
the middle", deterministically:
- the e-mail: a real slow mail server (tests/faults/smtp_sink.py holds the mail after its data,
  before accepting it); the worker is killed while it waits for the server's answer;
- the PDF, the batch and the sweep: the test-only pause point of core/faults.py, set on the first
  worker only, at the worst moment: the work done (file stored, first order invoiced, activities
  inserted) but not committed / not finished. The second worker runs without it.
The message comes back because tasks acknowledge late and Redis gives an unacknowledged message
to another consumer after CELERY_VISIBILITY_TIMEOUT (5 s here). A job still running when that expires is
delivered once more (the docs say to set it above the longest task): so `runs` is at least 2, and
the effect, which is what must happen once, is counted exactly.
"""

import hashlib
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from config.celery import app
from core.models import TaskRecord
from invoicing.documents import invoice_pdf_store
from invoicing.models import Invoice
from projects.models import Task
from sales.models import Order
from tests.factories import PrepaidLineFactory, ProductFactory, UserFactory, invoice_with_lines
from tests.faults.conftest import wait_for
from tests.invoicing.test_to_invoice import make_orders
from upsell.models import Activity
from upsell.tasks import upsell_sweep_task

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def record_of(name: str) -> TaskRecord:
    return TaskRecord.objects.get(name=name)


def finished(name: str):
    return TaskRecord.objects.filter(name=name, state__in=("done", "failed")).first()


def restart(worker, fault_redis, name: str) -> TaskRecord:
    """A new worker; waits until it has completed the job again and nothing is left queued."""
    worker.start()
    worker.wait_ready(app)
    record = wait_for(lambda: finished(name), what=f"{name} to finish after the restart")
    wait_for(fault_redis.queue_is_empty, what="an empty queue")
    return record


def test_invoice_email_killed_while_the_mail_server_answers_is_sent_exactly_once(
    fault_worker, fault_redis, mail_sink
):
    accountant = UserFactory(username="acc", roles=["accountant"])
    invoice = invoice_with_lines()
    invoice_pdf_store(invoice=invoice)  # the PDF is there: the job is the e-mail alone
    mail_sink.hold = True
    fault_worker.start()
    fault_worker.wait_ready(app)
    client = Client()
    client.force_login(accountant)

    client.post(reverse("invoicing:invoice_send", args=[invoice.pk]))
    wait_for(mail_sink.holding.is_set, what="the mail server to hold the invoice's mail")
    fault_worker.kill()

    mail_sink.release()
    assert mail_sink.accepted == []
    assert Invoice.objects.get(pk=invoice.pk).sent_at is None
    killed = record_of("invoicing.tasks.invoice_send_email_task")
    assert (killed.state, killed.runs) == ("running", 1)  # visible: started, never finished

    record = restart(fault_worker, fault_redis, "invoicing.tasks.invoice_send_email_task")

    assert record.state == "done" and record.runs >= 2  # redelivered after the kill
    assert len(mail_sink.accepted) == 1
    assert invoice.number.encode() in mail_sink.accepted[0]
    assert Invoice.objects.get(pk=invoice.pk).sent_at is not None


def test_pdf_render_killed_after_storing_the_file_stores_one_pdf(fault_worker, fault_redis):
    accountant = UserFactory(username="acc", roles=["accountant"])
    draft = invoice_with_lines(posted=False)
    fault_worker.start(pause_at="invoice_pdf_stored")
    fault_worker.wait_ready(app)
    client = Client()
    client.force_login(accountant)

    assert client.post(reverse("invoicing:invoice_post", args=[draft.pk])).status_code == 302
    fault_worker.wait_paused()
    fault_worker.kill()

    posted = Invoice.objects.get(pk=draft.pk)
    assert posted.state == "posted" and not posted.pdf_sha256  # the row update rolled back
    folder = f"invoices/{posted.invoice_date.year}"
    assert len(default_storage.listdir(folder)[1]) == 1  # ...the killed worker's file stayed

    record = restart(fault_worker, fault_redis, "invoicing.tasks.invoice_pdf_render_task")

    assert record.state == "done" and record.runs >= 2  # redelivered after the kill
    posted.refresh_from_db()
    assert default_storage.listdir(folder)[1] == [posted.pdf.name.rsplit("/", 1)[-1]]  # one file
    with default_storage.open(posted.pdf.name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == posted.pdf_sha256


def test_batch_invoicing_killed_after_the_first_order_invoices_each_order_once(fault_worker, fault_redis):
    seller = UserFactory(username="batch-seller", roles=["sales"])
    orders = make_orders(3, tasks_per_order=1)
    fault_worker.start(pause_at="invoice_orders_after_one")
    fault_worker.wait_ready(app)
    client = Client()
    client.force_login(seller)

    response = client.post(
        reverse("projects:to_invoice"), {"tasks": list(Task.objects.values_list("pk", flat=True))}
    )
    job_id = response["Location"].rstrip("/").split("/")[-1]
    fault_worker.wait_paused()
    fault_worker.kill()

    assert Invoice.objects.count() == 1
    status = client.get(reverse("projects:invoice_job_status", args=[job_id])).context
    assert (status["state"], status["done"], status["total"]) == ("PROGRESS", 1, 3)

    record = restart(fault_worker, fault_redis, "projects.invoice_orders_task")

    assert record.state == "done" and record.runs >= 2  # redelivered after the kill
    assert sorted(Invoice.objects.values_list("order_id", flat=True)) == sorted(o.pk for o in orders)
    status = client.get(reverse("projects:invoice_job_status", args=[job_id])).context
    assert status["state"] == "SUCCESS" and status["errors"] == []
    assert sorted(i["id"] for i in status["invoices"]) == sorted(Invoice.objects.values_list("pk", flat=True))


def test_upsell_sweep_killed_before_its_commit_makes_one_activity_per_opportunity(fault_worker, fault_redis):
    lines = [
        PrepaidLineFactory(
            product=ProductFactory(upsell_threshold=Decimal("80")), qty_delivered=Decimal("45")
        )
        for _ in range(3)
    ]
    fault_worker.start(pause_at="upsell_sweep_before_commit")
    fault_worker.wait_ready(app)

    upsell_sweep_task.delay()
    fault_worker.wait_paused()
    fault_worker.kill()

    assert Activity.objects.count() == 0  # the killed sweep's inserts rolled back
    assert not Order.objects.filter(is_upsell=True).exists()

    record = restart(fault_worker, fault_redis, "sales.tasks.upsell_sweep_task")

    assert record.state == "done" and record.runs >= 2  # redelivered after the kill
    assert sorted(Activity.objects.values_list("order_line_id", flat=True)) == sorted(
        line.pk for line in lines
    )
    assert Order.objects.filter(is_upsell=True).count() == 3
