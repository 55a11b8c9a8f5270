"""API plumbing shared by every app: pagination, the error format of API.md, role permissions
(list filters: core.filters). Every app's `api.py` imports these from here, never from another
app's API module.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from .errors import DomainError
from .models import STAFF_ROLES, User
from .money import EXACT_QTY_DIGITS, EXACT_QTY_PLACES, format_qty
from .pagination import CappedPaginator

STAFF = STAFF_ROLES
EVERYONE = (*STAFF, "customer")


# A decimal answered as a string (COERCE_DECIMAL_TO_STRING), or null where it does not apply.
NULLABLE_DECIMAL_STRING = {
    "type": "string",
    "format": "decimal",
    "nullable": True,
    "pattern": r"^-?\d+(\.\d+)?$",
}


class ExactQuantityField(serializers.DecimalField):
    """A derived quantity as stored, read-only: "3.75", "1.625", "0.00625" (no padding to six
    decimals, no rounding to two)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(max_digits=EXACT_QTY_DIGITS, decimal_places=EXACT_QTY_PLACES, **kwargs)

    def to_representation(self, value):
        return None if value is None else format_qty(value)


class Pagination(PageNumberPagination):
    """Page-number pagination. A `?page=` that is not a page number (`abc`, `0`, `-1`) is the
    client's error, a field-level 400; a page past the end stays a 404, as DRF answers it."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw not in self.last_page_strings and not (raw.isdigit() and int(raw) > 0):
            raise exceptions.ValidationError(
                {self.page_query_param: ["A page number (1, 2, ...) is required."]}
            )
        return super().paginate_queryset(queryset, request, view)


class CappedCountPagination(Pagination):
    """For lists of a million rows (timesheet lines): `count` is exact up to
    `core.pagination.COUNT_CAP` rows; past it `count` is the cap and `count_capped` is true
    (filter to get an exact count). Every page stays reachable and `next` stays right."""

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {
            "type": "boolean",
            "description": "True when `count` stopped at the cap: there are more rows than it says.",
        }
        return schema


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
    _answer_errors_in_json(context.get("request"))
    return drf_exception_handler(exc, context)


def _answer_errors_in_json(request) -> None:
    """An error asked for as a PDF or UBL file (`?format=pdf`) is still JSON, labelled as such."""
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is not None and renderer.format not in ("json", "api"):
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"


class HasRole(permissions.BasePermission):
    """Allow users holding one of `roles` (set on the view as `allowed_roles`).

    A view may set `role_denied_message` to explain a refusal (403) in its own words.
    """

    def has_permission(self, request, view):
        roles = getattr(view, "allowed_roles", ())
        user = request.user
        allowed = bool(user and user.is_authenticated and user.has_role(*roles))
        if not allowed and getattr(view, "role_denied_message", None):
            self.message = view.role_denied_message
        return allowed


class RolePolicyMixin:
    """Declarative permissions: `action_roles` maps each viewset action to the roles allowed to
    run it; an action that is not listed is refused (403). Object visibility is `get_queryset`'s
    job (404 for what a user may not see)."""

    permission_classes = [HasRole]
    action_roles: Mapping[str, tuple[str, ...]] = {}

    @property
    def allowed_roles(self) -> tuple[str, ...]:
        if self.action is None:  # an HTTP method the viewset does not offer: let DRF answer 405
            return EVERYONE
        if self.action == "metadata":  # OPTIONS: whoever may read
            return self.action_roles.get("list", ())
        return self.action_roles.get(self.action, ())


def roles_for(read: tuple[str, ...], write: tuple[str, ...], *, delete: tuple[str, ...] = ()) -> dict:
    """`action_roles` of a model viewset: who reads, who creates and changes, who deletes."""
    return {
        "list": read,
        "retrieve": read,
        "create": write,
        "update": write,
        "partial_update": write,
        "destroy": delete,
    }


def is_staff_user(user: User) -> bool:
    """Staff (any role but portal customer) see every customer's records."""
    return user.has_role(*STAFF)


class StaffOnlyFieldsMixin:
    """Serializer mixin: the fields named in `staff_only_fields` are internal (upsell flags,
    stock, project wiring) and left out of the answer for portal customers."""

    staff_only_fields: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not is_staff_user(request.user):
            for name in self.staff_only_fields:
                data.pop(name, None)
        return data
