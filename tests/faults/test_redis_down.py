"""Redis stopped (the broker AND the cache): every page and API call that enqueues a job or uses the
cache still answers, without a 500, and says what waits; Redis started again, the work is done.

Real parts: PostgreSQL, a real redis-server stopped and started again (tests/faults/conftest.py),
a real Celery worker started once Redis is back, a real SMTP server. Beat is not run: the test
sends its job (`task_records_flush_task`) once, through the broker, as beat does every minute.
"""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from config.celery import app
from core.models import TaskRecord
from core.tasks import task_records_flush_task
from helpdesk.models import Message
from invoicing.models import Invoice
from projects.models import Task
from tests.factories import CustomerFactory, TicketFactory, UserFactory, invoice_with_lines
from tests.faults.conftest import wait_for
from tests.invoicing.test_to_invoice import make_orders

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_cache(settings, fault_redis):
    """The cache on the fault tests' Redis, as in production (CACHE_URL=redis://...)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": fault_redis.url.rsplit("/", 1)[0] + "/1",
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 2.0},
        }
    }


def test_with_redis_down_pages_and_api_answer_and_the_work_is_done_once_it_is_back(
    fault_worker, fault_redis, mail_sink, redis_cache, settings
):
    accountant = UserFactory(username="acc", roles=["accountant"], email="acc@example.com")
    accountant.set_password("a long pass phrase")
    accountant.save()
    seller = UserFactory(username="seller-b", roles=["sales"])
    agent = UserFactory(username="agent-b", roles=["agent"], email="agent@example.com")
    portal_user = UserFactory(username="globex-user", roles=["customer"], email="it@globex.example")
    customer = CustomerFactory(name="Globex")
    customer.portal_users.add(portal_user)
    ticket = TicketFactory(customer=customer, assignee=agent, title="Printer on fire")
    draft = invoice_with_lines(posted=False)
    orders = make_orders(2, tasks_per_order=1)
    fault_redis.stop()

    api = sign_in_answers_and_still_counts_failures(settings)
    accountant_client = posting_and_sending_an_invoice_wait_for_the_queue(accountant, draft)
    # A customer's message (API): saved; its e-mail to the agent waits.
    api.force_authenticate(portal_user)
    created = api.post(f"/api/v1/tickets/{ticket.pk}/messages/", {"body": "Still burning."}, format="json")
    assert created.status_code == 201
    seller_client, job_page = batch_invoicing_waits_for_the_queue(seller)
    # The invoice's PDF is made on demand meanwhile.
    assert accountant_client.get(reverse("invoicing:invoice_pdf", args=[draft.pk])).status_code == 200

    waiting = dict(TaskRecord.objects.values_list("name", "state"))
    assert waiting == {
        "invoicing.tasks.invoice_pdf_render_task": "pending",
        "invoicing.tasks.invoice_send_email_task": "pending",
        "helpdesk.tasks.message_notify_task": "pending",
        "projects.invoice_orders_task": "pending",
    }
    assert all(r.last_error.startswith("Task queue unavailable") for r in TaskRecord.objects.all())

    fault_redis.start()
    fault_worker.start()
    fault_worker.wait_ready(app)
    task_records_flush_task.delay()  # what beat sends every minute

    wait_for(
        lambda: set(TaskRecord.objects.values_list("state", flat=True)) == {"done"},
        what="every waiting job to be done",
    )
    wait_for(fault_redis.queue_is_empty, what="an empty queue")
    invoice = Invoice.objects.get(pk=draft.pk)
    assert invoice.pdf_sha256 and invoice.sent_at
    assert Message.objects.get(ticket=ticket, body="Still burning.").notified_at
    assert sorted(Invoice.objects.filter(order__in=orders).values_list("order_id", flat=True)) == sorted(
        o.pk for o in orders
    )
    recipients = sorted(m.split(b"\r\nTo: ", 1)[1].split(b"\r\n", 1)[0] for m in mail_sink.accepted)
    assert recipients == [b"agent@example.com", b"ap@globex.example"]  # the message, the invoice
    job = seller_client.get(job_page.redirect_chain[-1][0]).context
    assert job["state"] == "SUCCESS" and len(job["invoices"]) == 2


def sign_in_answers_and_still_counts_failures(settings) -> APIClient:
    """Sign-in uses the cache (failure counters): it answers, and still counts (in memory)."""
    browser = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert browser.post(reverse("login"), {"username": "acc", "password": "wrong"}).status_code == 200
    refused = browser.post(reverse("login"), {"username": "acc", "password": "a long pass phrase"})
    assert "Too many failed sign-in attempts" in refused.content.decode()
    api = APIClient()  # the same address: the API's sign-in is refused too, by the same counters
    assert api.post("/api/v1/auth/token/", {"username": "seller-b", "password": "x"}).status_code == 429
    return api


def posting_and_sending_an_invoice_wait_for_the_queue(accountant, draft) -> Client:
    # Posting an invoice queues its PDF: posted, the PDF job waits for the queue.
    accountant_client = Client()
    accountant_client.force_login(accountant)
    posted = accountant_client.post(reverse("invoicing:invoice_post", args=[draft.pk]), follow=True)
    assert posted.status_code == 200 and "PDF being prepared" in posted.content.decode()
    # Sending it by e-mail: accepted, waits too.
    sent = accountant_client.post(reverse("invoicing:invoice_send", args=[draft.pk]), follow=True)
    assert sent.status_code == 200
    assert '<dd class="email-job">Waiting for the task queue</dd>' in sent.content.decode()
    return accountant_client


def batch_invoicing_waits_for_the_queue(seller):
    """The job is saved, its page says it waits for the task queue. → (the client, the job page)."""
    seller_client = Client()
    seller_client.force_login(seller)
    tasks = list(Task.objects.values_list("pk", flat=True))
    job_page = seller_client.post(reverse("projects:to_invoice"), {"tasks": tasks}, follow=True)
    assert job_page.status_code == 200
    assert "Waiting for the task queue" in job_page.content.decode()
    return seller_client, job_page
