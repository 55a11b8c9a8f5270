"""Browser journey: sales sell a monthly block of hours, it renews with rollover, the customer
follows it in the portal. The clock is moved to January 2026 (ticking) for the whole journey."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from contracts.models import Contract
from tests.clock import frozen_on
from tests.e2e.combobox import pick_by_keyboard
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory, TimesheetLineFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@frozen_on(datetime.date(2026, 1, 10))
def test_a_contract_renews_with_rollover_and_the_customer_sees_it(page, login, shot):
    seller = UserFactory(username="e2e-contract-seller", roles=["sales"])
    customer = CustomerFactory(name="Globex Corporation")
    contact = UserFactory(username="e2e-globex", roles=["customer"])
    customer.portal_users.add(contact)
    ProductFactory(name="Support hours", price=Decimal("100.00"))

    login(page, seller)
    contract = sales_sell_a_monthly_block_with_capped_rollover(page, shot)

    # January: 4 h of work; then the beat job (here: the command) starts February.
    period = contract.periods.get()
    TimesheetLineFactory(
        date=datetime.date(2026, 1, 5),
        hours=Decimal("4"),
        sale_line=period.order_line,
        project=ProjectFactory(customer=customer),
    )
    call_command("renew_contracts", "--date", "2026-02-01")
    sales_see_february_with_the_rollover(page, shot)

    page.context.clear_cookies()
    login(page, contact)
    customer_follows_the_same_figures_in_the_portal(page, shot)


def sales_sell_a_monthly_block_with_capped_rollover(page, shot) -> Contract:
    page.goto("/contracts/new/")
    pick_by_keyboard(page, "id_customer", "globex", "Globex Corporation")
    page.select_option("select[name=product]", label="Support hours")
    page.fill("input[name=hours_per_period]", "10")
    page.select_option("select[name=period]", "month")
    page.fill("input[name=start_date]", "2026-01-01")
    page.select_option("select[name=rollover]", "capped")
    page.fill("input[name=rollover_cap_hours]", "8")
    page.fill("input[name=rollover_expiry_periods]", "2")
    page.select_option("select[name=overage]", "rate")
    shot(page, "contract-new")
    page.click("form.form-card button[type=submit]")  # the rate is missing: refused next to its field
    assert "Enter the hourly rate" in page.locator(".has-error").inner_text()
    shot(page, "contract-new-error")
    page.fill("input[name=overage_rate]", "90")
    page.click("form.form-card button[type=submit]")
    page.wait_for_selector("[data-testid=contract-balance]")
    contract = Contract.objects.get()
    assert contract.overage_rate == Decimal("90.00")
    assert page.locator("[data-testid=contract-periods] tbody tr").count() == 1
    assert "Draft" in page.locator("[data-testid=contract-periods]").inner_text()
    return contract


def sales_see_february_with_the_rollover(page, shot):
    page.reload()
    rows = page.locator("[data-testid=contract-periods] tbody tr")
    assert rows.count() == 2
    february = rows.nth(1).inner_text()
    assert "2026-02-01 – 2026-02-28" in february and "6.00" in february  # rolled over from January
    assert page.locator("[data-testid=contract-balance]").inner_text() == "16.00 h"
    shot(page, "contract-detail")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "contract-detail-390")

    page.goto("/contracts/")
    assert "Globex Corporation" in page.locator("table.list").inner_text()
    shot(page, "contract-list-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, "contract-list")


def customer_follows_the_same_figures_in_the_portal(page, shot):
    page.goto("/contracts/portal/")
    card = page.locator("[data-testid=portal-contract]")
    assert "Balance: 16.00 h" in card.inner_text()
    assert "2026-01-01 – 2026-01-31" in card.inner_text()
    assert card.locator("a").count() == 0  # no staff links (orders, invoices) in the portal
    shot(page, "portal-contracts")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "portal-contracts-390")
