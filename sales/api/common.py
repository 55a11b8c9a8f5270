"""Helpers of the sales API modules."""

from django.db.models import ProtectedError
from rest_framework import serializers

from core.errors import ConflictError
from core.money import QTY_DIGITS, QTY_PLACES


def decimal_field(
    *, places: int = QTY_PLACES, digits: int = QTY_DIGITS, **kwargs
) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=digits, decimal_places=places, **kwargs)


def protected_destroy(instance, what: str) -> None:
    try:
        instance.delete()
    except ProtectedError as exc:
        raise ConflictError(f"This {what} is in use and cannot be deleted; deactivate it instead.") from exc
