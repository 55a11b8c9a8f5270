"""Browser screens of sales: customers, quotations and orders (with htmx line editing).

Thin views: writes go through sales.services, derived figures come from the stored columns
and sales.selectors.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST

from audit.selectors import audit_history
from core import policy
from core.errors import DomainError
from core.filters import filter_for_page
from core.listing import SORT_PARAM, list_context
from core.money import ZERO, line_subtotal, tax_amount
from core.panels import page_context, render_panels
from core.units import convert_quantity
from core.views import apply_domain_error

from . import selectors, services
from .filters import CUSTOMER_SORTS, ORDER_SORTS, CustomerListFilter, OrderListFilter
from .forms import (
    CustomerForm,
    OrderCreateForm,
    OrderHeaderForm,
    OrderLineForm,
)
from .models import Customer, Order, OrderLine, Product, UomCategory

PAGE_SIZE = 25
EDITABLE_LINES = (Order.State.DRAFT,)
EDITABLE_HEADER = (Order.State.DRAFT,)
LINES_CAN_BE_ADDED = (Order.State.DRAFT, Order.State.SALE)
LINES_FIXED = "The lines of a confirmed order are fixed; add a line instead."
NO_NEW_LINES = "A locked or cancelled order takes no new lines."


def safe_url(name: str, *args) -> str:
    """A URL of another app's screen, or "" while that screen does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- Customers ----------------------------------------------------------------------------------


@policy.permission_required("customer.view")
def customer_list(request):
    customers = Customer.objects.annotate(
        order_count=Count("orders", filter=~Q(orders__state=Order.State.CANCEL), distinct=True),
    )
    filterset = CustomerListFilter(request.GET, queryset=customers, request=request)
    sort = CUSTOMER_SORTS.parse(request.GET.get(SORT_PARAM))
    page = Paginator(CUSTOMER_SORTS.order(filter_for_page(filterset), sort), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "sales/customer_list.html",
        {
            **list_context(request, sort=sort, page=page, filterset=filterset),
            "page": page,
            "can_edit": policy.may(request.user, "customer.edit"),
        },
    )


@policy.permission_required("customer.edit")
def customer_create(request):
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        customer = form.save()
        messages.success(request, f"Customer {customer} created.")
        return redirect("sales:customer_detail", pk=customer.pk)
    return render(request, "sales/customer_form.html", {"form": form, "customer": None})


@policy.permission_required("customer.edit")
def customer_edit(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Customer {customer} saved.")
        return redirect("sales:customer_detail", pk=customer.pk)
    return render(request, "sales/customer_form.html", {"form": form, "customer": customer})


def prepaid_hours(customer: Customer) -> list[dict]:
    """Per confirmed prepaid line in a time unit: hours sold / used / left."""
    hours = selectors.uom_reference(kind=UomCategory.Kind.TIME)
    rows = []
    for line in selectors.customer_sale_lines(customer=customer).select_related("order", "uom__category"):
        if line.invoice_policy != "prepaid" or getattr(line, "remaining_hours", None) is None:
            continue
        sold = convert_quantity(line.quantity, line.uom, hours)
        used = sold - line.remaining_hours
        rows.append({"line": line, "sold": sold, "used": used, "left": line.remaining_hours})
    return rows


@policy.permission_required("customer.view")
def customer_detail(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    orders = customer.orders.select_related("salesperson").order_by("-order_date", "-id")[:50]
    invoices = customer.invoices.select_related("order").order_by("-id")[:50]
    tickets = list(customer.tickets.select_related("stage", "team", "assignee").order_by("-id")[:50])
    for ticket in tickets:
        ticket.url = safe_url("helpdesk:ticket_detail", ticket.pk)
    return render(
        request,
        "sales/customer_detail.html",
        {
            "customer": customer,
            "orders": orders,
            "invoices": invoices,
            "tickets": tickets,
            "prepaid": prepaid_hours(customer),
            "can_edit": policy.may(request.user, "customer.edit"),
            # The portal (a room above) manages the customer's portal users.
            "portal_users_url": safe_url("portal:customer_users", customer.pk)
            if policy.may(request.user, "portal_user.manage")
            else "",
        },
    )


# --- Orders -------------------------------------------------------------------------------------


@policy.permission_required("order.view")
def order_list(request):
    filterset = OrderListFilter(
        request.GET, queryset=Order.objects.select_related("customer", "salesperson"), request=request
    )
    sort = ORDER_SORTS.parse(request.GET.get(SORT_PARAM))
    orders = ORDER_SORTS.order(filter_for_page(filterset), sort)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sales/order_list.html",
        {
            **list_context(request, sort=sort, page=page, filterset=filterset),
            "page": page,
            "can_create": policy.may(request.user, "order.edit"),
        },
    )


@policy.permission_required("order.edit")
def order_create(request):
    initial = {"salesperson": request.user, "customer": request.GET.get("customer")}
    form = OrderCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                order = services.order_create(user=request.user, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"Quotation {order.name} created. Add its lines below.")
            return redirect("sales:order_detail", pk=order.pk)
    return render(request, "sales/order_create.html", {"form": form})


def _order(pk) -> Order:
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


def _lines_context(request, order: Order, *, editing=None, form=None, error="") -> dict:
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


@require_http_methods(["GET", "POST"])
@policy.permission_required("order.view")
def order_detail(request, pk):
    """The order page. GET ?edit=header shows the header of a quotation as a form; POST saves it."""
    order = _order(pk)
    user = request.user
    can_write = policy.may(user, "order.edit")
    header_form, status = None, 200
    if request.method == "POST":
        policy.check(user, "order.edit")
        header_form, status = OrderHeaderForm(request.POST), 400
        if header_form.is_valid():
            try:
                services.order_update(order=order, user=user, **header_form.cleaned_data)
            except DomainError as error:
                apply_domain_error(header_form, error)
                status = error.status_code
            else:
                messages.success(request, f"{order.name} saved.")
                return redirect("sales:order_detail", pk=order.pk)
    elif can_write and order.state in EDITABLE_HEADER and request.GET.get("edit") == "header":
        header_form = OrderHeaderForm(initial=OrderHeaderForm.initial_for(order))
    context = _lines_context(request, order)
    context.update(
        {
            "header_form": header_form,
            "can_edit_header": can_write and order.state in EDITABLE_HEADER,
            "can_confirm": can_write and order.state == Order.State.DRAFT,
            "can_lock": can_write and order.state == Order.State.SALE,
            # order_cancel refuses an order with anything invoiced: so does the button.
            "can_cancel": can_write
            and order.state in (Order.State.DRAFT, Order.State.SALE)
            and not any(line.qty_invoiced for line in context["lines"]),
            "can_invoice": policy.may(user, "invoice.create") and order.is_invoiceable,
        }
    )
    if order.state != Order.State.DRAFT:
        # Tickets, tasks and time lines of the order: the apps above sales add them.
        context.update(page_context("sales:order_detail", order=order))
    context["invoices"] = order.invoices.order_by("-id")
    context["panels"] = render_panels("sales:order_detail", request=request, order=order)
    context["history"] = audit_history(obj=order)
    return render(request, "sales/order_detail.html", context, status=status)


def _transition(request, pk, action, success):
    order = _order(pk)
    try:
        with transaction.atomic():
            action(order=order, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success.format(order=order))
    return redirect("sales:order_detail", pk=order.pk)


@require_POST
@policy.permission_required("order.edit")
def order_confirm(request, pk):
    return _transition(request, pk, services.order_confirm, "{order.name} confirmed.")


@require_POST
@policy.permission_required("order.edit")
def order_lock(request, pk):
    return _transition(request, pk, services.order_lock, "{order.name} locked.")


@require_POST
@policy.permission_required("order.edit")
def order_cancel(request, pk):
    return _transition(request, pk, services.order_cancel, "{order.name} cancelled.")


# --- Order lines (htmx) -------------------------------------------------------------------------


def _render_lines(request, order, **kwargs):
    order.refresh_from_db()
    return render(request, "sales/partials/order_lines.html", _lines_context(request, order, **kwargs))


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
    order = _order(pk)
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
    order = _order(pk)
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
    order = _order(pk)
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
    order = _order(pk)
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
        fields = dict(form.cleaned_data)
        try:
            with transaction.atomic():
                if line is None:
                    services.order_line_add(order=order, user=request.user, **fields)
                else:
                    fields.pop("product")
                    services.order_line_update(line=line, user=request.user, **fields)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return _render_lines(request, order)
    return _render_lines(request, order, editing=line.pk if line else "new", form=form)


@require_POST
@policy.permission_required("order.edit")
def order_line_delete(request, pk, line_id):
    order = _order(pk)
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
    return _render_lines(request, _order(pk))
