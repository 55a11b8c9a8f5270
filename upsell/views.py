"""Browser views: the upsell list (sales) and "My activities" (+ the header count)."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from core import policy
from core.display import format_hours
from core.errors import DomainError
from core.filters import filter_for_page
from core.form_fields import DecimalTextField
from core.listing import SORT_PARAM, list_context
from sales.models import Order

from . import selectors, services
from .filters import UPSELL_SORTS, UpsellFilter
from .models import Activity

PAGE_SIZE = 25
ADD_HOURS_ERRORS = {
    "required": "Enter the hours to add.",
    "invalid": "Enter the hours as a number, e.g. 20 or 12.5.",
    "min_value": "Enter a quantity greater than zero.",
    "max_decimal_places": "Enter the hours with at most two decimals, e.g. 12.25.",
    "max_digits": "That is more hours than one order line holds.",
    "max_whole_digits": "That is more hours than one order line holds.",
}


def _order_url(order_id: int) -> str | None:
    try:
        return reverse("sales:order_detail", args=[order_id])
    except NoReverseMatch:
        return None


def _add_hours_form(order: Order, data=None, initial_product: int | None = None) -> forms.Form:
    """A small form: product (the order's prepaid products) + quantity."""
    products = {
        p.pk: p for p in getattr(order, "_products", None) or selectors.upsell_order_products(order=order)
    }

    class _Form(forms.Form):
        product = forms.TypedChoiceField(
            choices=[(pk, p.name) for pk, p in products.items()], coerce=int, label="Product"
        )
        quantity = DecimalTextField(
            min_value=Decimal("0.01"),
            max_digits=12,
            decimal_places=2,
            label="Hours to add",
            error_messages=ADD_HOURS_ERRORS,
        )

    form = _Form(data, prefix=f"o{order.pk}", initial={"product": initial_product})
    form.products = products
    return form


def _products_by_order(rows) -> None:
    """Attach the prepaid products to each order (from the prefetched lines: no query)."""
    for row in rows:
        seen = {}
        for ln in row["lines"]:
            if ln["line"].product_id and ln["line"].product_id not in seen:
                seen[ln["line"].product_id] = ln["line"].product
        row["order"]._products = list(seen.values())


@policy.permission_required("upsell.work")
@require_GET
def upsell_list(request):
    return _render_list(request)


def _render_list(request, *, bound_form=None, status=200):
    filterset = UpsellFilter(request.GET, queryset=selectors.upsell_orders(), request=request)
    sort = UPSELL_SORTS.parse(request.GET.get(SORT_PARAM))
    orders = UPSELL_SORTS.order(filter_for_page(filterset), sort)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.upsell_rows(page.object_list)
    _products_by_order(rows)
    for row in rows:
        order = row["order"]
        if bound_form is not None and bound_form.prefix == f"o{order.pk}":
            row["form"] = bound_form
        else:
            flagged = [ln["line"].product_id for ln in row["lines"] if ln["flagged"]]
            row["form"] = _add_hours_form(order, initial_product=flagged[0] if flagged else None)
        row["url"] = _order_url(order.pk)
    context = {**list_context(request, sort=sort, page=page, filterset=filterset), "rows": rows}
    return render(request, "sales/upsell/list.html", context, status=status)


@policy.permission_required("upsell.work")
@require_POST
def upsell_add_hours(request, order_id: int):
    order = get_object_or_404(Order.objects.select_related("customer"), pk=order_id, state=Order.State.SALE)
    form = _add_hours_form(order, request.POST)
    if form.is_valid():
        try:
            services.upsell_add_hours(
                order=order,
                product=form.products[form.cleaned_data["product"]],
                quantity=form.cleaned_data["quantity"],
                user=request.user,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            added = format_hours(form.cleaned_data["quantity"], unit=True)
            messages.success(request, f"{added} added to {order.name}.")
            return redirect("sales:upsell_list")
    return _render_list(request, bound_form=form, status=400)


@policy.permission_required("upsell.work")
@require_POST
def upsell_lock(request, order_id: int):
    order = get_object_or_404(Order, pk=order_id, state=Order.State.SALE)
    try:
        services.upsell_lock_order(order=order, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{order.name} is locked.")
    return redirect("sales:upsell_list")


# --- Activities -------------------------------------------------------------------------------


@login_required
@require_GET
def activity_list(request):
    show_done = request.GET.get("done") == "1"
    activities = selectors.activities_for(user=request.user, include_done=show_done)
    return render(
        request,
        "sales/upsell/activities.html",
        {"activities": activities, "show_done": show_done, "today": timezone.localdate()},
    )


@login_required
@require_POST
def activity_toggle(request, pk: int, done: bool):
    # Object by object: someone else's activity is a 404.
    activity = get_object_or_404(Activity.objects.select_related("order__customer"), pk=pk, user=request.user)
    activity = services.activity_mark_done(activity=activity, user=request.user, done=done)
    if request.htmx:
        response = render(
            request, "sales/upsell/_activity_row.html", {"a": activity, "today": timezone.localdate()}
        )
        return trigger_client_event(response, "activities-changed")
    return redirect("sales:activity_list")


@login_required
@require_GET
def activity_count(request):
    """The header widget's number (loaded by htmx, so pages pay no query for it)."""
    if not policy.may(request.user, "upsell.work"):
        return HttpResponse("")
    count = selectors.activity_open_count(user=request.user)
    return render(request, "sales/partials/_activity_count.html", {"count": count})
