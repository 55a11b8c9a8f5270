"""core.policy: one rule per action, asked by browser views, the API, the admin and templates.

The table below is README's "Roles" table: every action × every role, with a real superuser
(pytest-django's `admin_user`, in no group) and the `admin` role (`admin_staff`).
"""

import logging

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core import policy
from core.navigation import nav_for
from invoicing.models import Invoice
from tests.factories import (
    InvoiceFactory,
    OrderFactory,
    OrderLineFactory,
    TeamFactory,
    TicketFactory,
    TimesheetLineFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STAFF = {"agent", "sales", "accountant", "admin"}
ROLES = ("agent", "sales", "accountant", "admin", "customer", "superuser")

# action -> the roles it allows (without an object; "superuser" where a staff role is allowed).
EXPECTED: dict[str, set[str]] = {
    "reference.view": STAFF | {"customer"},
    "reference.edit": {"admin"},
    "customer.view": STAFF,
    "customer.edit": {"sales", "admin"},
    "customer.delete": {"admin"},
    "portal_user.manage": {"sales", "admin"},
    "order.view": STAFF,
    "order.edit": {"sales"},
    "upsell.work": {"sales", "admin"},
    "contract.view": STAFF,
    "contract.edit": {"sales", "admin"},
    "invoice.view": {"sales", "accountant", "admin"},
    "invoice.create": {"sales", "accountant"},
    "invoice.edit": {"accountant"},
    "invoice.post": {"accountant"},
    "invoice.cancel": {"accountant", "sales"},  # sales: drafts only (object rule below)
    "invoice.credit": {"accountant"},
    "invoice.pay": {"accountant"},
    "invoice.send": {"accountant"},
    "invoice.download": {"accountant", "sales"},  # sales: drafts only
    "invoice.export": {"accountant"},
    "stock.view": {"sales", "accountant", "admin"},
    "stock.receive": {"sales", "admin"},
    "task.work": {"agent", "sales", "admin"},
    "project.edit": {"sales", "admin"},
    "employee_rate.view": STAFF,
    "employee_rate.edit": {"sales", "admin"},
    "timesheet.view": STAFF,
    "timesheet.log": {"agent", "admin"},
    "timesheet.read_all": {"sales", "accountant", "admin"},  # agents: own + their teams' lines
    "timesheet.change": {"agent", "admin"},  # their own lines (object rule below)
    "timesheet.log_for": {"agent", "admin"},
    "ticket.log_time": {"agent", "admin"},
    "timesheet.approve": {"admin"},
    "timer.use": {"agent", "admin"},
    "ticket.view": STAFF,
    "ticket.read_all": {"sales", "accountant", "admin"},  # agents: their teams' tickets
    "ticket.change": {"agent", "admin"},  # agents: their teams' tickets
    "ticket.create": {"agent", "admin"},
    "ticket.converse": STAFF | {"customer"},  # customers: their own tickets (a 404 otherwise)
    "ticket.reply": STAFF | {"customer"},  # staff: the ticket's team; customers: their own
    "team.edit": {"admin"},
    "report.hours": STAFF,
    "report.billing": {"sales", "accountant", "admin"},
    "admin.site": {"admin"},
    "portal.use": {"customer"},
}


def _allowed(expected: set[str], role: str) -> bool:
    if role == "superuser":  # every staff role, never a portal contact
        return bool(expected & STAFF)
    return role in expected


def test_the_table_names_every_rule():
    assert set(policy.actions()) == set(EXPECTED)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_who_may_do_what(users, action, role):
    assert policy.may(users[role], action) is _allowed(EXPECTED[action], role)


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_anonymous_and_inactive_users_may_do_nothing(action):
    from django.contrib.auth.models import AnonymousUser

    assert policy.may(AnonymousUser(), action) is False
    assert policy.may(UserFactory(username="gone", roles=sorted(STAFF), is_active=False), action) is False


def test_an_unknown_action_is_an_error_never_an_allow(agent):
    with pytest.raises(LookupError):
        policy.may(agent, "invoice.delete_everything")


# --- Object rules ------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["invoice.cancel", "invoice.download"])
def test_sales_cancel_and_download_drafts_only(users, action):
    draft = InvoiceFactory(state=Invoice.State.DRAFT)
    posted = InvoiceFactory(state=Invoice.State.POSTED, number="INV/2026/09001")
    assert policy.may(users["sales"], action, draft)
    assert not policy.may(users["sales"], action, posted)
    for role in ("accountant", "superuser"):
        assert policy.may(users[role], action, posted)


def test_agents_change_the_tickets_of_their_own_teams_only(users):
    own_team, other_team = TeamFactory(), TeamFactory()
    own_team.members.add(users["agent"])
    assert policy.may(users["agent"], "ticket.change", TicketFactory(team=own_team))
    assert not policy.may(users["agent"], "ticket.change", TicketFactory(team=other_team))
    assert policy.may(users["admin"], "ticket.change", TicketFactory(team=other_team))
    assert not policy.may(users["sales"], "ticket.change", TicketFactory(team=own_team))


def test_a_timesheet_line_is_changed_by_its_employee(users):
    line = TimesheetLineFactory(employee=users["agent"])
    colleague = UserFactory(username="colleague", roles=["agent"])
    assert policy.may(users["agent"], "timesheet.change", line)
    assert not policy.may(colleague, "timesheet.change", line)
    assert policy.may(users["superuser"], "timesheet.change", line)


def test_visibility_is_asked_through_the_policy(users):
    line = TimesheetLineFactory(employee=users["agent"])
    assert list(policy.visible(users["sales"], "timesheet.line")) == [line]
    assert list(policy.visible(users["customer"], "timesheet.line")) == []


def test_the_tickets_one_may_log_on_are_those_the_rule_allows(users):
    """The scope "ticket.log_time" (timer targets, week rows) answers like the rule, role by role."""
    own_team, other_team = TeamFactory(), TeamFactory()
    own_team.members.add(users["agent"], users["sales"])
    own, other = TicketFactory(team=own_team), TicketFactory(team=other_team)
    expected = {"agent": {own}, "admin": {own, other}, "superuser": {own, other}}
    for role, user in users.items():
        by_rule = {t for t in (own, other) if policy.may(user, "ticket.log_time", t)}
        assert by_rule == expected.get(role, set()), role
        assert set(policy.visible(user, "ticket.log_time")) == by_rule, role


def test_invoices_are_seen_through_the_policy_scope(users):
    """Staff see every invoice; a portal contact only the posted documents of their customers."""
    own_posted = InvoiceFactory(state=Invoice.State.POSTED, number="INV/2026/09101")
    own_draft = InvoiceFactory(customer=own_posted.customer, state=Invoice.State.DRAFT)
    other_posted = InvoiceFactory(state=Invoice.State.POSTED, number="INV/2026/09102")
    own_posted.customer.portal_users.add(users["customer"])
    everything = {own_posted, own_draft, other_posted}
    for role in ("agent", "sales", "accountant", "admin", "superuser"):
        assert set(policy.visible(users[role], "invoice")) == everything, role
    assert list(policy.visible(users["customer"], "invoice")) == [own_posted]


# --- Every face asks the same rule -------------------------------------------------------------


def _views(resolver=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def test_every_browser_view_names_a_rule_that_exists():
    named = {getattr(view, "policy_action", None) for view in _views()} - {None}
    assert named and named <= set(policy.actions())


@pytest.mark.parametrize("role", ROLES)
def test_invoice_creation_is_one_rule_in_the_browser_the_api_and_the_to_invoice_page(client, users, role):
    from rest_framework.test import APIClient

    line = OrderLineFactory(order=OrderFactory())
    order = line.order
    order.state = order.State.SALE
    order.save(update_fields=["state"])
    user = users[role]
    allowed = _allowed(EXPECTED["invoice.create"], role)
    client.force_login(user)
    dialog = client.get(reverse("invoicing:order_invoice_create", args=[order.pk]))
    to_invoice = client.get(reverse("projects:to_invoice"))
    api = APIClient()
    api.force_authenticate(user)
    # An empty method is a field error (400) for whoever may create; the rest are refused.
    answer = api.post(f"/api/v1/orders/{order.pk}/invoice/", {"method": "no-such-method"}, format="json")
    assert (dialog.status_code == 200) is allowed
    assert (to_invoice.status_code == 200) is allowed
    assert (answer.status_code == 403) is not allowed
    entries = {item["name"] for item in nav_for(user)}
    assert ("projects:to_invoice" in entries) is allowed


# --- Refusals: the reason, on the page, in the API and in the log --------------------------------


def test_a_refusal_shows_its_reason_and_a_way_back_and_logs_one_warning(client, seller, caplog):
    invoice = InvoiceFactory(state=Invoice.State.DRAFT)
    client.force_login(seller)
    came_from = "http://testserver" + reverse("invoicing:invoice_detail", args=[invoice.pk])
    with caplog.at_level(logging.WARNING, logger="portal.errors"):
        response = client.post(reverse("invoicing:invoice_post", args=[invoice.pk]), HTTP_REFERER=came_from)
    html = response.content.decode()
    assert response.status_code == 403
    assert "Only accountants post invoices." in html and f'href="{came_from}"' in html
    records = [r for r in caplog.records if r.name == "portal.errors"]
    assert len(records) == 1 and records[0].levelno == logging.WARNING and records[0].exc_info is None
    assert "Only accountants post invoices." in records[0].getMessage()


def test_the_api_answers_the_reason_in_detail(seller):
    from rest_framework.test import APIClient

    invoice = InvoiceFactory(state=Invoice.State.POSTED, number="INV/2026/09002")
    api = APIClient()
    api.force_authenticate(seller)
    response = api.post(f"/api/v1/invoices/{invoice.pk}/post/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only accountants post invoices."}


def test_a_foreign_referer_is_not_offered_as_the_way_back(client, customer_user):
    client.force_login(customer_user)
    response = client.get("/helpdesk/", HTTP_REFERER="https://evil.example/")
    assert response.status_code == 403 and "evil.example" not in response.content.decode()
    assert "The helpdesk is for staff." in response.content.decode()


# --- The Django admin asks the same table ------------------------------------------------------


def test_the_admin_follows_the_role_table_even_when_group_rows_drift(client, admin_staff, seller):
    from django.contrib.auth.models import Group

    Group.objects.get(name="admin").permissions.clear()
    admin_staff = type(admin_staff).objects.get(pk=admin_staff.pk)  # no cached permissions
    assert admin_staff.has_perm("helpdesk.change_team") and admin_staff.has_perm("sales.view_order")
    assert not admin_staff.has_perm("sales.change_order")  # orders are read-only in the admin
    assert not seller.has_perm("helpdesk.change_team")
    client.force_login(admin_staff)
    assert client.get(reverse("admin:helpdesk_team_changelist")).status_code == 200
    assert client.get(reverse("admin:sales_order_add")).status_code == 403
