"""Who may do what: the one place that decides it (README "Roles").

Each action ("invoice.create", "ticket.change", ...) is a `rules` predicate over the user (and,
for object rules, the object) with the reason a refusal gives. Browser views
(`@policy.permission_required` / `policy.check`), the API (`core.api.PolicyMixin`), the Django
admin and templates (`{% may "invoice.post" invoice as can_post %}`) all ask here.

Role rules live in `ROLE_RULES` below. Rules that need an app's models (team membership, an
invoice's state) are registered by that app's `rules.py` with `register()`: `core` imports no app.
Object predicates accept `obj=None` ("could some object allow it?") so that a list or a form can
be offered before the object exists; the object check then runs with the object.

What a user may *see* (customer scoping, agents' teams) is a query: apps register it with
`register_scope()` and `visible()` answers it, so callers ask the policy, not a selector by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .roles import ROLE_PERMISSIONS

STAFF = ("agent", "sales", "accountant", "admin")


def role(*names: str) -> rules.Predicate:
    """Signed-in users holding one of `names`. A superuser holds every staff role but is
    nobody's portal contact (`User.has_role`)."""

    def holds(user) -> bool:
        return bool(user is not None and user.is_authenticated and user.is_active and user.has_role(*names))

    return rules.Predicate(holds, name="role:" + "|".join(names))


is_agent = role("agent")
is_sales = role("sales")
is_accountant = role("accountant")
is_admin = role("admin")
is_staff_member = role(*STAFF)
is_customer = role("customer")


@dataclass(frozen=True)
class Rule:
    predicate: rules.Predicate
    reason: str
    who: str  # for the README table and the refusal log


_RULES: dict[str, Rule] = {}
_RULESET = rules.RuleSet()
_SCOPES: dict[str, Callable] = {}


def register(action: str, predicate: rules.Predicate, *, reason: str, who: str) -> None:
    """Add (or, for an app refining a role rule with an object check, replace) one rule."""
    _RULES[action] = Rule(predicate, reason, who)
    _RULESET.set_rule(action, predicate)


def _role_rule(action: str, roles: tuple[str, ...], reason: str) -> None:
    register(action, role(*roles), reason=reason, who=", ".join(roles))


# action: (roles, reason). A superuser holds every staff role.
ROLE_RULES: dict[str, tuple[tuple[str, ...], str]] = {
    # Reference data (units, taxes, products): read by everyone signed in, kept by admins.
    "reference.view": ((*STAFF, "customer"), "Sign in to read units, taxes and products."),
    "reference.edit": (("admin",), "Only admins change units, taxes and products."),
    # Customers and their portal contacts.
    "customer.view": (STAFF, "Customers are for staff."),
    "customer.edit": (("sales", "admin"), "Only sales and admins change customers."),
    "customer.delete": (("admin",), "Only admins delete customers."),
    "portal_user.manage": (("sales", "admin"), "Sales and admins manage portal users."),
    # Quotations and orders.
    "order.view": (STAFF, "Orders are for staff."),
    "order.edit": (("sales",), "Only sales change quotations and orders."),
    "upsell.work": (("sales", "admin"), "The upsell list is for the sales team."),
    "contract.view": (STAFF, "Contracts are for staff."),
    "contract.edit": (("sales", "admin"), "Only sales and admins create or cancel contracts."),
    # Invoices: sales and accountants create drafts; accountants do the books.
    "invoice.view": (("sales", "accountant", "admin"), "Invoices are for sales, accountants and admins."),
    "invoice.create": (("sales", "accountant"), "Only sales and accountants create invoices."),
    "invoice.edit": (("accountant",), "Only accountants change invoices."),
    "invoice.post": (("accountant",), "Only accountants post invoices."),
    "invoice.cancel": (("accountant",), "Only accountants cancel invoices."),
    "invoice.credit": (("accountant",), "Only accountants issue credit notes."),
    "invoice.pay": (("accountant",), "Only accountants register payments."),
    "invoice.send": (("accountant",), "Only accountants send invoices."),
    "invoice.download": (("accountant",), "Only accountants download invoice documents."),
    "invoice.export": (("accountant",), "Only accountants export invoices."),
    # Stock of goods: read by sales, accountants and admins; receipts by sales and admins.
    "stock.view": (("sales", "accountant", "admin"), "The stock is for sales, accountants and admins."),
    "stock.receive": (("sales", "admin"), "Only sales and admins receive goods into stock."),
    # Projects, tasks, rates.
    "task.work": (("agent", "sales", "admin"), "Tasks are for agents and sales."),
    "project.edit": (("sales", "admin"), "Only sales and admins change projects."),
    "employee_rate.view": (STAFF, "Employee rates are for staff."),
    "employee_rate.edit": (("sales", "admin"), "Only sales and admins set employee rates."),
    # Time.
    "timesheet.view": (STAFF, "Timesheets are for staff."),
    "timesheet.log": (("agent", "admin"), "Only agents log time."),
    "timesheet.read_all": (("sales", "accountant", "admin"), "Agents read their own and their teams' time."),
    "timer.use": (("agent", "admin"), "Only agents track time."),
    # Helpdesk.
    "ticket.view": (STAFF, "The helpdesk is for staff."),
    "ticket.read_all": (("sales", "accountant", "admin"), "Agents read the tickets of their own teams."),
    "ticket.change": (("agent", "admin"), "Only the team's agents can change its tickets."),
    "ticket.create": (("agent", "admin"), "Only agents of a team can open tickets."),
    "team.edit": (("admin",), "Only admins configure helpdesk teams."),
    # Reports.
    "report.hours": (STAFF, "Reports are for the sales, accounting and support staff."),
    "report.billing": (("sales", "accountant", "admin"), "This report is for sales, accountants and admins."),
    # The Django admin site and the API docs (each model's admin asks its own rules).
    "admin.site": (("admin",), "The administration is for admins."),
    # The customer portal.
    "portal.use": (("customer",), "The customer portal is for customer contacts."),
}

for _action, (_roles, _reason) in ROLE_RULES.items():
    _role_rule(_action, _roles, _reason)


def rule(action: str) -> Rule:
    try:
        return _RULES[action]
    except KeyError:  # a typo must fail loudly, never allow
        raise LookupError(f"No policy rule named {action!r}.") from None


def may(user, action: str, obj=None) -> bool:
    rule(action)
    return _RULESET.test_rule(action, user, obj)


def reason(action: str) -> str:
    return rule(action).reason


def check(user, action: str, obj=None) -> None:
    """Raise PermissionDenied with the rule's reason (our 403 page / API `detail`)."""
    if not may(user, action, obj):
        raise PermissionDenied(reason(action))


def permission_required(action: str):
    """View decorator: anonymous visitors go to the login page; a user the rule refuses gets
    the 403 page with the rule's reason."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            check(request.user, action)
            return view(request, *args, **kwargs)

        wrapped.policy_action = action
        return wrapped

    return decorator


def actions() -> dict[str, Rule]:
    """Every rule by action name (the README table, the policy tests)."""
    return dict(_RULES)


# --- The Django admin's model permissions ------------------------------------------------------
# `core.roles` lists the model permissions each role holds in the Django admin ("which models
# admins configure"); the role groups' rows are written from it by a migration, and the `rules`
# backend (settings.AUTHENTICATION_BACKENDS) answers `user.has_perm("sales.change_customer")`
# from it here, so the admin's has_*_permission follow the roles too.


def _register_model_permissions() -> None:
    holders: dict[str, set[str]] = {}
    for role_name, models in ROLE_PERMISSIONS.items():
        for label, verbs in models.items():
            app_label, model = label.split(".")
            for verb in verbs:
                holders.setdefault(f"{app_label}.{verb}_{model}", set()).add(role_name)
    for permission, names in holders.items():
        rules.set_perm(permission, role(*sorted(names)))


_register_model_permissions()


# --- Object visibility -------------------------------------------------------------------------


def register_scope(name: str, query: Callable) -> None:
    """`query(user)` answers the objects of kind `name` the user may see (a QuerySet)."""
    _SCOPES[name] = query


def visible(user, name: str):
    try:
        query = _SCOPES[name]
    except KeyError:
        raise LookupError(f"No visibility scope named {name!r}.") from None
    return query(user)
