"""Every page passes axe-core (the copy bundled with `axe-playwright-python`, no CDN) with no
serious or critical violation at 1366 and 390 px: every browser page of the site, its dialogs,
the error pages and the admin's index, main changelists and change forms, each visited as a
role that opens it on the demo company. The page list (tests/e2e/pages.py) is the narrow-screens
one and is checked against the URL resolver, so a new page is checked for both at once."""

from axe_playwright_python.sync_playwright import Axe

from tests.e2e.pages import WIDTHS, by_role, every_page_company, login_as, missing_routes, open_visit, visits

BLOCKING = {"serious", "critical"}


def blocking_violations(page, axe: Axe) -> list[str]:
    results = axe.run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        targets = [", ".join(map(str, node["target"])) for node in violation["nodes"][:4]]
        found.append(f"{violation['id']} ({violation['impact']}): {'; '.join(targets)}")
    return found


def test_every_page_passes_axe_at_both_widths(page, transactional_db):
    every_page_company()
    found = visits()
    assert not missing_routes(found), f"pages without a visit or a reason: {missing_routes(found)}"
    axe = Axe()
    failures = []
    for role, role_visits in by_role(found).items():
        page.set_viewport_size({"width": 1366, "height": 900})
        login_as(page, role)
        for visit in role_visits:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 844 if width < 800 else 900})
                response = open_visit(page, visit)
                assert response.status == visit.status, f"{role} {visit.url}: HTTP {response.status}"
                where = f"{role} {visit.dialog or visit.url} @{width}"
                failures += [f"{where}: {v}" for v in blocking_violations(page, axe)]
    assert not failures, f"{len(failures)} violations:\n" + "\n".join(failures)
