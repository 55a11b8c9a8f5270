"""Browser screens of sales: customers, quotations and orders (the lines section, edited in
place with htmx, is `sales.line_views`).

Thin views: writes go through sales.services, derived figures come from the stored columns
and sales.selectors.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from audit.selectors import audit_history
from core import policy
from core.errors import DomainError
from core.filters import filter_for_page
from core.links import link_url
from core.listing import SORT_PARAM, list_context
from core.panels import page_context, render_panels
from core.units import convert_quantity
from core.views import apply_domain_error

from . import selectors, services
from .filters import CUSTOMER_SORTS, ORDER_SORTS, CustomerListFilter, OrderListFilter
from .forms import (
    CustomerForm,
    OrderCreateForm,
    OrderHeaderForm,
)
from .line_views import lines_context, order_or_404
from .models import Customer, Order, Product, UomCategory

PAGE_SIZE = 25
EDITABLE_HEADER = (Order.State.DRAFT,)


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
        if line.invoice_policy != Product.InvoicePolicy.PREPAID or line.remaining_hours is None:
            continue
        sold = convert_quantity(line.quantity, line.uom, hours)
        used = sold - line.remaining_hours
        rows.append({"line": line, "sold": sold, "used": used, "left": line.remaining_hours})
    return rows


@policy.permission_required("customer.view")
def customer_detail(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    orders = customer.orders.select_related("salesperson").order_by("-order_date", "-id")[:50]
    return render(
        request,
        "sales/customer_detail.html",
        {
            "customer": customer,
            "orders": orders,
            # Its invoices and tickets: the apps above sales add them.
            **page_context("sales:customer_detail", request=request, customer=customer),
            "prepaid": prepaid_hours(customer),
            "can_edit": policy.may(request.user, "customer.edit"),
            # The portal (a room above) manages the customer's portal users.
            "portal_users_url": link_url("customer.portal_users", customer.pk)
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


@require_http_methods(["GET", "POST"])
@policy.permission_required("order.view")
def order_detail(request, pk):
    """The order page. GET ?edit=header shows the header of a quotation as a form; POST saves it."""
    order = order_or_404(pk)
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
    context = lines_context(request, order)
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
        # Invoices, tickets, tasks and time lines of the order: the apps above sales add them.
        context.update(page_context("sales:order_detail", order=order))
    context["panels"] = render_panels("sales:order_detail", request=request, order=order)
    context["history"] = audit_history(obj=order)
    return render(request, "sales/order_detail.html", context, status=status)


def _transition(request, pk, action, success):
    order = order_or_404(pk)
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
