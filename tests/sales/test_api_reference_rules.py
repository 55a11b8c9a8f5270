"""Reference units are found by a stable key; a unit in use keeps its meaning; API edges (fuzz
findings): bad pages are 400s, nullable decimals are documented as such."""

from decimal import Decimal

import pytest

from sales.models import Uom
from tests.factories import OrderLineFactory, ProductFactory


def test_time_billing_team_works_after_the_hours_unit_is_renamed(api_as, admin_staff):
    Uom.objects.filter(name="Hours").update(name="Heures")
    response = api_as(admin_staff).post(
        "/api/v1/teams/", {"name": "Billing", "use_timesheets": True, "use_billing": True}, format="json"
    )
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("change", [{"category": "unit"}, {"ratio": "2"}])
def test_a_unit_in_use_keeps_its_category_and_ratio(api_as, admin_staff, change):
    days = Uom.objects.get(name="Days")
    ProductFactory(uom=days)
    response = api_as(admin_staff).patch(f"/api/v1/uoms/{days.pk}/", change, format="json")
    assert response.status_code == 400 and set(response.json()) == set(change)
    days.refresh_from_db()
    assert days.ratio == Decimal("8") and days.category.kind == "time"


def test_a_unit_in_use_may_be_renamed_and_an_unused_one_changed(api_as, admin_staff):
    days = Uom.objects.get(name="Days")
    OrderLineFactory(uom=days)
    client = api_as(admin_staff)
    assert client.patch(f"/api/v1/uoms/{days.pk}/", {"name": "Jours"}, format="json").status_code == 200
    unused = Uom.objects.create(name="Half day", category=days.category, ratio=Decimal("4"))
    response = client.patch(f"/api/v1/uoms/{unused.pk}/", {"ratio": "4.5"}, format="json")
    assert response.status_code == 200 and response.json()["ratio"] == "4.50000"


def test_a_unit_in_use_cannot_change_ratio_in_admin(admin_client):
    days = Uom.objects.get(name="Days")
    ProductFactory(uom=days)
    response = admin_client.post(
        f"/admin/sales/uom/{days.pk}/change/",
        {"name": "Days", "category": days.category_id, "ratio": "7", "active": "on"},
    )
    assert response.status_code == 200 and "its ratio is fixed" in response.content.decode()
    days.refresh_from_db()
    assert days.ratio == Decimal("8")


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5"])
def test_a_bad_page_number_is_a_400_with_a_field_error(api_as, admin_staff, page):
    response = api_as(admin_staff).get("/api/v1/uoms/", {"page": page})
    assert response.status_code == 400 and "page" in response.json()


def test_remaining_hours_is_documented_as_a_nullable_decimal_string(api_as, admin_staff):
    schema = api_as(admin_staff).get("/api/v1/schema/", {"format": "json"}).json()
    for component in ("OrderLine", "Ticket"):
        field = schema["components"]["schemas"][component]["properties"]["remaining_hours"]
        assert field["type"] == "string" and field["nullable"] is True
