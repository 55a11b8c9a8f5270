"""Dates are typed in the site's one format on every form (issue 14 item 3): a text field in
YYYY-MM-DD with a calendar button, never the browser's own date input (mm/dd/yyyy in an American
Chromium). The calendar opens from its button, works from the keyboard, writes the site's format
and closes on Escape; a date the server cannot read is a field error. At 1366 and 390 px."""

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1366, 390])
def test_a_date_field_takes_the_sites_format_from_the_keyboard_or_the_calendar(page, login, shot, width):
    agent = UserFactory(username=f"e2e-dates-{width}", roles=["agent"])
    page.set_viewport_size({"width": width, "height": 844 if width < 800 else 900})
    login(page, agent)
    page.goto("/timesheets/")
    expect(page.locator("input[type=date]")).to_have_count(0)
    date_from = page.locator("#id_date_from")
    expect(date_from).to_have_attribute("placeholder", "YYYY-MM-DD")

    date_from.fill("2026-03-11")
    button = page.get_by_role("button", name="Choose a date: From")
    button.click()
    calendar = page.get_by_role("dialog", name="Choose a date: From")
    expect(calendar).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(calendar).to_contain_text("March")
    shot(page, f"date-field-calendar-{width}", full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    _wait_for_the_focused_day(page, "11")
    page.keyboard.press("ArrowRight")  # the focused day: 11 -> 12 March
    _wait_for_the_focused_day(page, "12")
    page.keyboard.press("Enter")
    expect(calendar).to_be_hidden()
    expect(date_from).to_have_value("2026-03-12")
    expect(date_from).to_be_focused()

    page.keyboard.press("Alt+ArrowDown")  # from the field itself
    expect(calendar).to_be_visible()
    _wait_for_the_calendar_to_take_focus(page)
    page.keyboard.press("Escape")
    expect(calendar).to_be_hidden()
    expect(button).to_be_focused()

    date_from.fill("31/13/2026")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".line-filters")).to_contain_text("Enter a date as YYYY-MM-DD, e.g. 2026-12-01.")
    shot(page, f"date-field-error-{width}")


def _wait_for_the_calendar_to_take_focus(page):
    # The calendar takes the focus on the next animation frame after it opens; keys pressed
    # before that go to the button or the field.
    page.wait_for_function("() => !!document.activeElement?.closest('.date-popover calendar-date')")


FOCUSED_DAY = """() => {
    let element = document.activeElement;
    while (element && element.shadowRoot && element.shadowRoot.activeElement) {
        element = element.shadowRoot.activeElement;
    }
    return element ? element.textContent.trim() : "";
}"""


def _wait_for_the_focused_day(page, day: str):
    # The calendar renders its month and moves the focus to a day asynchronously.
    page.wait_for_function(f"() => ({FOCUSED_DAY})() === {day!r}")
