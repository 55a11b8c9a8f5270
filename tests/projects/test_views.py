"""The browser screens: projects, kanban, task list, the task page (timesheets inline with htmx,
materials, timer, linked tickets), signing, permissions."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Task, TaskMaterial
from tests.factories import (
    InvoiceFactory,
    ProductFactory,
    ProjectFactory,
    TaskFactory,
    TicketFactory,
    TimesheetLineFactory,
    UserFactory,
)
from tests.projects.test_worksheet import png_data_url
from timesheets.models import TimesheetLine

pytestmark = pytest.mark.django_db


def test_task_list_is_the_navigation_entry_for_agents(agent_client, field_task):
    response = agent_client.get(reverse("projects:task_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/projects/tasks/"' in html  # the nav entry is shown once the URL exists
    assert "Fix the boiler" in html


def test_project_list_and_kanban_show_tasks_by_stage(agent_client, field_task):
    TaskFactory(project=field_task.project, title="Install the sink", stage=Task.Stage.IN_PROGRESS)
    response = agent_client.get(reverse("projects:project_list"))
    assert "Field service" in response.content.decode()
    response = agent_client.get(reverse("projects:project_detail", args=[field_task.project_id]))
    columns = {c["stage"]: [t.title for t in c["tasks"]] for c in response.context["columns"]}
    assert columns["new"] == ["Fix the boiler"]
    assert columns["in_progress"] == ["Install the sink"]
    assert columns["done"] == []


def test_customers_and_accountants_cannot_open_task_screens(client, field_task, customer_user, accountant):
    for user in (customer_user, accountant):
        client.force_login(user)
        for url in (
            reverse("projects:task_list"),
            reverse("projects:task_detail", args=[field_task.pk]),
            reverse("projects:project_list"),
        ):
            assert client.get(url).status_code == 403


def test_anonymous_users_are_sent_to_login(client, field_task):
    response = client.get(reverse("projects:task_detail", args=[field_task.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_unknown_task_is_404(agent_client):
    assert agent_client.get(reverse("projects:task_detail", args=[999999])).status_code == 404


def test_task_page_shows_timesheets_with_ticket_time_total_timer_and_tickets(agent_client, field_task, agent):
    TimesheetLineFactory(task=field_task, project=field_task.project, employee=agent, hours=Decimal("1.25"))
    ticket = TicketFactory(task=field_task, customer=field_task.customer, title="Boiler leaks")
    TimesheetLineFactory(ticket=ticket, project=field_task.project, employee=agent, hours=Decimal("0.50"))
    response = agent_client.get(reverse("projects:task_detail", args=[field_task.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["total_hours"] == Decimal("1.75")
    assert "Boiler leaks" in html
    assert f"Ticket #{ticket.pk}" in html
    assert 'data-testid="timer"' in html  # the helpdesk timer partial is included


def test_task_page_query_count_does_not_grow_with_lines(
    agent_client, field_task, agent, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            TimesheetLineFactory(task=field_task, project=field_task.project, employee=agent)
            TaskMaterial.objects.create(
                task=field_task,
                product=ProductFactory(goods=True),
                quantity=Decimal("1"),
            )

    add(2)
    with CaptureQueriesContext(connection) as small:
        agent_client.get(reverse("projects:task_detail", args=[field_task.pk]))
    add(20)
    with django_assert_max_num_queries(len(small)):
        agent_client.get(reverse("projects:task_detail", args=[field_task.pk]))


def test_logging_time_inline_returns_the_refreshed_table_with_the_total(agent_client, field_task, agent):
    url = reverse("projects:task_timesheets", args=[field_task.pk])
    response = agent_client.post(
        url,
        {
            "date": datetime.date.today().isoformat(),
            "employee": agent.pk,
            "description": "Repair",
            "hours": "1.5",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    line = TimesheetLine.objects.get()
    assert (line.task, line.hours, line.project, line.sale_line) == (
        field_task,
        Decimal("1.50"),
        field_task.project,
        field_task.sale_line,
    )
    assert response.context["total_hours"] == Decimal("1.50")
    assert 'id="task-timesheets"' in response.content.decode()


@pytest.mark.parametrize(
    ("hours", "message"),
    [("0", "more than zero"), ("-2", "more than zero"), ("25", "24"), ("", "Enter the hours")],
)
def test_bad_hours_show_a_field_error_and_write_nothing(agent_client, field_task, agent, hours, message):
    response = agent_client.post(
        reverse("projects:task_timesheets", args=[field_task.pk]),
        {"date": datetime.date.today().isoformat(), "employee": agent.pk, "hours": hours},
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["ts_form"].errors["hours"])
    assert not TimesheetLine.objects.exists()


def test_editing_and_deleting_a_line_inline(agent_client, field_task, agent):
    line = TimesheetLineFactory(
        task=field_task, project=field_task.project, employee=agent, hours=Decimal("1")
    )
    edit = reverse("projects:task_timesheet_edit", args=[field_task.pk, line.pk])
    assert agent_client.get(edit).context["edit_line"] == line
    agent_client.post(
        edit, {"date": line.date.isoformat(), "employee": agent.pk, "description": "Fixed", "hours": "2.25"}
    )
    line.refresh_from_db()
    assert (line.hours, line.description) == (Decimal("2.25"), "Fixed")
    agent_client.post(reverse("projects:task_timesheet_delete", args=[field_task.pk, line.pk]))
    assert not TimesheetLine.objects.exists()


def test_billed_lines_cannot_be_edited_or_deleted_and_say_why(agent_client, field_task, agent):
    invoice = InvoiceFactory(customer=field_task.customer)
    line = TimesheetLineFactory(
        task=field_task,
        project=field_task.project,
        employee=agent,
        hours=Decimal("1"),
        sale_line=field_task.sale_line,
        invoice=invoice,
    )
    response = agent_client.post(reverse("projects:task_timesheet_delete", args=[field_task.pk, line.pk]))
    assert response.context["ts_error"]
    assert "invoice" in response.context["ts_error"].lower()
    assert TimesheetLine.objects.filter(pk=line.pk).exists()
    response = agent_client.post(
        reverse("projects:task_timesheet_edit", args=[field_task.pk, line.pk]),
        {"date": line.date.isoformat(), "employee": agent.pk, "description": "x", "hours": "3"},
    )
    assert "invoice" in " ".join(response.context["edit_form"].non_field_errors()).lower()
    line.refresh_from_db()
    assert line.hours == Decimal("1.00")


def test_a_line_of_another_task_is_404(agent_client, field_task, agent):
    other = TimesheetLineFactory(task=TaskFactory(), employee=agent)
    url = reverse("projects:task_timesheet_delete", args=[field_task.pk, other.pk])
    assert agent_client.post(url).status_code == 404
    assert TimesheetLine.objects.filter(pk=other.pk).exists()


def test_adding_material_in_the_browser(agent_client, field_task, cable):
    url = reverse("projects:task_material_add", args=[field_task.pk])
    response = agent_client.post(url, {"product": cable.pk, "quantity": "2"})
    assert response.status_code == 200
    material = TaskMaterial.objects.get()
    assert material.quantity == Decimal("2.00") and material.sale_line.order == field_task.sale_line.order
    assert "Cable 5 m" in response.content.decode()
    response = agent_client.post(url, {"product": cable.pk, "quantity": "0"})
    assert response.context["material_form"].errors["quantity"]


def test_mark_done_refused_for_stock_shows_the_error_and_keeps_the_task_open(agent_client, field_task, cable):
    agent_client.post(
        reverse("projects:task_material_add", args=[field_task.pk]), {"product": cable.pk, "quantity": "50"}
    )
    response = agent_client.post(reverse("projects:task_done", args=[field_task.pk]), follow=True)
    assert "Not enough Cable 5 m in stock" in response.content.decode()
    field_task.refresh_from_db()
    assert not field_task.is_done


def test_mark_done_in_the_browser(agent_client, field_task, cable):
    agent_client.post(
        reverse("projects:task_material_add", args=[field_task.pk]), {"product": cable.pk, "quantity": "2"}
    )
    response = agent_client.post(reverse("projects:task_done", args=[field_task.pk]), follow=True)
    assert "marked as done" in response.content.decode()
    field_task.refresh_from_db()
    assert field_task.is_done


def test_task_form_saves_and_refuses_done_stage(agent_client, field_task, agent):
    url = reverse("projects:task_detail", args=[field_task.pk])
    data = {
        "title": "Fix the boiler (2nd floor)",
        "assignee": agent.pk,
        "stage": "in_progress",
        "worksheet_notes": "ok",
    }
    agent_client.post(url, data)
    field_task.refresh_from_db()
    assert (field_task.title, field_task.stage, field_task.worksheet_notes) == (
        "Fix the boiler (2nd floor)",
        "in_progress",
        "ok",
    )
    response = agent_client.post(url, {**data, "stage": "done"})
    assert response.context["form"].errors["stage"]
    response = agent_client.post(url, {**data, "title": ""})
    assert response.context["form"].errors["title"]


def test_signing_page_and_post(agent_client, field_task, mailoutbox, django_capture_on_commit_callbacks):
    url = reverse("projects:task_sign", args=[field_task.pk])
    assert agent_client.get(url).status_code == 200
    response = agent_client.post(url, {"signed_by": "Jane", "signature": ""})
    assert "Please sign" in " ".join(response.context["form"].errors["signature"])
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(url, {"signed_by": "Jane", "signature": png_data_url()})
    assert response.status_code == 302
    field_task.refresh_from_db()
    assert field_task.signed_by == "Jane" and field_task.worksheet_pdf
    assert len(mailoutbox) == 1
    pdf = agent_client.get(reverse("projects:task_worksheet_pdf", args=[field_task.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content) == field_task.worksheet_pdf.read()
    assert (
        agent_client.get(reverse("projects:task_signature", args=[field_task.pk]))["Content-Type"]
        == "image/png"
    )


def test_unsigned_worksheet_pdf_is_a_preview(agent_client, field_task):
    response = agent_client.get(reverse("projects:task_worksheet_pdf", args=[field_task.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "preview" in response["Content-Disposition"]


def test_sales_users_work_tasks_too(client, field_task):
    client.force_login(UserFactory(username="sally", roles=["sales"]))
    assert client.get(reverse("projects:task_detail", args=[field_task.pk])).status_code == 200
    assert client.get(reverse("projects:project_detail", args=[ProjectFactory().pk])).status_code == 200


@pytest.mark.parametrize(
    "url_name", ["projects:task_list", "projects:project_list", "projects:project_detail"]
)
def test_list_pages_run_a_constant_number_of_queries(agent_client, field_task, agent, url_name):
    def url():
        args = [field_task.project_id] if url_name == "projects:project_detail" else []
        return reverse(url_name, args=args)

    def add(n):
        for _ in range(n):
            task = TaskFactory(project=field_task.project, customer=field_task.customer, assignee=agent)
            TimesheetLineFactory(task=task, project=task.project, employee=agent)
            ProjectFactory()

    add(2)
    with CaptureQueriesContext(connection) as small:
        assert agent_client.get(url()).status_code == 200
    add(15)
    with CaptureQueriesContext(connection) as big:
        agent_client.get(url())
    assert len(big) == len(small)
