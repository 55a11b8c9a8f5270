"""The API lists use the same FilterSets as the pages: valid filters narrow, a bad value is a
field-level 400 (never a 500), and the OpenAPI schema lists every filter."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.factories import CustomerFactory, TeamFactory, TicketFactory

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_ticket_filters_narrow_and_bad_values_are_400(api_as, admin_user):
    team = TeamFactory(members=[admin_user])
    mine = TicketFactory(team=team, assignee=admin_user, title="Printer")
    other = TicketFactory(team=team, title="Laptop")
    client = api_as(admin_user)
    assert ids(client.get("/api/v1/tickets/", {"team": team.pk})) == {mine.pk, other.pk}
    assert ids(client.get("/api/v1/tickets/", {"mine": "true"})) == {mine.pk}
    assert ids(client.get("/api/v1/tickets/", {"q": "laptop"})) == {other.pk}
    assert ids(client.get("/api/v1/tickets/", {"customer": other.customer_id})) == {other.pk}
    assert ids(client.get("/api/v1/tickets/", {"customer": 999999})) == set()  # unknown id: empty
    response = client.get("/api/v1/tickets/", {"team": "x", "mine": "maybe"})
    assert response.status_code == 400 and set(response.json()) == {"team", "mine"}
    # A filter never narrows a detail URL.
    assert client.get(f"/api/v1/tickets/{mine.pk}/", {"team": 999999}).status_code == 200


def test_customer_search_and_upsell_filters(api_as, admin_user):
    acme = CustomerFactory(name="Acme Search")
    client = api_as(admin_user)
    assert ids(client.get("/api/v1/customers/", {"search": "acme sea"})) == {acme.pk}
    assert client.get("/api/v1/upsells/", {"reason": "bogus"}).status_code == 400
    assert client.get("/api/v1/upsells/", {"mine": "1"}).status_code == 200


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/api/v1/tickets/", {"team", "customer", "assignee", "stage", "q", "mine", "unassigned", "open"}),
        ("/api/v1/tasks/", {"project", "customer", "is_done", "q", "state", "mine"}),
        ("/api/v1/invoices/", {"state", "customer", "order", "payment_state", "kind", "overdue", "q"}),
        ("/api/v1/customers/", {"search"}),
        ("/api/v1/upsells/", {"q", "reason", "salesperson", "mine"}),
        ("/api/v1/contracts/", {"customer"}),
        ("/api/v1/uoms/", {"name"}),
        ("/api/v1/products/", {"name"}),
    ],
)
def test_the_schema_lists_each_filter(path, names):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
    assert names <= set(parameters)
    for flag in {"mine", "open", "is_done", "overdue"} & names:
        assert parameters[flag]["schema"]["type"] == "boolean"
