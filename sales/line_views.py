"""The lines section of the order page (htmx): show, edit, add and remove lines with live amounts.

Writes go through `sales.services.order_lines_update` (the lines of an order written at once)
and `order_line_delete`; the page's own view (`sales.views.order_detail`) renders the section
through `lines_context`.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import policy
from core.errors import DomainError
from core.money import ZERO, line_subtotal, tax_amount

from . import selectors, services
from .forms import OrderLineForm
from .models import Order, OrderLine, Product

EDITABLE_LINES = (Order.State.DRAFT,)
LINES_CAN_BE_ADDED = (Order.State.DRAFT, Order.State.SALE)
LINES_FIXED = "The lines of a confirmed order are fixed; add a line instead."
NO_NEW_LINES = "A locked or cancelled order takes no new lines."


def order_or_404(pk) -> Order:
    return get_object_or_404(Order.objects.select_related("customer", "salesperson"), pk=pk)


def _lines(order: Order) -> list[OrderLine]:
    """The order's lines with `remaining_hours` annotated in the same query."""
    qs = order.lines.select_related("product", "uom__category", "tax").order_by("sequence", "id")
    return list(selectors.order_lines_with_remaining_hours(qs))


def _bind(form, order):
    if form is not None:
        form.bind_htmx(
            compute_url=reverse("sales:order_line_compute", args=[order.pk]),
            product_url=reverse("sales:order_line_product", args=[order.pk]),
        )
    return form


def lines_context(request, order: Order, *, editing=None, form=None, error="") -> dict:
    _bind(form, order)
    can_write = policy.may(request.user, "order.edit")
    return {
        "order": order,
        "lines": _lines(order),
        "editable": can_write and order.state in EDITABLE_LINES,
        "can_add": can_write and order.state in LINES_CAN_BE_ADDED,
        "confirmed": order.state in (Order.State.SALE, Order.State.DONE),
        "editing": editing,
        "line_form": form,
        "lines_error": error,
        **(_amounts(form) if form is not None and form.is_bound else {}),
    }


def _render_lines(request, order, **kwargs):
    order.refresh_from_db()
    return render(request, "sales/partials/order_lines.html", lines_context(request, order, **kwargs))


def _line(order: Order, line_id) -> OrderLine:
    try:
        return order.lines.select_related("product", "uom", "tax").get(pk=int(line_id))
    except (OrderLine.DoesNotExist, ValueError, TypeError):
        raise Http404("No such line on this order.") from None


def _line_form_initial(line: OrderLine) -> dict:
    return {
        "product": line.product,
        "description": line.description,
        "quantity": line.quantity,
        "uom": line.uom,
        "price_unit": line.price_unit,
        "discount": line.discount,
        "tax": line.tax,
    }


@policy.permission_required("order.edit")
def order_line_form(request, pk):
    """GET ?line=<id> (edit) or nothing (new): the lines section with that row as a form."""
    order = order_or_404(pk)
    line_id = request.GET.get("line")
    if line_id:
        if order.state not in EDITABLE_LINES:
            raise PermissionDenied(LINES_FIXED)
        line = _line(order, line_id)
        form = OrderLineForm(initial=_line_form_initial(line), prefix_key=str(line.pk))
        return _render_lines(request, order, editing=line.pk, form=form)
    if order.state not in LINES_CAN_BE_ADDED:
        raise PermissionDenied(NO_NEW_LINES)
    return _render_lines(request, order, editing="new", form=OrderLineForm(prefix_key="new"))


@require_POST
@policy.permission_required("order.edit")
def order_line_product(request, pk):
    """The product changed in a line form: the row again, with unit, price, tax from the product."""
    order = order_or_404(pk)
    key = request.POST.get("key") or "new"
    data = request.POST.copy()
    try:
        product = Product.objects.select_related("uom").get(pk=int(data.get("product") or 0))
    except (Product.DoesNotExist, ValueError):
        product = None
    if product is not None:
        for name, value in OrderLineForm.initial_for_product(product).items():
            data[name] = getattr(value, "pk", value) if value is not None else ""
    form = OrderLineForm(data, prefix_key=key)
    form.is_valid()  # for the amounts; errors are only shown when saving
    amounts = _amounts(form)
    form = OrderLineForm(initial=dict(form.cleaned_data), prefix_key=key)
    _bind(form, order)
    context = {
        "order": order,
        "line_form": form,
        "editing": key,
        "confirmed": order.state != Order.State.DRAFT,
    }
    return render(request, "sales/partials/order_line_form_row.html", {**context, **amounts})


def _amounts(form: OrderLineForm) -> dict:
    data = getattr(form, "cleaned_data", {}) or {}
    try:
        subtotal = line_subtotal(
            data.get("quantity") or 0, data.get("price_unit") or 0, data.get("discount") or 0
        )
    except (TypeError, ValueError, ArithmeticError):
        subtotal = ZERO
    tax = data.get("tax")
    tax_value = tax_amount(subtotal, tax.rate) if tax else ZERO
    return {"amount_subtotal": subtotal, "amount_tax": tax_value, "amount_total": subtotal + tax_value}


@require_POST
@policy.permission_required("order.edit")
def order_line_compute(request, pk):
    """Live amounts of the line being edited and the order totals with it (out-of-band swaps)."""
    order = order_or_404(pk)
    key = request.POST.get("key") or "new"
    form = OrderLineForm(request.POST, prefix_key=key)
    form.is_valid()
    amounts = _amounts(form)
    untaxed, tax = order.amount_untaxed, order.amount_tax
    if key != "new":
        line = _line(order, key)
        untaxed, tax = untaxed - line.price_subtotal, tax - line.price_tax
    untaxed, tax = untaxed + amounts["amount_subtotal"], tax + amounts["amount_tax"]
    totals = {"order_untaxed": untaxed, "order_tax": tax, "order_total": untaxed + tax}
    return render(request, "sales/partials/order_line_amounts.html", {"key": key, **amounts, **totals})


@require_POST
@policy.permission_required("order.edit")
def order_line_save(request, pk):
    order = order_or_404(pk)
    key = request.POST.get("key") or "new"
    line = None
    if key != "new":
        line = _line(order, key)
        if order.state not in EDITABLE_LINES:
            raise PermissionDenied(LINES_FIXED)
    elif order.state not in LINES_CAN_BE_ADDED:
        raise PermissionDenied(NO_NEW_LINES)
    form = OrderLineForm(request.POST, prefix_key=key)
    if form.is_valid():
        values = dict(form.cleaned_data)
        if line is not None:
            values.pop("product")  # a line keeps its product
            values["id"] = line.pk
        try:
            services.order_lines_update(order=order, user=request.user, lines=[values], remove_missing=False)
        except DomainError as error:
            # The service names the line's field (`lines[0].quantity`); this form is that line.
            field = (error.field or "").partition(".")[2]
            form.add_error(field if field in form.fields else None, error.message)
        else:
            return _render_lines(request, order)
    return _render_lines(request, order, editing=line.pk if line else "new", form=form)


@require_POST
@policy.permission_required("order.edit")
def order_line_delete(request, pk, line_id):
    order = order_or_404(pk)
    line = _line(order, line_id)
    try:
        with transaction.atomic():
            services.order_line_delete(line=line, user=request.user)
    except DomainError as error:
        return _render_lines(request, order, error=error.message)
    return _render_lines(request, order)


@policy.permission_required("order.view")
def order_lines(request, pk):
    """The lines section as displayed (used by Cancel in a line form)."""
    return _render_lines(request, order_or_404(pk))
