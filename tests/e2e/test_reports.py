"""Browser journey of the reports: an accountant goes through every report (chart beside the
table, filters in the URL, CSV download); an agent sees only their own hours."""

from pathlib import Path

import pytest

from tests.reports.conftest import _report_day, story  # noqa: F401 - the known data set

pytestmark = pytest.mark.django_db(transaction=True)


def _leave(page):
    """No request in flight (the header's timer widget) when the test ends: the live server's
    database is flushed right after."""
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")


RANGE = "date_from=2026-07-01&date_to=2026-11-23"
PAGES = [
    ("hours", "Hours", "Globex"),
    ("unbilled", "Unbilled work", "1,550.00"),
    ("revenue", "Revenue by month", "5,875.00"),
    ("receivables", "Aged receivables", "5,008.75"),
    ("burndown", "Prepaid burn-down", "10.00"),
]


def test_accountant_reads_every_report_with_its_chart(page, login, shot, story, accountant):  # noqa: F811
    login(page, accountant)
    page.click("nav.mainnav >> text=Reports")
    page.wait_for_url("**/reports/")
    shot(page, "reports-index-1366")
    page.click(".report-tiles >> text=Hours")
    page.fill("#id_date_from", "2026-07-01")
    page.fill("#id_date_to", "2026-11-23")
    page.select_option("#id_by", "month")
    page.click("button:has-text('Show')")
    page.wait_for_url("**by=month**")
    assert "2026-11" in page.locator(".report-table").inner_text()
    for slug, title, figure in PAGES:
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"/reports/{slug}/?{RANGE}")
        assert page.locator("h1").inner_text() == title
        assert page.locator("svg.chart").count() == 1
        assert figure in page.locator(".report-table").inner_text()
        chart, table = page.locator(".chart-card").bounding_box(), page.locator(".table-card").bounding_box()
        assert chart["x"] + chart["width"] <= table["x"] + 1  # side by side on a laptop
        shot(page, f"reports-{slug}-1366")
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        shot(page, f"reports-{slug}-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"/reports/revenue/?{RANGE}")
    with page.expect_download() as download:
        page.click("text=Export CSV")
    rows = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert rows[-1] == "2026-11,2,375.00,-1000.00,-625.00,-131.25,-756.25"
    _leave(page)


def test_agent_sees_only_their_own_hours(page, login, shot, story):  # noqa: F811
    login(page, story.ana)
    page.goto("/reports/")
    assert page.locator(".report-tiles a").all_inner_texts()[0].startswith("Hours")
    assert page.locator(".report-tiles a").count() == 1
    page.goto(f"/reports/hours/?{RANGE}&by=employee")
    assert "Your own hours only" in page.locator(".report-head").inner_text()
    assert page.locator(".report-table tbody tr").all_inner_texts()[0].startswith("Ana Agent")
    assert page.locator(".report-table tbody tr").count() == 1
    shot(page, "reports-hours-agent-1366")
    assert page.goto("/reports/revenue/").status == 403
    _leave(page)
