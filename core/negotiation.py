"""The API's content negotiation (REST_FRAMEWORK's DEFAULT_CONTENT_NEGOTIATION_CLASS).

Its own module, importing nothing of `rest_framework.views`: DRF reads this setting while it
defines APIView, so a module that imports the views (core.api) would import itself half-made
whenever it is the first to load DRF (e.g. from the pagination system check).
"""

from django.http import Http404
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """DRF answers an unknown `?format=` (or `.xyz` suffix) with a 404 before it authenticates:
    an anonymous caller could tell endpoints apart without a token. Here who asks is checked
    first (401/403 as for any request), then the unknown format is a JSON 404."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            view = request.parser_context.get("view")
            if view is not None:
                view.perform_authentication(request)
                view.check_permissions(request)
            requested = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
            formats = ", ".join(sorted({r.format for r in renderers}))
            raise exceptions.NotFound(f"Unknown format {requested!r}: use one of {formats}.") from None
