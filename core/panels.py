"""What an app adds to another app's page. A page names itself ("sales:order_detail") and
renders what the registered functions return: panels (HTML) or context (names its template
shows); apps register in their AppConfig.ready(), so the page's app never imports the apps
above it (core imports no app)."""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

PanelRenderer = Callable[..., str]
ContextProvider = Callable[..., dict]
_PANELS: dict[str, list[PanelRenderer]] = {}
_CONTEXT: dict[str, list[ContextProvider]] = {}


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
