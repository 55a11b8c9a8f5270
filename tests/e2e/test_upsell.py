"""Browser journey of the upsell list and "My activities" (sales)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from sales.models import Order
from tests.factories import (
    PrepaidLineFactory,
    ProductFactory,
    ProjectFactory,
    SaleOrderFactory,
    TimesheetLineFactory,
    UserFactory,
)
from upsell.sweep import upsell_sweep

pytestmark = pytest.mark.django_db(transaction=True)


def _data(seller):
    today = timezone.localdate()
    employee, project = UserFactory(username="e2e-upsell-agent", roles=["agent"]), ProjectFactory()
    block = ProductFactory(name="Support block 50 h", upsell_threshold=Decimal("80"))
    acme = SaleOrderFactory(salesperson=seller, customer__name="Acme Industries")
    line = PrepaidLineFactory(order=acme, product=block)
    for days_ago, hours in [(1, "8"), (3, "7.5"), (6, "8"), (9, "6.5"), (14, "8"), (20, "4")]:
        TimesheetLineFactory(
            sale_line=line,
            hours=Decimal(hours),
            date=today - datetime.timedelta(days=days_ago),
            employee=employee,
            project=project,
        )
    globex = SaleOrderFactory(salesperson=seller, customer__name="Globex Corporation")
    PrepaidLineFactory(
        order=globex, product=ProductFactory(name="Premium support 20 h"), quantity=Decimal("20")
    )
    PrepaidLineFactory(
        order=globex,
        product=ProductFactory(name="On-site days", upsell_threshold=Decimal("90")),
        quantity=Decimal("10"),
        qty_delivered=Decimal("10.5"),
    )
    upsell_sweep()
    return acme, globex


def test_sales_user_works_the_upsell_list_and_their_activities(page, login, shot):
    seller = UserFactory(username="e2e-seller", first_name="Sam", last_name="Seller", roles=["sales"])
    acme, globex = _data(seller)

    login(page, seller)
    page.goto("/sales/upsell/")
    page.wait_for_selector(".activity-count[data-count]")
    assert page.locator(".activity-count").inner_text() == "2"
    assert page.locator(f"tr[data-order='{acme.name}']").count() == 1
    assert "runs out in" in page.locator(f"tr[data-order='{acme.name}'] .runs-out").inner_text()
    shot(page, "upsell-list")

    # A bad quantity is refused next to the field (the server's message, no browser bubble).
    row = page.locator(f"tr[data-order='{acme.name}']")
    row.get_by_label("Hours to add").fill("0")
    row.locator("button", has_text="Add hours to this order").click()
    page.wait_for_selector(f"tr[data-order='{acme.name}'] .has-error")
    assert "greater than zero" in page.locator(f"tr[data-order='{acme.name}'] .has-error .error").inner_text()
    shot(page, "upsell-add-hours-error")

    row = page.locator(f"tr[data-order='{acme.name}']")
    row.get_by_label("Hours to add").fill("20")
    row.locator("button", has_text="Add hours to this order").click()
    page.wait_for_selector(".msg-success")
    assert page.locator(f"tr[data-order='{acme.name}']").count() == 0
    assert page.locator(f"tr[data-order='{globex.name}']").count() == 1
    acme.refresh_from_db()
    assert acme.is_upsell is False and acme.lines.count() == 2

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"tr[data-order='{globex.name}'] button", has_text="Lock").click()
    page.wait_for_selector(".msg-success")
    assert Order.objects.get(pk=globex.pk).state == Order.State.DONE
    shot(page, "upsell-list-empty")

    # Locking took Globex off the list with its open follow-up (SPEC Upsell); Acme's stays.
    page.goto("/sales/activities/")
    page.wait_for_selector(".activity-count[data-count='1']")
    assert page.locator("table.activities tr.activity").count() == 1
    assert "Acme" in page.locator("table.activities tr.activity").first.inner_text()
    shot(page, "activities")
    page.locator("table.activities tr.activity").first.locator("button", has_text="Mark done").click()
    page.wait_for_selector("table.activities tr.activity.done")
    page.wait_for_selector(".activity-count[data-count='0']")
    shot(page, "activities-one-done")


def test_agents_get_a_403_on_the_upsell_list(page, login):
    agent = UserFactory(username="e2e-upsell-agent2", roles=["agent"])
    login(page, agent)
    response = page.goto("/sales/upsell/")
    assert response.status == 403
    assert page.locator(".activity-count").count() == 0
