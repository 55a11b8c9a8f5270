from decimal import Decimal

import pytest

from sales.models import Order, Product
from tests.factories import (
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ProjectFactory,
    TaskFactory,
)


@pytest.fixture
def field_product(db):
    """Time on site, billed on timesheets, one task per order line in a shared project."""
    project = ProjectFactory(name="Field service")
    return ProductFactory(
        name="On-site intervention",
        timesheet=True,
        service_tracking=Product.ServiceTracking.TASK,
        project=project,
    )


@pytest.fixture
def cable(db):
    return ProductFactory(name="Cable 5 m", goods=True, price=Decimal("12.50"), qty_on_hand=Decimal("10.00"))


@pytest.fixture
def confirmed_field_order(customer, field_product):
    """A confirmed order of 1 h of on-site work (tasks made by hand: no billing service needed)."""
    order = OrderFactory(customer=customer, state=Order.State.SALE, name="SO09001")
    line = OrderLineFactory(order=order, product=field_product, quantity=Decimal("1.00"))
    return order, line


@pytest.fixture
def field_task(confirmed_field_order, field_product, agent):
    order, line = confirmed_field_order
    return TaskFactory(
        title="Fix the boiler",
        project=field_product.project,
        customer=order.customer,
        sale_line=line,
        assignee=agent,
    )
