"""Browser helper for search fields (core.widgets.SearchSelect): pick an object by keyboard."""

from playwright.sync_api import expect


def pick_by_keyboard(page, field_id: str, typed: str, name: str) -> None:
    """Type `typed` into the search field, go down the matches with the arrow key to `name`
    and press Enter: the field shows `name`, the list closes."""
    field = page.locator(f"#{field_id}")
    field.click()
    field.fill("")
    field.press_sequentially(typed)
    listbox = page.locator(f"#{field_id}-options")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option").first).to_be_visible()
    names = [
        text.strip()
        for text in listbox.get_by_role("option").evaluate_all("els => els.map(e => e.dataset.label)")
    ]
    assert name in names, names
    for _ in range(names.index(name) + 1):
        field.press("ArrowDown")
    expect(listbox.locator("[aria-selected=true]")).to_have_attribute("data-label", name)
    field.press("Enter")
    expect(field).to_have_value(name)
    expect(field).to_have_attribute("aria-expanded", "false")
