"""The "To invoice" list of done tasks and its batch job's progress page (URL names
`projects:to_invoice`, `projects:invoice_job`, `projects:invoice_job_status`: the screens began in
projects; config/urls.py mounts invoicing.batch_urls in that namespace)."""

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from core import policy
from core.background import enqueue_after_commit
from projects.services import task_order

from . import batch_selectors as selectors
from .batch import invoice_job_progress, invoice_orders_task

SESSION_JOBS = "projects_invoice_jobs"

# Sales and accountants invoice the done tasks (core.policy "invoice.create").
invoicer_required = policy.permission_required("invoice.create")


@invoicer_required
def to_invoice(request):
    if request.method == "POST":
        task_ids = [int(v) for v in request.POST.getlist("tasks") if v.isdigit()]
        order_ids = selectors.orders_of_tasks(task_ids=task_ids, user=request.user)
        if not order_ids:
            messages.error(request, "Select at least one task to invoice.")
            return redirect("projects:to_invoice")
        job_id = str(uuid.uuid4())
        request.session[SESSION_JOBS] = [*request.session.get(SESSION_JOBS, [])[-19:], job_id]
        # Recorded with this request's transaction: sent to the worker after commit, or later if
        # the task queue is down (the job page then says it is waiting for it).
        enqueue_after_commit(invoice_orders_task, order_ids, request.user.pk, task_id=job_id)
        return redirect("projects:invoice_job", job_id=job_id)
    tasks = list(selectors.tasks_to_invoice(user=request.user)[:500])
    for task in tasks:
        task.order = task_order(task)
    return render(request, "projects/to_invoice.html", {"tasks": tasks})


def _job_view_context(request, job_id):
    if job_id not in request.session.get(SESSION_JOBS, []):
        raise Http404("No such job")
    status = invoice_job_progress(job_id)
    state, done, total = status["state"], status["done"], status["total"]
    return {
        "job_id": job_id,
        "state": state,
        "finished": state in ("SUCCESS", "FAILURE"),
        "done": done,
        "total": total,
        "percent": int(done * 100 / total) if total else (100 if state == "SUCCESS" else 0),
        "errors": status["errors"],
        "invoices": status["invoices"],
        "waiting_for_queue": status["waiting_for_queue"],
        "runs": status.get("runs", 1),
        "status_url": reverse("projects:invoice_job_status", args=[job_id]),
    }


@invoicer_required
def invoice_job(request, job_id):
    return render(request, "projects/invoice_job.html", _job_view_context(request, job_id))


@invoicer_required
def invoice_job_status(request, job_id):
    """htmx: polled every second until the job has finished."""
    return render(request, "projects/partials/invoice_job_status.html", _job_view_context(request, job_id))
