"""The projects jobs on a REAL Celery worker (subprocess) through a REAL Redis broker: the batch
invoicing page polls the job's progress until it has finished; the worksheet mail is sent."""

import time

import pytest
from django.urls import reverse

from invoicing.models import Invoice
from projects.models import Task
from tests.factories import UserFactory
from tests.invoicing.test_to_invoice import make_orders

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_batch_invoicing_runs_on_the_worker_and_the_page_polls_until_done(
    client, celery_broker, celery_worker
):
    seller = UserFactory(username="batch-seller", roles=["sales"])
    orders = make_orders(6, tasks_per_order=2)
    client.force_login(seller)
    task_ids = list(Task.objects.values_list("pk", flat=True))

    response = client.post(reverse("projects:to_invoice"), {"tasks": task_ids})
    assert response.status_code == 302
    job_id = response["Location"].rstrip("/").split("/")[-1]

    page = client.get(response["Location"])
    seen = [page.context["state"]]
    if not page.context["finished"]:
        assert 'hx-trigger="every 1s"' in page.content.decode()  # the page polls
    deadline = time.monotonic() + 60
    context = page.context
    while not context["finished"] and time.monotonic() < deadline:
        time.sleep(0.2)
        context = client.get(reverse("projects:invoice_job_status", args=[job_id])).context
        seen.append(context["state"])

    assert context["state"] == "SUCCESS", seen
    assert context["done"] == context["total"] == 6
    assert context["errors"] == []
    assert len(context["invoices"]) == 6
    assert set(Invoice.objects.values_list("order_id", flat=True)) == {o.pk for o in orders}
    assert f"projects.invoice_orders_task[{job_id}] succeeded" in celery_worker.log()
