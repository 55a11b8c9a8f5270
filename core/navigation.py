"""The navigation of the base layout: which entries each role sees, and the header widgets.

Core names no app: each app registers its own entries and widgets in its AppConfig.ready()
(`register_nav_item`, `register_header_widget`). `position` orders them across apps; entries
whose URL is not installed are skipped.
"""

from typing import NamedTuple

from django.urls import NoReverseMatch, reverse

from . import policy


class NavItem(NamedTuple):
    label: str
    name: str  # URL name
    roles: tuple[str, ...]  # roles whose daily work it is (the menu of each role)
    action: str  # the core.policy rule of the page: never a link to a refused page


_NAV: dict[str, tuple[int, NavItem]] = {}  # by URL name: (position, item)
_WIDGETS: dict[str, int] = {}  # template -> position


def register_nav_item(label: str, name: str, roles, *, action: str, position: int) -> None:
    """Add (or replace, on a second ready()) the entry for URL `name`: shown to the `roles`
    that core.policy's `action` allows."""
    _NAV[name] = (position, NavItem(label, name, tuple(roles), action))


def register_header_widget(template: str, *, position: int) -> None:
    """A template included in the header on every page for signed-in users."""
    _WIDGETS[template] = position


def nav_entries() -> list[NavItem]:
    return [item for _position, item in sorted(_NAV.values(), key=lambda entry: entry[0])]


def header_widgets() -> list[str]:
    return sorted(_WIDGETS, key=_WIDGETS.__getitem__)


def nav_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = []
    for label, name, roles, action in nav_entries():
        if not (user.has_role(*roles) and policy.may(user, action)):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "name": name})
    return items
