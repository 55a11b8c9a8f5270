"""Timesheet approval per project (SPEC Time policy): submit a week, approve or reject with a
reason; only approved lines are invoiced on post-paid lines; submitted and approved lines are
locked for their author; the weeks waiting for approval, with their count in the header."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from core.errors import ConflictError, DomainError
from invoicing.services import invoice_create_from_order
from sales import services as sales
from tests.clock import frozen_on
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory, UserFactory
from timesheets import approvals
from timesheets import services as timesheets
from timesheets.models import ApprovalState

pytestmark = [pytest.mark.django_db, frozen_on(datetime.date(2026, 3, 13))]

D = Decimal
MONDAY = datetime.date(2026, 3, 9)


@pytest.fixture
def approval_line(agent):
    customer = CustomerFactory()
    seller = UserFactory(username="seller", roles=["sales"])
    order = sales.order_create(
        customer=customer,
        user=seller,
        lines=[{"product": ProductFactory(timesheet=True, price=D("100.00")), "quantity": D("10")}],
    )
    sales.order_confirm(order=order, user=seller)
    project = ProjectFactory(customer=customer, requires_approval=True)
    line = order.lines.get()

    def log(day, hours):
        return timesheets.timesheet_log(
            employee=agent, date=day, hours=D(hours), user=agent, project=project, sale_line=line
        )

    return line, log


def test_lines_wait_for_approval_before_a_post_paid_line_bills_them(approval_line, agent, admin_staff):
    line, log = approval_line
    ts = log(MONDAY, "2")
    log(MONDAY + datetime.timedelta(days=2), "1.5")
    assert ts.approval_state == ApprovalState.DRAFT
    line.refresh_from_db()
    assert line.qty_delivered == 0
    with pytest.raises(DomainError, match="nothing to invoice"):
        invoice_create_from_order(order=line.order, user=None)

    assert approvals.timesheet_week_submit(employee=agent, week=MONDAY, user=agent) == 2
    assert (
        approvals.timesheet_week_approve(
            employee=agent, week=MONDAY + datetime.timedelta(days=4), user=admin_staff
        )
        == 2
    )
    line.refresh_from_db()
    assert line.qty_delivered == D("3.5")
    invoice = invoice_create_from_order(order=line.order, user=None)
    assert invoice.lines.get().quantity == D("3.5")
    assert invoice.timesheets.count() == 2


def test_submitted_and_approved_lines_are_locked_for_their_author(approval_line, agent, admin_staff):
    _, log = approval_line
    ts = log(MONDAY, "2")
    approvals.timesheet_week_submit(employee=agent, week=MONDAY, user=agent)
    with pytest.raises(ConflictError, match="locked"):
        timesheets.timesheet_update(line=ts, user=agent, hours=D("3"))
    approvals.timesheet_week_approve(employee=agent, week=MONDAY, user=admin_staff)
    with pytest.raises(ConflictError, match="locked"):
        timesheets.timesheet_delete(line=ts, user=agent)


def test_a_rejected_week_unlocks_its_lines_with_the_reason_and_can_be_submitted_again(
    approval_line, agent, admin_staff
):
    _, log = approval_line
    ts = log(MONDAY, "2")
    approvals.timesheet_week_submit(employee=agent, week=MONDAY, user=agent)
    with pytest.raises(DomainError, match="reason"):
        approvals.timesheet_week_reject(employee=agent, week=MONDAY, user=admin_staff, reason="  ")
    approvals.timesheet_week_reject(employee=agent, week=MONDAY, user=admin_staff, reason="Wrong ticket")
    ts.refresh_from_db()
    assert (ts.approval_state, ts.approval_reason, ts.reviewed_by) == (
        "rejected",
        "Wrong ticket",
        admin_staff,
    )
    timesheets.timesheet_update(line=ts, user=agent, hours=D("1.5"))
    assert approvals.timesheet_week_submit(employee=agent, week=MONDAY, user=agent) == 1


def test_projects_without_approval_bill_at_once(agent):
    customer = CustomerFactory()
    seller = UserFactory(username="seller", roles=["sales"])
    order = sales.order_create(
        customer=customer,
        user=seller,
        lines=[{"product": ProductFactory(timesheet=True), "quantity": D("5")}],
    )
    sales.order_confirm(order=order, user=seller)
    ts = timesheets.timesheet_log(
        employee=agent,
        date=MONDAY,
        hours=D("1"),
        user=agent,
        project=ProjectFactory(customer=customer),
        sale_line=order.lines.get(),
    )
    assert ts.approval_state == ApprovalState.NONE
    assert order.lines.get().qty_delivered == D("1")


def test_only_admins_or_holders_of_the_approving_permission_approve(approval_line, agent, seller, api_as):
    _, log = approval_line
    log(MONDAY, "2")
    approvals.timesheet_week_submit(employee=agent, week=MONDAY, user=agent)
    body = {"employee": agent.pk, "week": "2026-03-11"}
    assert api_as(seller).post("/api/v1/timesheet-weeks/approve/", body, format="json").status_code == 403
    seller.user_permissions.add(Permission.objects.get(codename="approve_timesheets"))
    seller = type(seller).objects.get(pk=seller.pk)  # fresh permission cache
    response = api_as(seller).post("/api/v1/timesheet-weeks/approve/", body, format="json")
    assert response.status_code == 200
    assert response.json() == {"lines": 1}


def test_the_weeks_waiting_list_and_the_header_count(approval_line, agent, admin_staff, client, api_as):
    _, log = approval_line
    log(MONDAY, "2")
    log(MONDAY + datetime.timedelta(days=1), "1")
    log(MONDAY - datetime.timedelta(days=7), "4")
    assert api_as(agent).post(
        "/api/v1/timesheet-weeks/submit/", {"week": "2026-03-10"}, format="json"
    ).json() == {"lines": 2}
    approvals.timesheet_week_submit(employee=agent, week=MONDAY - datetime.timedelta(days=7), user=agent)
    weeks = api_as(admin_staff).get("/api/v1/timesheet-weeks/").json()
    assert [(w["week"], w["lines"], w["hours"]) for w in weeks] == [
        ("2026-03-02", 1, "4.00"),
        ("2026-03-09", 2, "3.00"),
    ]
    client.force_login(admin_staff)
    assert 'data-count="2"' in client.get("/timesheets/approvals/count/").content.decode()
    page = client.get("/timesheets/approvals/").content.decode()
    assert "2026-03-09" in page
    client.post(
        f"/timesheets/approvals/{agent.pk}/reject/", {"week": "2026-03-09", "reason": "Split per ticket"}
    )
    assert 'data-count="1"' in client.get("/timesheets/approvals/count/").content.decode()
    client.force_login(agent)
    assert client.get("/timesheets/approvals/").status_code == 403
    assert client.get("/timesheets/approvals/count/").content == b""
