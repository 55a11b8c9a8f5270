"""What an app adds to another app's page. A page names itself ("sales:order_detail") and
renders what the registered functions return: panels (HTML), context (names its template
shows) or columns of its rows (queryset annotations); apps register in their
AppConfig.ready(), so the page's app never imports the apps above it (core imports no app)."""

from collections.abc import Callable

from django.db.models import QuerySet
from django.utils.safestring import SafeString, mark_safe

PanelRenderer = Callable[..., str]
ContextProvider = Callable[..., dict]
QuerysetExtender = Callable[[QuerySet], QuerySet]
_PANELS: dict[str, list[PanelRenderer]] = {}
_CONTEXT: dict[str, list[ContextProvider]] = {}
_QUERYSETS: dict[str, list[QuerysetExtender]] = {}


def register_panel(page: str, render: PanelRenderer) -> None:
    renderers = _PANELS.setdefault(page, [])
    if render not in renderers:
        renderers.append(render)


def render_panels(page: str, **context) -> list[SafeString]:
    """The HTML of each panel registered for `page` (renderers answer "" to show nothing)."""
    return [mark_safe(html) for render in _PANELS.get(page, []) if (html := render(**context))]  # noqa: S308


def register_context(page: str, provide: ContextProvider) -> None:
    providers = _CONTEXT.setdefault(page, [])
    if provide not in providers:
        providers.append(provide)


def page_context(page: str, **context) -> dict:
    """The template names every provider registered for `page` adds (merged in registration order)."""
    merged: dict = {}
    for provide in _CONTEXT.get(page, []):
        merged.update(provide(**context))
    return merged


def register_queryset(page: str, extend: QuerysetExtender) -> None:
    """`extend(queryset)` adds what the app shows on each row of `page` (e.g. an annotation)."""
    extenders = _QUERYSETS.setdefault(page, [])
    if extend not in extenders:
        extenders.append(extend)


def page_queryset(page: str, queryset: QuerySet) -> QuerySet:
    for extend in _QUERYSETS.get(page, []):
        queryset = extend(queryset)
    return queryset
