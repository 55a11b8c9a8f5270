"""/api/v1/projects/ and /api/v1/tasks/ (API.md): fields, roles, actions, 400 / 409."""

from decimal import Decimal

import pytest

from projects.models import Project, Task
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory, TaskFactory

pytestmark = pytest.mark.django_db


def test_projects_list_has_the_contract_fields(api_as, agent, field_task):
    response = api_as(agent).get("/api/v1/projects/")
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert {"id", "name", "customer", "billable", "sale_line"} <= set(row)


def test_sales_create_a_project_and_bad_input_is_field_level(api_as, seller, customer, confirmed_field_order):
    _, line = confirmed_field_order
    client = api_as(seller)
    response = client.post(
        "/api/v1/projects/", {"name": "Boilers", "customer": customer.pk, "sale_line": line.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["sale_line"] == line.pk
    response = client.post(
        "/api/v1/projects/",
        {"name": "X", "customer": CustomerFactory().pk, "sale_line": line.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "sale_line" in response.json()
    assert client.post("/api/v1/projects/", {}, format="json").json() == {"name": ["This field is required."]}


def test_agents_read_projects_but_do_not_create_them(api_as, agent):
    assert api_as(agent).post("/api/v1/projects/", {"name": "P"}, format="json").status_code == 403


def test_customers_reach_neither_projects_nor_tasks(api_as, customer_user, field_task):
    client = api_as(customer_user)
    assert client.get("/api/v1/projects/").status_code == 403
    assert client.get("/api/v1/tasks/").status_code == 403
    assert client.get(f"/api/v1/tasks/{field_task.pk}/").status_code == 403
    assert client.post(f"/api/v1/tasks/{field_task.pk}/done/").status_code == 403


def test_anonymous_is_401(api_client):
    assert api_client.get("/api/v1/tasks/").status_code == 401


def test_task_fields_and_materials(api_as, agent, field_task, cable):
    client = api_as(agent)
    response = client.post(
        f"/api/v1/tasks/{field_task.pk}/add_material/", {"product": cable.pk, "quantity": "2"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert {"id", "title", "project", "customer", "sale_line", "assignee", "is_done", "materials"} <= set(
        body
    )
    assert body["materials"][0]["product"] == cable.pk
    assert body["materials"][0]["quantity"] == "2.00"
    assert body["is_done"] is False


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"quantity": "2"}, "product"),
        ({"product": 0, "quantity": "1"}, "product"),
        ({"product": "CABLE", "quantity": "-1"}, "quantity"),
        ({"product": "CABLE", "quantity": "lots"}, "quantity"),
    ],
)
def test_add_material_bad_input_is_400_field_level(api_as, agent, field_task, cable, payload, field):
    payload = {k: (cable.pk if v == "CABLE" else v) for k, v in payload.items()}
    response = api_as(agent).post(f"/api/v1/tasks/{field_task.pk}/add_material/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_adding_a_service_as_material_is_400_on_product(api_as, agent, field_task, field_product):
    response = api_as(agent).post(
        f"/api/v1/tasks/{field_task.pk}/add_material/",
        {"product": field_product.pk, "quantity": "1"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"product": ["Only goods can be added as materials."]}


def test_done_then_done_again_is_409(api_as, seller, field_task, cable):
    client = api_as(seller)
    client.post(
        f"/api/v1/tasks/{field_task.pk}/add_material/", {"product": cable.pk, "quantity": "1"}, format="json"
    )
    response = client.post(f"/api/v1/tasks/{field_task.pk}/done/")
    assert response.status_code == 200
    assert response.json()["is_done"] is True
    assert response.json()["materials"][0]["delivered"] is True
    response = client.post(f"/api/v1/tasks/{field_task.pk}/done/")
    assert response.status_code == 409
    assert "already done" in response.json()["detail"]


def test_done_without_stock_is_400_and_changes_nothing(api_as, agent, field_task, cable):
    client = api_as(agent)
    client.post(
        f"/api/v1/tasks/{field_task.pk}/add_material/", {"product": cable.pk, "quantity": "11"}, format="json"
    )
    response = client.post(f"/api/v1/tasks/{field_task.pk}/done/")
    assert response.status_code == 400
    assert "Not enough" in str(response.json())
    assert not Task.objects.get(pk=field_task.pk).is_done


def test_create_and_update_a_task(api_as, agent, field_task):
    client = api_as(agent)
    response = client.post(
        "/api/v1/tasks/",
        {"title": "Second visit", "project": field_task.project_id, "sale_line": field_task.sale_line_id},
        format="json",
    )
    assert response.status_code == 400  # one task per order line and project
    assert response.json() == {"sale_line": ["This order line already has a task in this project."]}
    other_project = ProjectFactory(customer=field_task.customer)
    response = client.post(
        "/api/v1/tasks/",
        {"title": "Second visit", "project": other_project.pk, "sale_line": field_task.sale_line_id},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["customer"] == field_task.customer_id  # defaulted from the order line
    response = client.patch(
        f"/api/v1/tasks/{body['id']}/", {"assignee": agent.pk, "stage": "in_progress"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["assignee"] == agent.pk and response.json()["stage"] == "in_progress"
    response = client.patch(f"/api/v1/tasks/{body['id']}/", {"title": ""}, format="json")
    assert response.status_code == 400 and "title" in response.json()
    response = client.patch(f"/api/v1/tasks/{body['id']}/", {"stage": "done"}, format="json")
    assert response.status_code == 400 and "stage" in response.json()


def test_a_task_on_another_customers_line_is_refused(api_as, agent, field_task):
    response = api_as(agent).post(
        "/api/v1/tasks/",
        {
            "title": "Wrong",
            "project": field_task.project_id,
            "customer": CustomerFactory().pk,
            "sale_line": field_task.sale_line_id,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "sale_line" in response.json()
    assert not Task.objects.filter(title="Wrong").exists()


def test_task_list_query_count_is_constant(api_as, agent, field_task, django_assert_max_num_queries):
    client = api_as(agent)

    def make(n):
        for _ in range(n):
            task = TaskFactory(project=field_task.project)
            task.materials.create(product=ProductFactory(goods=True), quantity=Decimal("1"))

    make(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get("/api/v1/tasks/").status_code == 200
    make(20)
    with django_assert_max_num_queries(len(small)):
        client.get("/api/v1/tasks/")
    assert Project.objects.count() >= 1


def test_task_filters_and_a_bad_filter_is_400(api_as, agent, field_task):
    other = TaskFactory(is_done=True, stage="done")
    client = api_as(agent)
    ids = lambda q: [t["id"] for t in client.get(f"/api/v1/tasks/{q}").json()["results"]]  # noqa: E731
    assert ids("?is_done=true") == [other.pk]
    assert ids(f"?project={field_task.project_id}") == [field_task.pk]
    assert ids(f"?customer={field_task.customer_id}") == [field_task.pk]
    response = client.get("/api/v1/tasks/?project=abc")
    assert response.status_code == 400 and "project" in response.json()
