"""The report pages: who may open them, filters in the URL, CSV downloads."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from core.csv_safe import safe_cell
from core.navigation import nav_for
from tests.factories import CustomerFactory

REPORTS = ["hours", "unbilled", "revenue", "receivables", "burndown"]
RANGE = {"date_from": "2026-07-01", "date_to": "2026-11-30"}


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pass-1234")


@pytest.mark.parametrize("slug", REPORTS)
@pytest.mark.parametrize("role", ["seller", "accountant", "admin_staff", "superuser"])
def test_sales_accountants_admins_and_superusers_open_every_report(client, request, story, role, slug):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(f"reports:{slug}"), RANGE)
    assert response.status_code == 200
    assert b"<svg" in response.content


@pytest.mark.parametrize("slug", ["unbilled", "revenue", "receivables", "burndown"])
def test_agents_open_only_the_hours_report(client, story, slug):
    client.force_login(story.ana)
    assert client.get(reverse(f"reports:{slug}")).status_code == 403
    assert client.get(reverse(f"reports:{slug}"), {"format": "csv"}).status_code == 403


def test_agents_see_their_own_hours_only(client, story):
    client.force_login(story.ana)
    response = client.get(reverse("reports:hours"), {**RANGE, "by": "employee"})
    assert response.status_code == 200
    assert [row.label for row in response.context["report"].rows] == ["Ana Agent"]
    assert response.context["report"].totals.actual.total == Decimal("7.00")
    rows = _csv(client.get(reverse("reports:hours"), {**RANGE, "by": "employee", "format": "csv"}))
    assert [row[0] for row in rows[1:]] == ["Ana Agent", "Total"]


@pytest.mark.parametrize("slug", ["index", *REPORTS])
def test_customers_and_anonymous_visitors_see_no_report(client, customer_user, story, slug):
    url = reverse(f"reports:{slug}")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(customer_user)
    assert client.get(url).status_code == 403


def test_navigation_offers_reports_to_staff_roles_only(story, seller, accountant, admin_staff, customer_user):
    url = reverse("reports:index")
    for user in (seller, accountant, admin_staff, story.ana):
        assert url in [item["url"] for item in nav_for(user)]
    assert url not in [item["url"] for item in nav_for(customer_user)]


def test_index_lists_the_reports_each_role_may_open(client, story, accountant):
    client.force_login(story.ana)
    assert [p.slug for p in client.get(reverse("reports:index")).context["pages"]] == ["hours"]
    client.force_login(accountant)
    assert [p.slug for p in client.get(reverse("reports:index")).context["pages"]] == REPORTS


def test_filters_come_from_the_url(client, story, seller):
    client.force_login(seller)
    response = client.get(reverse("reports:hours"), {**RANGE, "customer": story.initech.pk, "by": "month"})
    assert [(r.label, r.actual.total) for r in response.context["report"].rows] == [
        ("2026-11", Decimal("1.50"))
    ]
    assert 'value="2026-07-01"' in response.content.decode()


def test_default_range_is_the_last_twelve_months(client, story, seller):
    client.force_login(seller)
    form = client.get(reverse("reports:revenue")).context["form"]
    assert form.cleaned_data["date_from"].isoformat() == "2025-12-01"
    assert form.cleaned_data["date_to"].isoformat() == "2026-11-23"


def test_bad_filters_are_field_errors_not_crashes(client, story, seller):
    client.force_login(seller)
    response = client.get(reverse("reports:revenue"), {"date_from": "2026-11-30", "date_to": "2026-01-01"})
    assert response.status_code == 400
    assert response.context["form"].errors["date_to"] == ["The end date is before the start date."]
    response = client.get(reverse("reports:hours"), {"date_from": "yesterday", "customer": "x"})
    assert response.status_code == 400 and set(response.context["form"].errors) == {"date_from", "customer"}
    response = client.get(reverse("reports:hours"), {"date_from": "nope", "format": "csv"})
    assert response.status_code == 400


def test_revenue_csv_has_the_figures_with_credit_notes_negative(client, story, accountant):
    client.force_login(accountant)
    rows = _csv(client.get(reverse("reports:revenue"), {**RANGE, "format": "csv"}))
    assert rows[0] == ["Month", "Documents", "Invoiced", "Credit notes", "Net untaxed", "Tax", "Total"]
    assert rows[-1] == ["2026-11", "2", "375.00", "-1000.00", "-625.00", "-131.25", "-756.25"]


def test_receivables_csv_totals(client, story, accountant):
    client.force_login(accountant)
    rows = _csv(client.get(reverse("reports:receivables"), {"date_to": "2026-11-23", "format": "csv"}))
    assert rows[-1] == ["Total", "453.75", "0.00", "4555.00", "0.00", "0.00", "5008.75"]


def test_csv_cells_cannot_start_a_formula(client, story, seller):
    CustomerFactory(name='=HYPERLINK("http://evil")')
    story.globex.name = "@SUM(A1)"
    story.globex.save()
    client.force_login(seller)
    rows = _csv(client.get(reverse("reports:hours"), {**RANGE, "format": "csv"}))
    assert rows[1][:2] == ["'@SUM(A1)", "10.75"]
    for value in ("=1+1", "+1+1", "-1+2", "@x", "\tx", "\rx"):
        assert safe_cell(value) == "'" + value
    assert str(safe_cell(Decimal("-625.00"))) == "-625.00"
    assert safe_cell("Globex") == "Globex"
