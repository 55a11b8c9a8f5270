"""Panels an app adds to another app's page. A page names itself ("sales:order_detail") and
renders what the registered functions return; apps register in their AppConfig.ready(), so the
page's app never imports the apps above it (core imports no app)."""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

PanelRenderer = Callable[..., str]
_PANELS: dict[str, list[PanelRenderer]] = {}


def register_panel(page: str, render: PanelRenderer) -> None:
    renderers = _PANELS.setdefault(page, [])
    if render not in renderers:
        renderers.append(render)


def render_panels(page: str, **context) -> list[SafeString]:
    """The HTML of each panel registered for `page` (renderers answer "" to show nothing)."""
    return [mark_safe(html) for render in _PANELS.get(page, []) if (html := render(**context))]  # noqa: S308
