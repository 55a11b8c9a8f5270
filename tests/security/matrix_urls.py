"""Every URL pattern of the site, read from Django's resolver, as the role matrix requests it.

A pattern the tables do not name makes the matrix fail: a URL added later needs its row.
Excluded on purpose, each with the test that covers it:
- DRF's format-suffix twins (`orders.json`, `orders/1.json`): the same view as the row without
  the suffix; unknown suffixes are in tests/core/test_hardening.py.
- the admin's catch-all (`admin/<anything>`): redirects to the admin sign-in or answers 404.
"""

from dataclasses import dataclass

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
BROWSER_METHODS = ("GET", "POST")
ADMIN_MODEL_VIEWS = ("changelist", "add", "change", "history", "delete")


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the bare name of an API route
    route: str  # the pattern as text, from the site root
    keywords: tuple[str, ...]
    callback: object

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    def url(self, kwargs: dict) -> str:
        return reverse(self.key, kwargs=kwargs)

    def methods(self) -> tuple[str, ...]:
        """A page: GET and POST (one of them is often a 405). An API endpoint: what it serves."""
        if not self.is_api:
            return BROWSER_METHODS
        actions = getattr(self.callback, "actions", None)
        if actions:
            return tuple(m for m in API_METHODS if m.lower() in actions)
        view = self.callback.cls
        return tuple(m for m in API_METHODS if hasattr(view, m.lower()))


def _keywords(pattern) -> list[str]:
    if isinstance(pattern.pattern, RoutePattern):
        return list(pattern.pattern.converters)
    return list(pattern.pattern.regex.groupindex)


def _walk(patterns, prefix="", namespace=None, keywords=()):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                ":".join(filter(None, [namespace, pattern.namespace])) or None,
                (*keywords, *_keywords(pattern)),
            )
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern, (*keywords, *_keywords(pattern))


def site_routes() -> list[Route]:
    """Every named URL pattern but the format-suffix twins and the admin's catch-all."""
    routes = []
    for text, namespace, pattern, keywords in _walk(get_resolver().url_patterns):
        if "format" in keywords or pattern.name is None:
            continue
        key = f"{namespace}:{pattern.name}" if namespace else pattern.name
        routes.append(
            Route(
                key=key,
                route=text.replace("^", "").replace("$", ""),
                keywords=keywords,
                callback=pattern.callback,
            )
        )
    return routes


def admin_model_keys() -> dict[str, str]:
    """{"admin:sales_uom_changelist": "sales.uom", ...} for every view of every registered model."""
    keys = {}
    for model in admin.site._registry:
        label = f"{model._meta.app_label}_{model._meta.model_name}"
        for view in ADMIN_MODEL_VIEWS:
            keys[f"admin:{label}_{view}"] = f"{model._meta.app_label}.{model._meta.model_name}"
    return keys
