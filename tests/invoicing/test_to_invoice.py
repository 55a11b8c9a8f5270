"""SPEC "To invoice": done tasks whose order has something to invoice; selecting several makes one
draft invoice per order in ONE background job (progress reported), each order on its own."""

import datetime
import uuid
from decimal import Decimal

import pytest
from celery.result import AsyncResult
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from invoicing.batch import invoice_orders_task
from invoicing.batch_selectors import tasks_to_invoice
from invoicing.models import Invoice
from invoicing.services import invoice_create_from_order
from projects.models import Task
from sales.models import Order
from sales.services import order_lines_recompute
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ProjectFactory,
    TaskFactory,
    TimesheetLineFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def make_orders(n_orders: int, *, tasks_per_order: int = 4, done: bool = True) -> list[Order]:
    """n confirmed orders, each with `tasks_per_order` post-paid lines, one done task per line with
    1.5 h logged (so every order has something to invoice)."""
    project = ProjectFactory(name=f"Field {uuid.uuid4().hex[:6]}")
    product = ProductFactory(timesheet=True)
    # One technician and one salesperson for all (each new user costs a password hash).
    tech = UserFactory(username="tech", roles=["agent"])
    seller = UserFactory(username="seller", roles=["sales"])
    orders, line_ids = [], []
    for _ in range(n_orders):
        order = OrderFactory(customer=CustomerFactory(), state=Order.State.SALE, salesperson=seller)
        for _ in range(tasks_per_order):
            line = OrderLineFactory(order=order, product=product, quantity=Decimal("10"))
            task = TaskFactory(
                project=project,
                customer=order.customer,
                sale_line=line,
                is_done=done,
                stage=Task.Stage.DONE if done else Task.Stage.NEW,
                done_at=datetime.datetime.now(datetime.UTC) if done else None,
            )
            TimesheetLineFactory(
                task=task, project=project, sale_line=line, hours=Decimal("1.50"), employee=tech
            )
            line_ids.append(line.pk)
        orders.append(order)
    order_lines_recompute(line_ids=line_ids)
    return orders


def test_the_list_shows_done_tasks_whose_order_has_something_to_invoice(seller):
    (to_bill,) = make_orders(1, tasks_per_order=1)
    (not_done,) = make_orders(1, tasks_per_order=1, done=False)
    (billed,) = make_orders(1, tasks_per_order=1)
    invoice_create_from_order(order=billed, user=seller)

    listed = list(tasks_to_invoice(user=seller))

    assert [t.sale_line.order_id for t in listed] == [to_bill.pk]
    assert listed[0].total_hours == Decimal("1.50")


def test_the_list_is_for_sales(client, agent, customer_user, seller):
    make_orders(1, tasks_per_order=1)
    for user, code in ((agent, 403), (customer_user, 403), (seller, 200)):
        client.force_login(user)
        assert client.get(reverse("projects:to_invoice")).status_code == code


def test_the_to_invoice_page_lists_tasks_with_a_constant_number_of_queries(client, seller):
    client.force_login(seller)
    make_orders(2, tasks_per_order=1)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("projects:to_invoice"))
    make_orders(20, tasks_per_order=2)
    with CaptureQueriesContext(connection) as big:
        response = client.get(reverse("projects:to_invoice"))
    assert len(response.context["tasks"]) == 42
    assert len(big) == len(small)


def test_create_invoices_makes_one_draft_per_order_in_one_job(
    client, seller, django_capture_on_commit_callbacks
):
    orders = make_orders(3, tasks_per_order=2)
    client.force_login(seller)
    task_ids = list(Task.objects.filter(sale_line__order__in=orders[:2]).values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("projects:to_invoice"), {"tasks": task_ids})
    assert len(callbacks) == 1  # ONE job for the whole selection

    assert response.status_code == 302
    invoices = Invoice.objects.filter(state=Invoice.State.DRAFT)
    assert sorted(invoices.values_list("order_id", flat=True)) == sorted(o.pk for o in orders[:2])
    for invoice in invoices:
        assert [ln.quantity for ln in invoice.lines.all()] == [Decimal("1.50"), Decimal("1.50")]
    # The job page (eager mode: already finished) shows the result, without polling.
    page = client.get(response["Location"])
    assert page.context["state"] == "SUCCESS"
    assert page.context["finished"] is True
    assert len(page.context["invoices"]) == 2
    html = page.content.decode()
    assert "2 draft invoices created" in html
    assert 'hx-trigger="every 1s"' not in html
    # Invoiced orders leave the list.
    remaining = {t.sale_line.order_id for t in tasks_to_invoice(user=seller)}
    assert remaining == {orders[2].pk}


def test_selecting_nothing_says_so(client, seller):
    client.force_login(seller)
    response = client.post(reverse("projects:to_invoice"), {}, follow=True)
    assert "Select at least one task" in response.content.decode()


def test_one_failing_order_does_not_stop_the_others_and_its_error_is_reported(seller):
    good_a, good_b = make_orders(2, tasks_per_order=1)
    draft = OrderFactory(state=Order.State.DRAFT, name="SO07777", salesperson=seller)

    result = invoice_orders_task.apply(args=[[good_a.pk, draft.pk, good_b.pk], seller.pk])

    summary = result.get()
    assert summary["done"] == summary["total"] == 3
    assert [e["order"] for e in summary["errors"]] == ["SO07777"]
    assert summary["errors"][0]["message"]
    assert sorted(Invoice.objects.values_list("order_id", flat=True)) == sorted([good_a.pk, good_b.pk])


def test_the_job_reports_its_progress_and_outcome_in_its_state(seller):
    orders = make_orders(2, tasks_per_order=1)
    job_id = str(uuid.uuid4())
    invoice_orders_task.apply(args=[[o.pk for o in orders], seller.pk], task_id=job_id)
    result = AsyncResult(job_id, app=invoice_orders_task.app)
    assert result.state == "SUCCESS"
    assert result.info["done"] == 2 and result.info["total"] == 2 and result.info["errors"] == []


def test_the_status_view_polls_while_the_job_runs(client, seller):
    """A worker-run job in progress: the real result backend holds its PROGRESS state."""
    client.force_login(seller)
    job_id = str(uuid.uuid4())
    session = client.session
    session["projects_invoice_jobs"] = [job_id]
    session.save()
    invoice_orders_task.backend.store_result(
        job_id,
        {"done": 3, "total": 10, "errors": [{"order": "SO00003", "message": "Nothing to invoice."}]},
        "PROGRESS",
    )
    response = client.get(reverse("projects:invoice_job_status", args=[job_id]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "3 of 10 orders processed" in html
    assert 'hx-trigger="every 1s"' in html
    assert "SO00003" in html and "Nothing to invoice." in html
    assert response.context["percent"] == 30
    page = client.get(reverse("projects:invoice_job", args=[job_id]))
    assert 'role="progressbar"' in page.content.decode()


def test_someone_elses_job_is_404(client, seller):
    client.force_login(seller)
    assert client.get(reverse("projects:invoice_job_status", args=[str(uuid.uuid4())])).status_code == 404


def _job_queries(orders, user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        invoice_orders_task.apply(args=[[o.pk for o in orders], user.pk]).get()
    return len(ctx)


def test_the_batch_job_runs_in_a_constant_number_of_queries_per_order(seller):
    """200 tasks on 50 orders: the per-order query count is the same at 10 and at 50 orders."""
    one = make_orders(1)
    ten = make_orders(10)
    fifty = make_orders(50)
    assert Task.objects.filter(sale_line__order__in=fifty).count() == 200

    q1, q10, q50 = (
        _job_queries(one, seller),
        _job_queries(ten, seller),
        _job_queries(fifty, seller),
    )

    per_order_small = (q10 - q1) / 9
    per_order_large = (q50 - q10) / 40
    assert per_order_small == per_order_large
    assert per_order_large == int(per_order_large)
    assert Invoice.objects.count() == 61
