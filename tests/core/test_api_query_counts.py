"""List endpoints run a fixed number of queries whatever the data size (no N+1)."""

import pytest

from invoicing.models import Invoice
from tests.factories import (
    InvoiceFactory,
    InvoiceLineFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    TimesheetLineFactory,
    uom,
)

pytestmark = pytest.mark.django_db

# SAVEPOINT + RELEASE (ATOMIC_REQUESTS), the caller's roles, COUNT, the page, then one per prefetch.
ORDERS_QUERIES = 6  # + order lines (with remaining hours annotated in the same query)
# The timesheets' routes run outside ATOMIC_REQUESTS (their writes are services, one transaction
# each): no SAVEPOINT + RELEASE.
TIMESHEETS_QUERIES = 3
INVOICES_QUERIES = 7  # + invoice lines, payments


def make_orders(count: int) -> None:
    prepaid = ProductFactory()
    postpaid = ProductFactory(timesheet=True)
    in_days = ProductFactory(uom=uom("Days"))
    for _ in range(count):
        order = OrderFactory()
        OrderLineFactory(order=order, product=prepaid)
        OrderLineFactory(order=order, product=postpaid)
        OrderLineFactory(order=order, product=in_days, quantity=2)
        TimesheetLineFactory(sale_line=order.lines.first())


@pytest.mark.parametrize("size", [2, 20])
def test_orders_list_with_nested_lines_runs_a_fixed_number_of_queries(
    client_for, seller, django_assert_num_queries, size
):
    make_orders(size)
    client = client_for(seller)
    with django_assert_num_queries(ORDERS_QUERIES):
        response = client.get("/api/v1/orders/", {"page_size": 500})
    assert response.status_code == 200
    assert len(response.json()["results"]) == size
    assert all(len(o["lines"]) == 3 for o in response.json()["results"])
    assert response.json()["results"][0]["lines"][0]["remaining_hours"] == "49.00"


@pytest.mark.parametrize("size", [2, 30])
def test_timesheets_list_runs_a_fixed_number_of_queries(client_for, agent, django_assert_num_queries, size):
    TimesheetLineFactory.create_batch(size)
    client = client_for(agent)
    with django_assert_num_queries(TIMESHEETS_QUERIES):
        response = client.get("/api/v1/timesheets/", {"page_size": 500})
    assert len(response.json()["results"]) == size


@pytest.mark.parametrize("size", [2, 20])
def test_invoices_list_runs_a_fixed_number_of_queries(
    client_for, accountant, django_assert_num_queries, size
):
    for n in range(size):
        invoice = InvoiceFactory(state=Invoice.State.POSTED, number=f"INV/2026/{n:05d}")
        InvoiceLineFactory.create_batch(2, invoice=invoice)
    client = client_for(accountant)
    with django_assert_num_queries(INVOICES_QUERIES):
        response = client.get("/api/v1/invoices/", {"page_size": 500})
    assert len(response.json()["results"]) == size


def test_timesheets_list_counts_up_to_the_cap_and_still_pages_past_it(
    client_for, agent, monkeypatch, django_assert_num_queries
):
    """A million lines are not counted whole: past the cap `count` is the cap, `count_capped`
    says so, and `next` keeps leading to the remaining lines."""
    monkeypatch.setattr("core.pagination.COUNT_CAP", 3)
    TimesheetLineFactory.create_batch(5)
    client = client_for(agent)
    with django_assert_num_queries(TIMESHEETS_QUERIES):
        first = client.get("/api/v1/timesheets/", {"page_size": 2}).json()
    assert (first["count"], first["count_capped"], len(first["results"])) == (3, True, 2)
    assert first["next"] is not None
    last = client.get("/api/v1/timesheets/", {"page_size": 2, "page": 3}).json()
    assert (len(last["results"]), last["next"]) == (1, None)
    seen = {
        r["id"]
        for page in (1, 2, 3)
        for r in client.get("/api/v1/timesheets/", {"page_size": 2, "page": page}).json()["results"]
    }
    assert len(seen) == 5
    assert client.get("/api/v1/timesheets/", {"page_size": 2, "page": 4}).status_code == 404


def test_timesheets_list_below_the_cap_counts_exactly(client_for, agent):
    TimesheetLineFactory.create_batch(4)
    data = client_for(agent).get("/api/v1/timesheets/", {"page_size": 2}).json()
    assert (data["count"], data["count_capped"]) == (4, False)
