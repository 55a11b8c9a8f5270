"""Our own 403 / 404 / 500 pages, also under DEBUG (`make run`): a visitor never sees Django's
debug page. Under /api/ the same errors answer JSON in API.md's error format.

`handler403/404/500` (config/urls.py) serve them when DEBUG is off; `ErrorPageMiddleware`
replaces Django's technical pages when DEBUG is on. A refusal is logged as a warning, a crash
with its traceback.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

logger = logging.getLogger("portal.errors")

TITLES = {403: "Not allowed", 404: "Page not found", 500: "Something went wrong"}
DEFAULT_REASONS = {
    403: "Your account may not open this page.",
    404: "The page you asked for does not exist, or is not yours to see.",
    500: "The error has been recorded. Nothing was half-saved: please try again in a moment.",
}


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def error_response(request, status: int, reason: str = "") -> HttpResponse:
    reason = reason or DEFAULT_REASONS[status]
    if _is_api(request):
        return JsonResponse({"detail": reason}, status=status)
    try:
        context = {
            "status": status,
            "title": TITLES[status],
            "reason": reason,
            "back_url": _back_url(request),
        }
        html = loader.render_to_string("errors/error.html", context, request)
    except Exception:  # a broken template must not hide the error itself
        logger.exception("error page could not be rendered")
        html = f"<h1>{status} {TITLES[status]}</h1><p>{reason}</p>"
    response = HttpResponse(html, status=status)
    response.portal_error_page = True
    return response


def _back_url(request) -> str:
    """The page the visitor came from, when it is one of ours (and not this one)."""
    referer = request.headers.get("Referer", "")
    same_site = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if same_site and referer != request.build_absolute_uri() else ""


def _reason(exception) -> str:
    message = str(exception) if exception is not None else ""
    # Django's own 404 messages name URL patterns or models: not for visitors' eyes.
    return message if isinstance(exception, PermissionDenied) else ""


def handler403(request, exception=None):
    # One line, no traceback: a refusal is the policy working, not a crash.
    user = getattr(request, "user", None)
    who = user.get_username() if user is not None and user.is_authenticated else "anonymous"
    logger.warning("403 %s %s for %s: %s", request.method, request.path, who, _reason(exception) or "refused")
    return error_response(request, 403, _reason(exception))


def handler404(request, exception=None):
    return error_response(request, 404)


def handler500(request):
    return error_response(request, 500)


class ErrorPageMiddleware:
    """Under DEBUG, answer our pages instead of Django's technical ones; everywhere, answer a
    crash under /api/ as JSON (off DEBUG, the browser's 404/500 come from the handlers)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and _is_technical_page(response):
            return error_response(request, 404)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            return handler403(request, exception)
        if isinstance(exception, Http404):
            return error_response(request, 404) if settings.DEBUG else None
        if not settings.DEBUG and not _is_api(request):
            return None  # Django logs the traceback, then handler500 answers
        logger.exception("500 %s %s", request.method, request.path)
        return error_response(request, 500)


def _is_technical_page(response) -> bool:
    if getattr(response, "portal_error_page", False) or getattr(response, "streaming", False):
        return False
    return b"DEBUG = True" in response.content
