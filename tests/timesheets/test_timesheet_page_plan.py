"""The timesheets page reads its rows off the `(date DESC, id DESC)` index, whatever the table's
size: its page query orders by exactly those columns, and PostgreSQL's plan for it has no Sort.

At a million lines a Sort node is a sort of the whole table (3 s per page, benchmarks.md): a
"DESC NULLS LAST" on the NOT NULL date is enough to lose the index. No timing is asserted: the
plan is read with sorts and sequential scans made unattractive, so a plan that still sorts is
one that cannot avoid it.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import pagination
from tests.factories import TimesheetLineFactory

pytestmark = pytest.mark.django_db

TABLE = '"timesheets_timesheetline"'


def page_query(client, url) -> str:
    """The SQL of the page's rows: the one SELECT of the lines with an ORDER BY and a LIMIT."""
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    pages = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith(f"SELECT {TABLE}.") and " ORDER BY " in q["sql"] and " LIMIT " in q["sql"]
    ]
    assert len(pages) == 1, pages
    return pages[0]


def plan_of(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def three_agent_lines(agent):
    TimesheetLineFactory.create_batch(3, employee=agent)


@pytest.mark.parametrize("who", ["admin_user", "agent"])
@pytest.mark.parametrize("query", ["", "?sort=-date", "?sort=date"])
def test_the_page_orders_by_the_indexed_columns_and_postgresql_sorts_nothing(
    client, request, three_agent_lines, who, query
):
    client.force_login(request.getfixturevalue(who))
    sql = page_query(client, reverse("timesheets:line_list") + query)
    direction = "ASC" if query == "?sort=date" else "DESC"
    order_by = sql.split(" ORDER BY ", 1)[1].split(" LIMIT ", 1)[0]
    assert order_by == f'{TABLE}."date" {direction}, {TABLE}."id" {direction}'
    plan = plan_of(sql)
    assert "timesheet_date_id_idx" in plan, plan
    assert "Sort" not in plan, plan


def test_a_costly_sort_on_a_list_past_the_count_cap_keeps_the_indexed_order(
    client, admin_user, three_agent_lines, monkeypatch
):
    """Past the cap `?sort=-hours` falls back to the date order: the same plan as the default."""
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    client.force_login(admin_user)
    sql = page_query(client, reverse("timesheets:line_list") + "?sort=-hours")
    assert sql.split(" ORDER BY ", 1)[1].startswith(f'{TABLE}."date" DESC, {TABLE}."id" DESC LIMIT')
    assert "Sort" not in plan_of(sql)
