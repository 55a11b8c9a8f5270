from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from . import policy
from .home import home_sections
from .links import link_url


def int_or_none(value) -> int | None:
    """A query or form parameter as an int, None when missing or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def apply_domain_error(form, error) -> None:
    """Show a service's refusal (core.errors.DomainError) next to the field it names, or above
    the form when it names no field of this form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


@login_required
def home(request):
    # Portal contacts land on their portal; staff get the tiles of their role.
    customer_only = policy.may(request.user, "portal.use") and not policy.is_staff_member(request.user)
    if customer_only and (portal_home := link_url("portal.home")):
        return redirect(portal_home)
    return render(request, "home.html", {"sections": home_sections(request.user)})
