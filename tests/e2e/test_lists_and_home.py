"""Sorting a list by clicking its headers, and the home of each role, at 1366 and 390 px: the
sort and the filters survive a reload, every figure opens its filtered list, no page scrolls
sideways. Screenshots: test-artifacts/screenshots/lists-*."""

import re

from django.core.management import call_command
from playwright.sync_api import expect

from core.models import User

WIDTHS = (1366, 390)
OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def fits(page) -> bool:
    return page.evaluate(OVERFLOW)


def column_texts(page, index: int) -> list[str]:
    return page.locator(f"table.list > tbody > tr > td:nth-child({index})").all_inner_texts()


def test_sorting_the_order_list_by_clicking_headers(page, login, shot, transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    login(page, User.objects.get(username="sales"), password="demo1234")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900 if width > 800 else 844})
        page.goto("/sales/orders/")
        header = page.locator("th", has=page.get_by_role("link", name=re.compile("^Customer")))
        expect(header).not_to_have_attribute("aria-sort", re.compile(".*"))
        header.get_by_role("link").click()
        page.wait_for_url(re.compile(r"sort=customer"))
        expect(header).to_have_attribute("aria-sort", "ascending")
        names = column_texts(page, 3)
        assert names == sorted(names, key=str.casefold)
        header.get_by_role("link").click()
        page.wait_for_url(re.compile(r"sort=-customer"))
        expect(header).to_have_attribute("aria-sort", "descending")
        assert column_texts(page, 3) == sorted(names, key=str.casefold, reverse=True)
        # A filter keeps the sort; a reload keeps both.
        page.locator("select[name=state]").select_option("sale")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url(re.compile(r"state=sale"))
        assert "sort=-customer" in page.url
        page.reload()
        expect(header).to_have_attribute("aria-sort", "descending")
        expect(page.locator("select[name=state]")).to_have_value("sale")
        assert fits(page), f"order list at {width} px scrolls sideways"
        shot(page, f"lists-orders-sorted-{width}")
        page.get_by_role("link", name="Clear").click()
        page.wait_for_url(re.compile(r"/sales/orders/$"))


def test_sorting_tickets_and_timesheets(page, login, shot, transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    login(page, User.objects.get(username="agent"), password="demo1234")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900 if width > 800 else 844})
        page.goto("/helpdesk/?sort=title")
        expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Title")
        assert fits(page), f"ticket list at {width} px scrolls sideways"
        shot(page, f"lists-tickets-sorted-{width}")
        page.goto("/timesheets/")
        hours = page.locator("th", has=page.get_by_role("link", name=re.compile("^Hours")))
        hours.get_by_role("link").click()
        page.wait_for_url(re.compile(r"sort=-hours"))
        expect(hours).to_have_attribute("aria-sort", "descending")
        assert fits(page), f"timesheets at {width} px scroll sideways"
        shot(page, f"lists-timesheets-sorted-{width}")


def test_each_roles_home_links_its_figures_to_filtered_lists(page, login, shot, transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    journeys = {
        "agent": ("figure-open_tickets", re.compile(r"/helpdesk/\?mine=1&open=1")),
        "sales": ("figure-quotations", re.compile(r"/sales/orders/\?state=draft")),
        "accountant": ("figure-overdue", re.compile(r"/invoicing/invoices/\?overdue=1")),
        "admin": ("figure-teams_without_project", re.compile(r"/admin/helpdesk/team/\?project__isnull=True")),
    }
    for role, (figure, target) in journeys.items():
        login(page, User.objects.get(username=role), password="demo1234")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900 if width > 800 else 844})
            page.goto("/")
            expect(page.get_by_test_id(f"home-{role}")).to_be_visible()
            assert fits(page), f"{role} home at {width} px scrolls sideways"
            shot(page, f"lists-home-{role}-{width}")
        page.get_by_test_id(figure).get_by_role("link").click()
        page.wait_for_url(target)
        page.context.clear_cookies()


def test_a_superuser_home_shows_every_section(page, login, shot, transactional_db, django_user_model):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pass-1234")
    login(page, root)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900 if width > 800 else 844})
        page.goto("/")
        for section in ("agent", "sales", "accountant", "admin"):
            expect(page.get_by_test_id(f"home-{section}")).to_be_visible()
        assert fits(page), f"superuser home at {width} px scrolls sideways"
        shot(page, f"lists-home-superuser-{width}")
