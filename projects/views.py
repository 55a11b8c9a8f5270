"""Browser screens of projects and field service. Thin: forms validate, services decide."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from audit.selectors import audit_history
from core import policy
from core.errors import DomainError
from core.filters import filter_for_page
from core.listing import SORT_PARAM, list_context
from core.panels import page_context, page_queryset
from core.views import apply_domain_error

from . import selectors, services
from .filters import TASK_SORTS, TaskFilter
from .forms import MaterialForm, SignForm, TaskForm
from .models import Task

PAGE_SIZE = 50


# Agents and sales work tasks (core.policy "task.work").
staff_required = policy.permission_required("task.work")


def _task_or_404(request, pk) -> Task:
    try:
        return selectors.task_for_page(user=request.user, pk=pk)
    except Task.DoesNotExist as exc:
        raise Http404("No such task") from exc


# --- Projects --------------------------------------------------------------------------------


@staff_required
def project_list(request):
    projects = selectors.project_list(user=request.user)
    return render(request, "projects/project_list.html", {"projects": projects})


@staff_required
def project_detail(request, pk):
    project = get_object_or_404(
        selectors.projects_visible_to(user=request.user).select_related("customer", "sale_line__order"), pk=pk
    )
    return render(
        request,
        "projects/project_detail.html",
        {"project": project, "columns": selectors.project_board(project=project)},
    )


# --- Tasks -----------------------------------------------------------------------------------


@staff_required
def task_list(request):
    params = request.GET.copy()
    params.setdefault("state", "open")
    filterset = TaskFilter(params, queryset=selectors.tasks_visible_to(user=request.user), request=request)
    sort = TASK_SORTS.parse(request.GET.get(SORT_PARAM))
    tasks = selectors.task_list_rows(filter_for_page(filterset))
    tasks = page_queryset("projects:task_list", tasks)  # + the hours column (timesheets)
    tasks = TASK_SORTS.order(tasks, sort) if sort.key else tasks.order_by("is_done", "-id")
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/task_list.html",
        {**list_context(request, sort=sort, page=page, filterset=filterset), "tasks": page.object_list},
    )


def _materials_context(task, *, form=None, error=""):
    return {
        "task": task,
        "materials": list(task.materials.select_related("product__uom", "sale_line").order_by("id")),
        "material_form": form or MaterialForm(),
        "material_error": error,
    }


@staff_required
def task_detail(request, pk):
    task = _task_or_404(request, pk)
    if request.method == "POST":
        form = TaskForm(request.POST, instance=Task.objects.get(pk=task.pk))
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.changed_data if name in form.fields}
            try:
                services.task_update(task=task, user=request.user, **fields)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "Task saved.")
                return redirect("projects:task_detail", pk=task.pk)
    else:
        form = TaskForm(instance=task)
    context = {
        "task": task,
        "form": form,
        "order": services.task_order(task),
        "tickets": list(task.tickets.select_related("stage", "team").all()),
        # The task's time lines, the form to log more and the timer: the timesheets app adds
        # them, with the templates that show them (timesheets_template, timer_template).
        **page_context("projects:task_detail", request=request, task=task),
        **_materials_context(task),
        "history": audit_history(obj=task),
    }
    return render(request, "projects/task_detail.html", context)


@staff_required
def task_signature(request, pk):
    task = _task_or_404(request, pk)
    if not task.signature:
        raise Http404("Not signed")
    return FileResponse(task.signature.open("rb"), content_type="image/png")


@staff_required
@require_POST
def task_material_add(request, pk):
    """htmx: add goods used on the task (adds or increases a line on the task's order)."""
    task = _task_or_404(request, pk)
    form = MaterialForm(request.POST)
    error = added = ""
    if form.is_valid():
        try:
            material = services.task_material_add(
                task=task,
                product=form.cleaned_data["product"],
                quantity=form.cleaned_data["quantity"],
                user=request.user,
            )
        except DomainError as exc:
            if exc.field in ("product", "quantity"):
                apply_domain_error(form, exc)
            else:
                error = exc.message
        else:
            form = None
            product = material.product
            added = f"Added: {product.name}, now {material.quantity} {product.uom} on this task."
    context = _materials_context(task, form=form, error=error)
    context["material_added"] = added
    return render(request, "projects/partials/task_materials.html", context)


@staff_required
@require_POST
def task_done(request, pk):
    task = _task_or_404(request, pk)
    try:
        services.task_mark_done(task=task, user=request.user)
    except DomainError as exc:
        messages.error(request, f"The task was not marked as done: {exc.message}")
    else:
        messages.success(request, "Task marked as done: materials delivered and stock updated.")
    return redirect("projects:task_detail", pk=task.pk)


@staff_required
def task_sign(request, pk):
    """The customer signs the worksheet on the device (canvas) with their name."""
    task = _task_or_404(request, pk)
    if request.method == "POST":
        form = SignForm(request.POST)
        if form.is_valid():
            try:
                services.task_sign(
                    task=task,
                    signature=form.cleaned_data["signature"],
                    signed_by=form.cleaned_data["signed_by"],
                    user=request.user,
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "Worksheet signed. The report is e-mailed to the customer.")
                return redirect("projects:task_detail", pk=task.pk)
    else:
        form = SignForm(initial={"signed_by": task.signed_by})
    from .worksheet import worksheet_context

    context = worksheet_context(task)
    context.update({"form": form, "signature_uri": ""})
    return render(request, "projects/task_sign.html", context)


@staff_required
def task_worksheet_pdf(request, pk):
    """The signed worksheet as stored; before signing, a preview rendered on the fly."""
    task = _task_or_404(request, pk)
    if task.worksheet_pdf:
        return FileResponse(
            task.worksheet_pdf.open("rb"), content_type="application/pdf", filename=f"worksheet-{task.pk}.pdf"
        )
    from .worksheet import render_worksheet_pdf

    response = HttpResponse(render_worksheet_pdf(task), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="worksheet-{task.pk}-preview.pdf"'
    return response


@staff_required
@require_POST
def task_worksheet_send(request, pk):
    task = _task_or_404(request, pk)
    if not task.signature:
        messages.error(request, "The worksheet must be signed before it is sent.")
    else:
        services.worksheet_send_later(task=task)
        messages.success(request, "The signed worksheet is being sent to the customer.")
    return redirect("projects:task_detail", pk=task.pk)


@staff_required
@require_POST
def task_move(request, pk):
    """Move a task to another stage (the project board's drag and drop and its select); answers
    "pipeline-changed" so the board reloads, or the refusal (400) that the board says."""
    task = _task_or_404(request, pk)
    try:
        services.task_update(task=task, user=request.user, stage=request.POST.get("stage", ""))
    except DomainError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    if request.htmx:
        return trigger_client_event(HttpResponse(status=204), "pipeline-changed")
    return redirect("projects:project_detail", pk=task.project_id)
