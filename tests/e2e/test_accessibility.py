"""Every page passes axe-core (the copy bundled with `axe-playwright-python`, no CDN) with no
serious or critical violation at 1366 and 390 px, visited as each role on the demo company. The
page list is the narrow-screens one, so a new page is checked for both at once."""

from axe_playwright_python.sync_playwright import Axe

from core.models import User
from tests.e2e.test_narrow_screens import WIDTHS, demo_company, pages_for

BLOCKING = {"serious", "critical"}
# Each role's own home (it differs per role) on top of the narrow-screens list.
ROLES = ("agent", "sales", "accountant", "admin", "customer")


def pages_of(role: str) -> list[str]:
    own = pages_for(role) if role != "admin" else []
    return own if "/" in own else ["/", *own]


def blocking_violations(page, axe: Axe) -> list[str]:
    results = axe.run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        targets = [", ".join(node["target"]) for node in violation["nodes"][:4]]
        found.append(f"{violation['id']} ({violation['impact']}): {'; '.join(targets)}")
    return found


def test_every_page_passes_axe_at_both_widths(page, login, transactional_db):
    demo_company()
    axe = Axe()
    failures = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/login/")
        failures += [f"anonymous /login/ @{width}: {v}" for v in blocking_violations(page, axe)]
    for role in ROLES:
        page.set_viewport_size({"width": 1366, "height": 900})
        login(page, User.objects.get(username=role), password="demo1234")
        for url in pages_of(role):
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 844 if width < 800 else 900})
                response = page.goto(url)
                assert response.ok, f"{role} {url}: HTTP {response.status}"
                page.wait_for_load_state("networkidle")
                failures += [f"{role} {url} @{width}: {v}" for v in blocking_violations(page, axe)]
        page.context.clear_cookies()
    assert not failures, f"{len(failures)} violations:\n" + "\n".join(failures)
