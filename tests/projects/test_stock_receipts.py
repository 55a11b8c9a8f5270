"""Stock receipts: goods received into stock (quantity, date, reference, note) from the product's
stock page and `POST /api/v1/products/{id}/receipts/`, recorded as stock moves like consumption;
the quantity on hand moves only with a move (read-only in the admin)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from core.errors import DomainError
from projects.models import StockMove
from projects.stock_services import stock_receive
from tests.clock import frozen_on
from tests.factories import ProductFactory, TaskFactory, TaskMaterialFactory

TODAY = datetime.date(2026, 3, 11)
pytestmark = [pytest.mark.django_db, frozen_on(TODAY)]


@pytest.fixture
def switch(db):
    return ProductFactory(goods=True, name="Network switch", qty_on_hand=Decimal("3.00"))


def receipts_url(product) -> str:
    return f"/api/v1/products/{product.pk}/receipts/"


def test_a_receipt_adds_to_the_quantity_on_hand_and_is_a_stock_move(switch, seller):
    move = stock_receive(
        product=switch,
        quantity="12",
        date=TODAY - datetime.timedelta(days=1),
        reference=" DN-4711 ",
        note="Pallet 1 of 2",
        user=seller,
    )
    switch.refresh_from_db()
    assert switch.qty_on_hand == Decimal("15.00")
    assert (move.kind, move.quantity, move.date, move.reference, move.note, move.user) == (
        "receipt",
        Decimal("12.00"),
        datetime.date(2026, 3, 10),
        "DN-4711",
        "Pallet 1 of 2",
        seller,
    )
    assert AuditEvent.objects.filter(action="stock.receive", object_id=switch.pk).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"quantity": "0"}, "quantity", "more than zero"),
        ({"quantity": "-2"}, "quantity", "more than zero"),
        ({"quantity": "abc"}, "quantity", "as a number"),
        ({"quantity": "1.234"}, "quantity", "two decimals"),
        ({"quantity": "NaN"}, "quantity", "as a number"),
        ({"date": TODAY + datetime.timedelta(days=1)}, "date", "in the future"),
        ({"date": "2026-03-01"}, "date", "date the goods came in"),
        ({"reference": "x" * 101}, "reference", "100 characters"),
    ],
)
def test_bad_receipts_are_field_errors_and_write_nothing(switch, admin_staff, changes, field, message):
    values = {"quantity": "5", "date": TODAY, **changes}
    with pytest.raises(DomainError) as refused:
        stock_receive(product=switch, user=admin_staff, **values)
    assert refused.value.field == field and message in refused.value.message
    switch.refresh_from_db()
    assert switch.qty_on_hand == Decimal("3.00") and not StockMove.objects.exists()


def test_services_have_no_stock_and_only_admins_and_sales_receive(switch, agent, accountant, admin_user):
    with pytest.raises(DomainError) as refused:
        stock_receive(product=ProductFactory(), quantity="1", date=TODAY, user=admin_user)
    assert refused.value.field == "product"
    for user in (agent, accountant):
        with pytest.raises(DomainError):
            stock_receive(product=switch, quantity="1", date=TODAY, user=user)
    stock_receive(product=switch, quantity="1", date=TODAY, user=admin_user)  # the real superuser
    assert StockMove.objects.count() == 1


def test_the_stock_page_receives_goods_and_lists_receipts_and_consumptions(client, switch, seller, agent):
    task = TaskFactory(title="Rack install")
    StockMove.objects.create(
        product=switch, quantity=Decimal("-1"), task=task, date=TODAY, kind="consumption"
    )
    url = reverse("projects:product_stock", args=[switch.pk])
    client.force_login(seller)
    response = client.post(
        url, {"quantity": "10", "date": "2026-03-09", "reference": "DN-1", "note": ""}, follow=True
    )
    html = response.content.decode()
    assert "Received 10.00 Units of Network switch (DN-1): 13.00 Units on hand." in html
    assert 'data-testid="on-hand">13.00<' in html
    assert "DN-1" in html and f"Task #{task.pk}" in html and "+10.00" in html and "-1.00" in html

    response = client.post(url, {"quantity": "ten", "date": "2026-03-09"})
    assert response.status_code == 400
    assert "quantity" in response.context["form"].errors
    response = client.post(url, {"quantity": "2", "date": "2027-01-01"})
    assert response.context["form"].errors["date"] == ["A receipt cannot be dated in the future."]
    assert StockMove.objects.filter(kind="receipt").count() == 1


def test_who_may_see_and_receive_stock_in_the_browser(
    client, switch, agent, seller, accountant, admin_staff, admin_user, customer_user
):
    url = reverse("projects:product_stock", args=[switch.pk])
    for user, reads, receives in (
        (seller, 200, True),
        (admin_staff, 200, True),
        (admin_user, 200, True),
        (accountant, 200, False),
        (agent, 403, False),
        (customer_user, 403, False),
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == reads, user.username
        assert client.get(reverse("projects:stock_list")).status_code == reads
        if reads == 200:
            assert ("Receive into stock" in response.content.decode()) is receives
        before = StockMove.objects.count()
        client.post(url, {"quantity": "1", "date": "2026-03-10"})
        assert StockMove.objects.count() == before + (1 if receives else 0), user.username


def test_the_api_receives_goods_with_field_errors_and_roles(
    api_as, switch, agent, seller, accountant, admin_staff, customer_user
):
    body = {"quantity": "4.50", "date": "2026-03-10", "reference": "DN-9"}
    response = api_as(admin_staff).post(receipts_url(switch), body, format="json")
    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["quantity"], answer["reference"], answer["qty_on_hand"], answer["date"]) == (
        "4.50",
        "DN-9",
        "7.50",
        "2026-03-10",
    )
    no_date = api_as(seller).post(receipts_url(switch), {"quantity": "1"}, format="json")
    assert no_date.status_code == 201 and no_date.json()["date"] == TODAY.isoformat()

    listed = api_as(accountant).get(receipts_url(switch)).json()
    assert [r["reference"] for r in listed["results"]] == ["", "DN-9"]
    for user in (agent, customer_user):
        assert api_as(user).get(receipts_url(switch)).status_code == 403
    for user in (agent, accountant, customer_user):
        assert api_as(user).post(receipts_url(switch), body, format="json").status_code == 403

    bad = api_as(admin_staff).post(receipts_url(switch), {"quantity": "-1"}, format="json")
    assert bad.status_code == 400 and "quantity" in bad.json()
    bad = api_as(admin_staff).post(receipts_url(switch), {"quantity": "x"}, format="json")
    assert bad.status_code == 400 and "quantity" in bad.json()
    future = api_as(admin_staff).post(
        receipts_url(switch), {"quantity": "1", "date": "2027-01-01"}, format="json"
    )
    assert future.status_code == 400 and "date" in future.json()
    service = api_as(admin_staff).post(receipts_url(ProductFactory()), {"quantity": "1"}, format="json")
    assert service.status_code == 400 and "product" in service.json()
    assert (
        api_as(admin_staff).post("/api/v1/products/999999/receipts/", body, format="json").status_code == 404
    )
    switch.refresh_from_db()
    assert switch.qty_on_hand == Decimal("8.50")


def test_the_api_product_keeps_its_read_only_stock(api_as, switch, admin_staff):
    response = api_as(admin_staff).patch(
        f"/api/v1/products/{switch.pk}/", {"qty_on_hand": "999"}, format="json"
    )
    assert response.status_code == 200
    switch.refresh_from_db()
    assert switch.qty_on_hand == Decimal("3.00")


def test_the_admin_shows_the_quantity_on_hand_read_only_with_a_link_to_receive(client, switch, admin_staff):
    client.force_login(admin_staff)
    url = reverse("admin:sales_product_change", args=[switch.pk])
    page = client.get(url)
    assert "qty_on_hand" not in page.context["adminform"].form.fields
    assert reverse("projects:product_stock", args=[switch.pk]) in page.content.decode()


def test_a_consumption_on_a_task_is_the_same_kind_of_move(switch, agent):
    from projects.services import task_material_add

    task = TaskFactory(is_done=True, stage="done")
    task_material_add(task=task, product=switch, quantity="2", user=agent)
    move = StockMove.objects.get()
    assert (move.kind, move.quantity, move.date, move.task, move.user) == (
        "consumption",
        Decimal("-2.00"),
        TODAY,
        task,
        agent,
    )
    assert TaskMaterialFactory._meta.model.objects.get().delivered
