"""Every page fits a phone (390 px) and a laptop (1366 px): no horizontal page scroll, tables
scroll inside their card. The pages are every browser page of the site (tests/e2e/pages.py:
derived from the URL resolver; a route with neither a visit nor a reason fails here), the
dialogs opened over their page, the error pages and the admin's main pages, each visited as a
role that opens it on the demo company. A screenshot of each at both widths lands in
test-artifacts/screenshots/narrow-*."""

from tests.e2e.pages import (
    WIDTHS,
    by_role,
    every_page_company,
    login_as,
    missing_routes,
    open_visit,
    visits,
)

OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def test_every_page_fits_a_phone_and_a_laptop(page, shot, transactional_db):
    every_page_company()
    found = visits()
    assert not missing_routes(found), f"pages without a visit or a reason: {missing_routes(found)}"
    overflowing, wrong = [], []
    for role, role_visits in by_role(found).items():
        page.set_viewport_size({"width": 1366, "height": 900})
        login_as(page, role)
        for visit in role_visits:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 844 if width < 800 else 900})
                response = open_visit(page, visit)
                if response.status != visit.status:
                    wrong.append(f"{role} {visit.url}: HTTP {response.status}, expected {visit.status}")
                excess = page.evaluate(OVERFLOW)
                if excess > 0:
                    where = visit.dialog or visit.url
                    overflowing.append(f"{role} {where} at {width} px: {excess} px too wide")
                shot(page, f"narrow-{visit.name}-{width}")
    assert not wrong, "\n".join(wrong)
    assert not overflowing, "\n".join(overflowing)
