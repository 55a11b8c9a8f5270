"""The "To invoice" list of done tasks and its batch job's progress page (URL names
`projects:to_invoice`, `projects:invoice_job`, `projects:invoice_job_status`: the screens began in
projects; config/urls.py mounts invoicing.batch_urls in that namespace)."""

import uuid

from celery.result import AsyncResult
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from core.permissions import role_required
from projects import selectors

from .batch import invoice_orders_task, job_cache_key

SESSION_JOBS = "projects_invoice_jobs"

invoicer_required = role_required("sales", "accountant", "admin")


@invoicer_required
def to_invoice(request):
    if request.method == "POST":
        task_ids = [int(v) for v in request.POST.getlist("tasks") if v.isdigit()]
        order_ids = selectors.orders_of_tasks(task_ids=task_ids, user=request.user)
        if not order_ids:
            messages.error(request, "Select at least one task to invoice.")
            return redirect("projects:to_invoice")
        job_id = str(uuid.uuid4())
        user_id = request.user.pk
        request.session[SESSION_JOBS] = [*request.session.get(SESSION_JOBS, [])[-19:], job_id]
        transaction.on_commit(
            lambda: invoice_orders_task.apply_async(args=[order_ids, user_id], task_id=job_id)
        )
        return redirect("projects:invoice_job", job_id=job_id)
    tasks = list(selectors.tasks_to_invoice(user=request.user)[:500])
    for task in tasks:
        task.order = task.sale_line.order if task.sale_line_id else task.project.sale_order
    return render(request, "projects/to_invoice.html", {"tasks": tasks})


def _job_view_context(request, job_id):
    if job_id not in request.session.get(SESSION_JOBS, []):
        raise Http404("No such job")
    result = AsyncResult(job_id, app=invoice_orders_task.app)
    state = result.state
    info = result.info if isinstance(result.info, dict) else {}
    if state != "SUCCESS":
        finished = cache.get(job_cache_key(job_id))
        if finished is not None:  # an eager run in another thread of this process
            state, info = "SUCCESS", finished
    if state == "FAILURE":
        info = {"errors": [{"order": "—", "message": str(result.info)}]}
    done, total = info.get("done", 0), info.get("total", 0)
    return {
        "job_id": job_id,
        "state": state,
        "finished": state in ("SUCCESS", "FAILURE"),
        "done": done,
        "total": total,
        "percent": int(done * 100 / total) if total else (100 if state == "SUCCESS" else 0),
        "errors": info.get("errors", []),
        "invoices": info.get("invoices", []),
        "status_url": reverse("projects:invoice_job_status", args=[job_id]),
    }


@invoicer_required
def invoice_job(request, job_id):
    return render(request, "projects/invoice_job.html", _job_view_context(request, job_id))


@invoicer_required
def invoice_job_status(request, job_id):
    """htmx: polled every second until the job has finished."""
    return render(request, "projects/partials/invoice_job_status.html", _job_view_context(request, job_id))
