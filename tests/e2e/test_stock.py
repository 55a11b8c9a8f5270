"""Browser journey of a stock receipt: sales open Stock, pick the product, receive goods (a bad
quantity first: its own message), see the quantity on hand and the move; at 1366 px and 390 px
wide the page never scrolls sideways and passes axe-core."""

import datetime
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe

from projects.models import StockMove
from tests.clock import frozen_on
from tests.e2e.test_accessibility import blocking_violations
from tests.factories import ProductFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@frozen_on(datetime.date(2026, 3, 11))  # a Wednesday
def test_sales_receive_goods_into_stock(page, login, shot):
    seller = UserFactory(username="e2e-stock", first_name="Sam", last_name="Seller", roles=["sales"])
    switch = ProductFactory(goods=True, name="Network switch (8 ports)", qty_on_hand=Decimal("4.00"))
    StockMove.objects.create(
        product=switch,
        quantity=Decimal("-1"),
        task=TaskFactory(title="Rack install"),
        kind="consumption",
        date=datetime.date(2026, 3, 2),
        note="Task: Rack install",
    )
    login(page, seller)
    page.click("nav.mainnav >> text=Stock")
    page.click("text=Network switch (8 ports)")
    page.fill("input[name=quantity]", "-3")
    page.fill("input[name=reference]", "DN-4711")
    page.click("button:has-text('Receive into stock')")
    page.wait_for_selector(".errorlist")
    assert "more than zero" in page.inner_text(".field.has-error")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    page.fill("input[name=quantity]", "12")
    page.fill("input[name=date]", "2026-03-10")
    page.fill("input[name=note]", "Pallet 1 of 2")
    page.click("button:has-text('Receive into stock')")
    page.wait_for_selector(".msg-success")
    assert "16.00 Units on hand" in page.inner_text(".msg-success")
    assert page.inner_text("[data-testid=on-hand]") == "16.00"
    moves = page.inner_text("table.moves-table")
    assert "DN-4711" in moves and "+12.00" in moves and "-1.00" in moves
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert blocking_violations(page, Axe()) == []
    shot(page, "stock-receipt-1366")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert blocking_violations(page, Axe()) == []
    shot(page, "stock-receipt-390")
    page.goto("/projects/stock/")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, "stock-list-390")
