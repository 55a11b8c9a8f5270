"""`order_lines_update`: the lines of an order written at once (the API's nested lines, the order
page's line form): one transaction, the order then its lines locked first, an audit event per
line changed or removed, refusals naming the line's field."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from core.errors import ConflictError, DomainError
from sales import services as sales
from sales.models import Order, OrderLine
from tests.factories import CustomerFactory, ProductFactory, UserFactory, uom

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(db):
    return UserFactory(username="seller", roles=["sales"])


@pytest.fixture
def quotation(seller):
    """A quotation of two lines: 10 h of support at 100.00, 2 h of training at 50.00."""
    return sales.order_create(
        customer=CustomerFactory(),
        user=seller,
        lines=[
            {"product": ProductFactory(name="Support", price=D("100.00")), "quantity": D("10")},
            {"product": ProductFactory(name="Training", price=D("50.00")), "quantity": D("2")},
        ],
    )


def test_lines_are_changed_added_and_removed_at_once(quotation, seller):
    first, second = quotation.lines.order_by("sequence")
    extra = ProductFactory(name="Onboarding", price=D("10.00"))

    sales.order_lines_update(
        order=quotation,
        user=seller,
        lines=[
            {"id": first.pk, "quantity": D("20"), "discount": D("10")},
            {"product": extra, "quantity": D("3")},
        ],
    )

    lines = list(
        quotation.lines.order_by("sequence").values_list("description", "quantity", "price_subtotal")
    )
    assert lines == [("Support", D("20"), D("1800.00")), ("Onboarding", D("3"), D("30.00"))]
    assert quotation.amount_untaxed == D("1830.00")  # the caller's instance is current
    assert not OrderLine.objects.filter(pk=second.pk).exists()
    actions = AuditEvent.objects.filter(actor=seller, action__startswith="order.line").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["order.line_delete", "order.line_update"]


def test_a_refused_line_names_its_field_and_writes_nothing(quotation, seller):
    first, second = quotation.lines.order_by("sequence")
    with pytest.raises(DomainError) as refused:
        sales.order_lines_update(
            order=quotation,
            user=seller,
            lines=[{"id": first.pk, "quantity": D("20")}, {"id": second.pk, "quantity": D("-1")}],
        )
    assert refused.value.field == "lines[1].quantity"
    assert list(quotation.lines.order_by("sequence").values_list("quantity", flat=True)) == [D("10"), D("2")]
    assert Order.objects.get(pk=quotation.pk).amount_untaxed == D("1100.00")

    with pytest.raises(DomainError) as unknown:
        sales.order_lines_update(order=quotation, user=seller, lines=[{"id": 10**9}])
    assert unknown.value.field == "lines[0].id"
    with pytest.raises(DomainError) as swapped:
        sales.order_lines_update(
            order=quotation,
            user=seller,
            lines=[{"id": first.pk, "product": ProductFactory()}, {"id": second.pk}],
        )
    assert swapped.value.field == "lines[0].product"


def test_a_confirmed_order_keeps_its_prices_and_its_lines(quotation, seller):
    sales.order_confirm(order=quotation, user=seller)
    first, second = quotation.lines.order_by("sequence")
    with pytest.raises(ConflictError) as refused:
        sales.order_lines_update(
            order=quotation, user=seller, lines=[{"id": first.pk, "price_unit": D("1")}, {"id": second.pk}]
        )
    assert refused.value.field == "lines[0].price_unit"
    with pytest.raises(ConflictError, match="removed from quotations"):
        sales.order_lines_update(order=quotation, user=seller, lines=[{"id": first.pk}])

    sales.order_lines_update(
        order=quotation, user=seller, lines=[{"id": second.pk, "quantity": D("4")}], remove_missing=False
    )
    assert quotation.lines.count() == 2 and quotation.amount_untaxed == D("1200.00")


def test_the_order_is_locked_before_its_lines(quotation, seller):
    first, second = quotation.lines.order_by("sequence")
    with CaptureQueriesContext(connection) as queries:
        sales.order_lines_update(order=quotation, user=seller, lines=[{"id": first.pk}, {"id": second.pk}])
    locked = [
        re.search(r'FROM "(\w+)"', q["sql"]).group(1)
        for q in queries.captured_queries
        if "FOR NO KEY UPDATE" in q["sql"]
    ]
    if connection.vendor == "postgresql":
        assert locked[:2] == [Order._meta.db_table, OrderLine._meta.db_table]


def test_the_order_page_line_form_shows_the_refusal_next_to_its_field(client, quotation, seller):
    line = quotation.lines.order_by("sequence").first()
    client.force_login(seller)
    response = client.post(
        reverse("sales:order_line_save", args=[quotation.pk]),
        {
            "key": str(line.pk),
            "product": line.product_id,
            "description": line.description,
            "quantity": "1",
            "uom": uom("Units").pk,  # not a time unit: refused on the unit
            "price_unit": "100.00",
            "discount": "0",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    form = response.context["line_form"]
    assert list(form.errors) == ["uom"]
    assert OrderLine.objects.get(pk=line.pk).uom == uom("Hours")
