"""The API layer after its cleanup: writes go through the services, shared role and filter
helpers behave the same everywhere, the timers answer the timesheets' serializer."""

import datetime

import pytest
from drf_spectacular.generators import SchemaGenerator

from audit.models import AuditEvent
from helpdesk.models import Team
from invoicing.models import Invoice
from invoicing.services import invoice_create_from_order
from sales.models import Order
from sales.services import order_confirm
from tests.factories import uom

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_invoice(seller, quotation) -> Invoice:
    order = order_confirm(order=quotation, user=seller)
    return invoice_create_from_order(order=order, user=seller, method="regular")


# --- Order header through sales.services.order_update ---------------------------------------


def test_quotation_header_change_is_recorded_as_an_order_update(client_for, seller, quotation):
    response = client_for(seller).patch(
        f"/api/v1/orders/{quotation.pk}/", {"client_reference": "PO-9", "note": "Renewal"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["client_reference"], response.json()["note"]) == ("PO-9", "Renewal")
    event = AuditEvent.objects.get(action="order.update", object_id=quotation.pk)
    assert event.changes == {"client_reference": ["", "PO-9"], "note": ["", "Renewal"]}


def test_header_change_with_a_refused_line_leaves_the_quotation_unchanged(
    client_for, seller, quotation, support_block
):
    response = client_for(seller).patch(
        f"/api/v1/orders/{quotation.pk}/",
        {"note": "Renewal", "lines": [{"product": support_block.pk, "uom": uom("Units").pk}]},
        format="json",
    )
    assert response.status_code == 400
    assert "lines[0].uom" in response.json()  # the refused line names its field
    quotation.refresh_from_db()
    assert quotation.note == ""
    assert quotation.lines.count() == 1
    assert not AuditEvent.objects.filter(action="order.update").exists()


def test_confirmed_order_header_change_is_a_409_with_a_detail(client_for, seller, quotation):
    order_confirm(order=quotation, user=seller)
    response = client_for(seller).patch(
        f"/api/v1/orders/{quotation.pk}/", {"client_reference": "late"}, format="json"
    )
    assert response.status_code == 409
    assert list(response.json()) == ["detail"]
    assert Order.objects.get(pk=quotation.pk).client_reference == ""


def test_unchanged_header_on_a_confirmed_order_is_accepted(client_for, seller, quotation):
    order_confirm(order=quotation, user=seller)
    response = client_for(seller).patch(
        f"/api/v1/orders/{quotation.pk}/", {"customer": quotation.customer_id}, format="json"
    )
    assert response.status_code == 200


# --- Invoice dates through invoicing.services.invoice_update --------------------------------


def test_draft_invoice_dates_are_recorded_as_an_invoice_update(client_for, accountant, draft_invoice):
    response = client_for(accountant).patch(
        f"/api/v1/invoices/{draft_invoice.pk}/", {"due_date": "2026-12-31"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert Invoice.objects.get(pk=draft_invoice.pk).due_date == datetime.date(2026, 12, 31)
    assert AuditEvent.objects.filter(action="invoice.update", object_id=draft_invoice.pk).count() == 1


def test_due_date_before_invoice_date_changes_nothing(client_for, accountant, draft_invoice):
    before = Invoice.objects.get(pk=draft_invoice.pk)
    response = client_for(accountant).patch(
        f"/api/v1/invoices/{draft_invoice.pk}/",
        {"invoice_date": "2026-11-02", "due_date": "2026-11-01"},
        format="json",
    )
    assert (response.status_code, list(response.json())) == (400, ["due_date"])
    after = Invoice.objects.get(pk=draft_invoice.pk)
    assert (after.invoice_date, after.due_date) == (before.invoice_date, before.due_date)


# --- Shared role policy and filters ---------------------------------------------------------


def test_only_admins_configure_teams_and_are_told_so(client_for, agent, seller, admin_staff):
    for user in (agent, seller):
        response = client_for(user).post("/api/v1/teams/", {"name": "Support"}, format="json")
        assert response.status_code == 403
        assert response.json() == {"detail": "Only admins configure helpdesk teams."}
    assert not Team.objects.filter(name="Support").exists()
    response = client_for(admin_staff).post("/api/v1/teams/", {"name": "Support"}, format="json")
    assert response.status_code == 201, response.json()
    team_id = response.json()["id"]
    assert client_for(seller).delete(f"/api/v1/teams/{team_id}/").status_code == 403
    assert client_for(admin_staff).delete(f"/api/v1/teams/{team_id}/").status_code == 204


def test_portal_customers_cannot_read_teams(client_for, customer_user):
    response = client_for(customer_user).get("/api/v1/teams/")
    assert response.status_code == 403
    assert response.json()["detail"] != "Only admins configure helpdesk teams."


@pytest.mark.parametrize("query", ["project=abc", "customer=x", "is_done=maybe"])
def test_bad_task_filters_are_field_level_400s(client_for, agent, query):
    response = client_for(agent).get(f"/api/v1/tasks/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [query.split("=")[0]]


# --- Timers answer with the timesheets' serializer ------------------------------------------


def test_timer_stop_answers_the_timesheet_resource_and_its_warnings():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]

    def fields_of(response) -> set[str]:
        ref = response["content"]["application/json"]["schema"]["$ref"]
        return set(components[ref.rsplit("/", 1)[1]]["properties"])

    stop = schema["paths"]["/api/v1/timers/{id}/stop/"]["post"]["responses"]["201"]
    timesheet = schema["paths"]["/api/v1/timesheets/{id}/"]["get"]["responses"]["200"]
    # The fixed fields of API.md, plus one additive field documented in the schema.
    assert fields_of(stop) == fields_of(timesheet) | {"warnings"}
    warnings = components[stop["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert warnings["properties"]["warnings"]["type"] == "array"
    assert "prepaid" in warnings["properties"]["warnings"]["description"]
    assert fields_of(timesheet) == {
        "id",
        "date",
        "employee",
        "description",
        "hours",
        "billed_hours",
        "project",
        "task",
        "ticket",
        "sale_line",
        "invoice",
        "approval_state",
        "approval_reason",
    }


def test_deleting_a_team_with_tickets_is_a_conflict_and_keeps_the_team(client_for, admin_staff):
    from helpdesk.models import Team
    from tests.factories import TicketFactory

    team = TicketFactory().team

    response = client_for(admin_staff).delete(f"/api/v1/teams/{team.pk}/")

    assert response.status_code == 409
    assert "has tickets" in response.json()["detail"]
    assert Team.objects.filter(pk=team.pk).exists()
