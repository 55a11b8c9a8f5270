"""The task page's time lines (projects, below us): list, log, edit, delete, htmx-swapped as a
whole. URL names `projects:task_timesheets...` (config/urls.py mounts timesheets.task_urls in
the projects namespace); the task page itself gets their first render from
`page_parts.task_page_timesheets` (registered for "projects:task_detail")."""

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.views import apply_domain_error
from projects import selectors as project_selectors
from projects.models import Task
from projects.views import staff_required

from . import services as timesheet_services
from . import task_selectors
from .forms import TimesheetForm
from .models import TimesheetLine
from .page_parts import _new_timesheet_form, _timesheets_context
from .selectors import order_lines_past_sold_hours


def _task_or_404(request, pk) -> Task:
    try:
        return project_selectors.task_for_page(user=request.user, pk=pk)
    except Task.DoesNotExist as exc:
        raise Http404("No such task") from exc


@staff_required
def task_timesheets(request, pk):
    """htmx: the task's time lines; POST logs a new line."""
    task = _task_or_404(request, pk)
    if request.method != "POST":
        return render(
            request,
            "projects/partials/task_timesheets.html",
            _timesheets_context(task, form=_new_timesheet_form(request)),
        )
    form = TimesheetForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                line = timesheet_services.timesheet_log(
                    employee=form.cleaned_data["employee"],
                    date=form.cleaned_data["date"],
                    hours=form.cleaned_data["hours"],
                    description=form.cleaned_data["description"],
                    task=task,
                    project=task.project,
                    user=request.user,
                )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            past_sold = order_lines_past_sold_hours(line_ids=[line.sale_line_id])
            context = _timesheets_context(task, form=_new_timesheet_form(request), past_sold=past_sold)
            return render(request, "projects/partials/task_timesheets.html", context)
    return render(request, "projects/partials/task_timesheets.html", _timesheets_context(task, form=form))


def _line_of_task(task, line_pk) -> TimesheetLine:
    return get_object_or_404(task_selectors.task_timesheets(task=task), pk=line_pk)


@staff_required
def task_timesheet_edit(request, pk, line_pk):
    task = _task_or_404(request, pk)
    line = _line_of_task(task, line_pk)
    if request.method == "POST":
        edit_form = TimesheetForm(request.POST)
        if edit_form.is_valid():
            try:
                with transaction.atomic():
                    line = timesheet_services.timesheet_update(
                        line=line, user=request.user, **edit_form.cleaned_data
                    )
            except DomainError as exc:
                apply_domain_error(edit_form, exc)
            else:
                past_sold = order_lines_past_sold_hours(line_ids=[line.sale_line_id])
                return render(
                    request,
                    "projects/partials/task_timesheets.html",
                    _timesheets_context(task, form=_new_timesheet_form(request), past_sold=past_sold),
                )
    else:
        edit_form = TimesheetForm(
            initial={
                "date": line.date,
                "employee": line.employee_id,
                "description": line.description,
                "hours": line.hours,
            }
        )
    return render(
        request,
        "projects/partials/task_timesheets.html",
        _timesheets_context(task, form=_new_timesheet_form(request), edit_line=line, edit_form=edit_form),
    )


@staff_required
@require_POST
def task_timesheet_delete(request, pk, line_pk):
    task = _task_or_404(request, pk)
    line = _line_of_task(task, line_pk)
    error = ""
    try:
        with transaction.atomic():
            timesheet_services.timesheet_delete(line=line, user=request.user)
    except DomainError as exc:
        error = exc.message
    return render(
        request,
        "projects/partials/task_timesheets.html",
        _timesheets_context(task, form=_new_timesheet_form(request), error=error),
    )
