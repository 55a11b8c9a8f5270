"""Concurrent receipts and consumptions on real PostgreSQL lose nothing: each thread has its own
connection and commits; the quantity on hand ends at start + receipts − consumptions and equals
the start plus the sum of the moves."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from projects.models import StockMove
from projects.services import task_material_add
from projects.stock_services import stock_receive
from sales.models import Product
from tests.factories import ProductFactory, TaskFactory, UserFactory
from tests.invoicing.test_concurrency import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_receipts_and_consumptions_lose_nothing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    receiver = UserFactory(username="stock-sales", roles=["sales"])
    worker = UserFactory(username="stock-agent", roles=["agent"])
    switch = ProductFactory(goods=True, name="Switch", qty_on_hand=Decimal("10.00"))
    tasks = [TaskFactory(is_done=True, stage="done") for _ in range(6)]
    today = datetime.date.today()

    def work(i):
        if i % 2 == 0:
            return stock_receive(product=switch, quantity="3", date=today, reference=f"DN-{i}", user=receiver)
        return task_material_add(task=tasks[i // 2], product=switch, quantity="2", user=worker)

    results = run_in_threads(12, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    on_hand = Product.objects.get(pk=switch.pk).qty_on_hand
    assert on_hand == Decimal("10.00") + 6 * Decimal("3") - 6 * Decimal("2")
    moves = StockMove.objects.filter(product=switch)
    assert moves.filter(kind="receipt").count() == 6 and moves.filter(kind="consumption").count() == 6
    assert Decimal("10.00") + moves.aggregate(total=Sum("quantity"))["total"] == on_hand
