"""API plumbing shared by every app: pagination, the error format of API.md, role permissions."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, permissions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from .errors import DomainError


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """Map domain errors to 400/409 and Django validation errors to field-level 400s.

    With ATOMIC_REQUESTS an answered error would otherwise commit what the view wrote before
    it: mark the request's transaction for rollback, as DRF does for its own errors.
    """
    if isinstance(exc, DomainError):
        set_rollback()
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        if hasattr(exc, "error_dict"):
            data = {
                (field if field != "__all__" else "detail"): [str(m) for e in errors for m in e.messages]
                for field, errors in exc.error_dict.items()
            }
            if "detail" in data:
                data["detail"] = " ".join(data["detail"])
        else:
            data = {"detail": " ".join(exc.messages)}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)


class HasRole(permissions.BasePermission):
    """Allow users holding one of `roles` (set on the view as `allowed_roles`)."""

    def has_permission(self, request, view):
        roles = getattr(view, "allowed_roles", ())
        user = request.user
        return bool(user and user.is_authenticated and user.has_role(*roles))
