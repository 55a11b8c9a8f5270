"""Staff pages of the portal: a customer's portal users (invite, resend, deactivate)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core import policy
from core.errors import DomainError
from core.views import apply_domain_error
from sales.models import Customer

from . import services
from .forms import PortalInviteForm

manager_required = policy.permission_required("portal_user.manage")


@manager_required
@require_http_methods(["GET", "POST"])
def customer_users(request, customer_id: int):
    """The customer's portal users and the invitation form (an e-mail with a set-password link)."""
    customer = get_object_or_404(Customer, pk=customer_id)
    form = PortalInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.portal_user_create(customer=customer, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"{user.username} is invited: an e-mail went to {user.email}.")
            return redirect("portal:customer_users", customer_id=customer.pk)
    users = customer.portal_users.order_by("-is_active", "username")
    context = {"customer": customer, "users": users, "form": form}
    return render(request, "portal/customer_users.html", context, status=400 if form.errors else 200)


def _portal_user(customer_id: int, user_id: int):
    customer = get_object_or_404(Customer, pk=customer_id)
    return customer, get_object_or_404(customer.portal_users, pk=user_id)


@manager_required
@require_POST
def customer_user_invite(request, customer_id: int, user_id: int):
    customer, user = _portal_user(customer_id, user_id)
    try:
        services.portal_user_invite(user=user, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"A new invitation went to {user.email}.")
    return redirect("portal:customer_users", customer_id=customer.pk)


@manager_required
@require_POST
def customer_user_deactivate(request, customer_id: int, user_id: int):
    customer, user = _portal_user(customer_id, user_id)
    try:
        services.portal_user_deactivate(user=user, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{user.username} is deactivated; their sessions and API tokens ended.")
    return redirect("portal:customer_users", customer_id=customer.pk)
