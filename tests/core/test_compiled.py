"""`core.compiled.CompiledGet` answers what the queryset's `get(pk=...)` answers, compiled once."""

import pytest
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext

from core.compiled import CompiledGet
from sales.models import OrderLine
from tests.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db

RELATED = ("order__customer", "product", "uom__category")


def _values(row):
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}


def test_a_compiled_read_builds_the_same_rows_as_the_orm_in_one_query():
    line = OrderLineFactory(order=OrderFactory())
    read = CompiledGet(
        lambda: OrderLine.objects.select_related(*RELATED).annotate(marker=Value(7)).order_by()
    )
    read.get(line.pk)  # compiled on first use
    with CaptureQueriesContext(connection) as queries:
        compiled = read.get(line.pk)
    orm = OrderLine.objects.select_related(*RELATED).get(pk=line.pk)
    assert len(queries.captured_queries) == 1
    assert _values(compiled) == _values(orm) and compiled.marker == 7
    assert not compiled._state.adding and compiled._state.db == "default"
    with CaptureQueriesContext(connection) as queries:  # every related row came with it
        related = [compiled.order.customer, compiled.product, compiled.uom.category]
    assert not queries.captured_queries
    assert [_values(r) for r in related] == [
        _values(orm.order.customer),
        _values(orm.product),
        _values(orm.uom.category),
    ]


def test_a_compiled_read_of_another_id_reads_that_row():
    first, second = OrderLineFactory(), OrderLineFactory()
    read = CompiledGet(lambda: OrderLine.objects.select_related("order"))
    assert read.get(first.pk).order.pk == first.order_id
    assert read.get(str(second.pk)).pk == second.pk  # an id as text, as the ORM takes it


def test_a_missing_or_malformed_id_fails_as_the_orm_does():
    read = CompiledGet(lambda: OrderLine.objects.select_related("order"))
    with pytest.raises(OrderLine.DoesNotExist):
        read.get(987654321)
    with pytest.raises(ValueError):
        read.get("abc")
    with pytest.raises(TypeError):
        read.get([1])
