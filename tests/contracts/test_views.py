"""Browser screens: sales create a contract, the contract page shows its periods, the portal
shows a customer their own contracts only."""

import datetime
from decimal import Decimal

import pytest

from contracts.models import Contract
from contracts.services import contracts_renew
from tests.clock import frozen_on
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.django_db,
    frozen_on(datetime.datetime(2026, 1, 10, 9, 0, tzinfo=datetime.UTC), tick=False),
]

INLINE_MANAGEMENT = {"periods-TOTAL_FORMS": "0", "periods-INITIAL_FORMS": "0"}


def test_sales_create_a_contract_in_the_browser(client, seller, support_block):
    customer = CustomerFactory(name="Initech")
    client.force_login(seller)
    assert client.get("/contracts/new/").status_code == 200
    response = client.post(
        "/contracts/new/",
        {
            "customer": customer.pk,
            "product": support_block.pk,
            "hours_per_period": "20",
            "period": "month",
            "start_date": "2026-01-01",
            "rollover": "unlimited",
            "overage": "upsell",
        },
    )
    contract = Contract.objects.get()
    assert response.status_code == 302
    assert response.url == f"/contracts/{contract.pk}/"
    page = client.get(response.url).content.decode()
    assert "Initech" in page and "2026-01-01 – 2026-01-31" in page and "20.00" in page


def test_the_form_shows_a_refused_rule_next_to_its_field(client, seller, support_block):
    client.force_login(seller)
    response = client.post(
        "/contracts/new/",
        {
            "customer": CustomerFactory().pk,
            "product": support_block.pk,
            "hours_per_period": "20",
            "period": "month",
            "start_date": "2026-01-01",
            "rollover": "none",
            "overage": "rate",
        },
    )
    assert response.status_code == 200
    assert "Enter the hourly rate" in response.content.decode()
    assert not Contract.objects.exists()


def test_the_contract_page_shows_each_period(client, accountant, make_contract, log_hours):
    contract = make_contract(rollover="unlimited")
    log_hours(contract, datetime.date(2026, 1, 5), "4")
    contracts_renew(day=datetime.date(2026, 2, 1))
    client.force_login(accountant)
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert "2026-02-01 – 2026-02-28" in page
    assert 'data-testid="contract-balance">16.00 h' in page
    assert "Cancel contract" not in page  # accountants read only


def test_only_sales_create_or_cancel(client, agent, make_contract):
    contract = make_contract()
    client.force_login(agent)
    assert client.get("/contracts/new/").status_code == 403
    assert client.post(f"/contracts/{contract.pk}/cancel/").status_code == 403


def test_sales_cancel_from_the_contract_page(client, seller, make_contract):
    contract = make_contract()
    client.force_login(seller)
    client.post(f"/contracts/{contract.pk}/cancel/")
    contract.refresh_from_db()
    assert contract.state == Contract.State.CANCELLED


def test_the_portal_shows_a_customer_their_contracts_only(client, customer_user, make_contract):
    mine = make_contract(hours_per_period=Decimal("12"))
    make_contract(customer=CustomerFactory(name="Someone Else"), hours_per_period=Decimal("33"))
    mine.customer.portal_users.add(customer_user)
    client.force_login(customer_user)
    page = client.get("/contracts/portal/").content.decode()
    assert "12.00 h per month" in page
    assert "33.00" not in page
    assert client.get(f"/contracts/{mine.pk}/").status_code == 403  # the staff page is not theirs


def test_admins_create_a_contract_in_the_django_admin_and_see_its_periods(client, admin_staff, support_block):
    customer = CustomerFactory()
    client.force_login(admin_staff)
    assert client.get("/admin/contracts/contract/add/").status_code == 200
    response = client.post(
        "/admin/contracts/contract/add/",
        {
            "customer": customer.pk,
            "product": support_block.pk,
            "hours_per_period": "10",
            "period": "quarter",
            "start_date": "2026-01-01",
            "rollover": "none",
            "overage": "upsell",
            "_save": "Save",
            **INLINE_MANAGEMENT,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contract = Contract.objects.get()
    assert contract.periods.get().end == datetime.date(2026, 3, 31)
    page = client.get(f"/admin/contracts/contract/{contract.pk}/change/").content.decode()
    assert "2026-03-31" in page or "March 31, 2026" in page


def test_the_admin_refuses_a_capped_rollover_without_a_cap(client, admin_staff, support_block):
    client.force_login(admin_staff)
    response = client.post(
        "/admin/contracts/contract/add/",
        {
            "customer": CustomerFactory().pk,
            "product": support_block.pk,
            "hours_per_period": "10",
            "period": "month",
            "start_date": "2026-01-01",
            "rollover": "capped",
            "overage": "upsell",
            **INLINE_MANAGEMENT,
        },
    )
    assert response.status_code == 200
    assert "Enter the most hours that roll over." in response.content.decode()
    assert not Contract.objects.exists()
