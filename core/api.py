"""API plumbing shared by every app: pagination, the error format of API.md, the policy
permission (list filters: core.filters). Every app's `api.py` imports these from here, never from
another app's API module.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.http import Http404
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from . import policy
from .errors import DomainError
from .models import User
from .money import EXACT_QTY_DIGITS, EXACT_QTY_PLACES, format_qty
from .pagination import CappedPaginator

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


class PolicyPermission(permissions.BasePermission):
    """Allow a request when `core.policy` allows one of the view's rules (`policy_actions`):
    on a viewset `action_rules[action]`, on a plain API view `policy_action`. A refusal answers
    403 with the rule's reason in `detail`."""

    def _actions(self, view) -> tuple[str, ...] | None:
        if hasattr(view, "policy_actions"):
            return view.policy_actions()
        names = getattr(view, "policy_action", ())
        return (names,) if isinstance(names, str) else tuple(names)

    def _allowed(self, request, view, obj=None) -> bool:
        names = self._actions(view)
        if names is None:  # an HTTP method the viewset does not offer: let DRF answer 405
            return True
        user = request.user
        if any(policy.may(user, name, obj) for name in names):
            return True
        if names and user and user.is_authenticated:
            self.message = policy.reason(names[0])
        return False

    def has_permission(self, request, view):
        return self._allowed(request, view)

    def has_object_permission(self, request, view, obj):
        return self._allowed(request, view, obj)


class PolicyMixin:
    """Declarative permissions: `action_rules` maps each viewset action to the policy rule (or
    rules, any of which allows) that decides it; an action that is not listed is refused (403).
    Object visibility is `get_queryset`'s job (404 for what a user may not see)."""

    permission_classes = [PolicyPermission]
    action_rules: Mapping[str, str | tuple[str, ...]] = {}

    def policy_actions(self) -> tuple[str, ...] | None:
        if self.action is None:
            return None
        key = "list" if self.action == "metadata" else self.action  # OPTIONS: whoever may read
        names = self.action_rules.get(key, ())
        return (names,) if isinstance(names, str) else tuple(names)


class NonAtomicRequestsMixin:
    """A viewset outside ATOMIC_REQUESTS: for one whose every write is a service that is one
    transaction itself (no savepoint inside a request-wide transaction: two round trips fewer
    per write). Its reads need no transaction.

    The error handlers' `set_rollback()` (DRF's and `exception_handler`) mark the request's
    transaction; such a view has none, so they would mark whatever encloses the call (a test's
    transaction): the flag is left as the view found it."""

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        return transaction.non_atomic_requests(super().as_view(actions, **initkwargs))

    def handle_exception(self, exc):
        flagged = connection.needs_rollback
        try:
            return super().handle_exception(exc)
        finally:
            if connection.in_atomic_block:
                connection.set_rollback(flagged)


def rules_for(read, write, *, delete=()) -> dict:
    """`action_rules` of a model viewset: the rule that reads, creates and changes, deletes."""
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
    return policy.is_staff_member(user)


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
