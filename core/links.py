"""Links to a page of an app above by what it shows ("ticket", "invoice"), never by its URL name.

A lower app's page may point at a higher app's page (a time line at its ticket, an order at its
invoices) but must not name it: the higher app registers, in its AppConfig.ready(), which URL
shows a kind of object (`register_link("ticket", "helpdesk:ticket_detail")`); the page asks
`link_url("ticket", pk)` or, in a template, `{% link "ticket" pk %}` ({% load links %}). It is a
`reverse()`: no query. An unregistered kind or a URL that is not installed answers "".
"""

from django.urls import NoReverseMatch, reverse

_LINKS: dict[str, str] = {}  # kind -> URL name


def register_link(kind: str, url_name: str) -> None:
    """The page of URL `url_name` (taking the object's id, if any) shows objects of `kind`."""
    _LINKS[kind] = url_name


def link_url(kind: str, *args) -> str:
    """The URL of the page registered for `kind` ("" when there is none)."""
    name = _LINKS.get(kind)
    if name is None:
        return ""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
