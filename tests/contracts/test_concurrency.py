"""Two renewal runs at once (two beat workers) create one period: real PostgreSQL, two threads."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from contracts.models import ContractPeriod
from contracts.services import contract_create, contracts_renew
from sales.models import Order
from tests.factories import CustomerFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_beat_runs_at_once_create_one_period():
    seller = UserFactory(username="seller", roles=["sales"])
    customer = CustomerFactory()
    contract = contract_create(
        user=seller,
        customer=customer,
        product=ProductFactory(price=Decimal("100.00")),
        hours_per_period=Decimal("10"),
        start_date=datetime.date(2030, 1, 1),  # starts later: no period yet
    )
    barrier = threading.Barrier(2)

    def run(_):
        try:
            barrier.wait()
            return contracts_renew(day=datetime.date(2030, 1, 1)).opened
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        opened = sorted(pool.map(run, range(2)))
    assert opened == [0, 1]
    assert ContractPeriod.objects.filter(contract=contract).count() == 1
    assert Order.objects.filter(customer=customer).count() == 1
