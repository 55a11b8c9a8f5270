"""The reports with rounded time (billed duration ≠ actual hours): each figure shows both."""

import pytest

from tests.reports.conftest import _report_day  # noqa: F401 - the report day (autouse)
from tests.reports.test_billed_hours import rounded  # noqa: F401 - the rounded data set

pytestmark = pytest.mark.django_db(transaction=True)

RANGE = "date_from=2026-11-01&date_to=2026-11-23"
PAGES = [
    ("hours", "by=customer&", "billed 1.75"),
    ("unbilled", "", "actual 1.15"),
    ("burndown", "", "actual 0.40"),
]


def test_billed_and_actual_hours_side_by_side(page, login, shot, rounded, accountant):  # noqa: F811
    login(page, accountant)
    for slug, extra, figure in PAGES:
        for width, height in ((1366, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"/reports/{slug}/?{extra}{RANGE}")
            assert figure in page.locator(".report-table").inner_text()
            shot(page, f"reports-billed-{slug}-{width}")
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")
