"""What a user sees of a job waiting for the task queue (Redis down, tests/faults): the batch
invoicing page and the invoice's e-mail line say it waits, and that it starts once it is back."""

import uuid

import pytest
from django.contrib.sessions.backends.db import SessionStore

from core.models import TaskRecord
from tests.factories import UserFactory, invoice_with_lines

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_job_waiting_for_the_task_queue_says_so(page, login, shot):
    from playwright.sync_api import expect

    accountant = UserFactory(username="e2e-waiting", roles=["accountant"])
    invoice = invoice_with_lines()
    job_id = str(uuid.uuid4())
    error = "Task queue unavailable: Error 111 connecting to redis:6379. Connection refused."
    TaskRecord.objects.create(task_id=job_id, name="projects.invoice_orders_task", last_error=error)
    TaskRecord.objects.create(
        task_id=str(uuid.uuid4()),
        name="invoicing.tasks.invoice_send_email_task",
        subject=f"invoicing.invoice:{invoice.pk}",
        last_error=error,
    )
    login(page, accountant)
    session = SessionStore(
        session_key=next(c for c in page.context.cookies() if c["name"] == "sessionid")["value"]
    )
    session["projects_invoice_jobs"] = [job_id]
    session.save()

    page.goto(f"/projects/to-invoice/jobs/{job_id}/")
    expect(page.get_by_text("Waiting for the task queue")).to_be_visible()
    shot(page, "invoice-job-waiting-for-queue")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "invoice-job-waiting-for-queue-390")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"/invoicing/invoices/{invoice.pk}/")
    expect(page.locator(".email-job")).to_have_text("Waiting for the task queue")
    shot(page, "invoice-email-waiting-for-queue")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "invoice-email-waiting-for-queue-390")
