"""The worksheet report of a task as PDF (WeasyPrint): notes, time lines, materials, signature."""

import base64

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from core.panels import page_context

from .models import Task
from .services import task_order


def worksheet_context(task: Task) -> dict:
    signature_uri = ""
    if task.signature:
        with task.signature.open("rb") as fh:
            signature_uri = "data:image/png;base64," + base64.b64encode(fh.read()).decode("ascii")
    return {
        "task": task,
        "company": settings.COMPANY,
        # The time lines and their total: the timesheets app adds them.
        **page_context("projects:worksheet", task=task),
        "materials": list(task.materials.select_related("product__uom").order_by("id")),
        "tickets": list(task.tickets.all()),
        "signature_uri": signature_uri,
        "printed_at": timezone.now(),
        "order": task_order(task),
    }


def render_worksheet_html(task: Task) -> str:
    return render_to_string("pdf/worksheet.html", worksheet_context(task))


def render_worksheet_pdf(task: Task) -> bytes:
    from weasyprint import HTML

    html = render_worksheet_html(task)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
