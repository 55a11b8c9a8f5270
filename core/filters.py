"""django-filter plumbing shared by the apps' FilterSets (each app's `filters.py`).

One FilterSet per object serves its browser list and its API list: the API answers a bad
value with a field-level 400 (`ListFilterBackend`), the page shows it as a form error and an
empty list (`filter_for_page`); the OpenAPI schema lists the filters (drf-spectacular reads the
FilterSet).
"""

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.form_fields import SiteDateField

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


class SiteDateFilter(django_filters.DateFilter):
    """A date in the site's format (core.form_fields.SiteDateField): its text field and calendar
    button on the page, and the same field error on the page and in the API's 400."""

    field_class = SiteDateField


class StrictBooleanField(forms.Field):
    """true/false (1/0, yes/no, on/off); anything else is an error, not silently ignored."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise forms.ValidationError("Must be a valid boolean (true or false).", code="invalid")


@extend_schema_field(OpenApiTypes.BOOL)
class BooleanFilter(django_filters.Filter):
    """`?flag=true|false`; absent or empty: no filter. In the browser a checkbox (value 1)."""

    field_class = StrictBooleanField


class FlagCheckbox(forms.CheckboxInput):
    """A checkbox that hands the raw value to the field (Django's coerces any word to True)."""

    def __init__(self, attrs=None):
        super().__init__({"value": "1", **(attrs or {})}, check_test=_checked)

    def value_from_datadict(self, data, files, name):
        return data.get(name)


def _checked(value) -> bool:
    return str(value).strip().lower() in TRUE_WORDS


class CheckboxBooleanField(StrictBooleanField):
    widget = FlagCheckbox

    def to_python(self, value):
        # An unchecked box sends nothing: no filter (never "false").
        value = super().to_python(value)
        return True if value else None


@extend_schema_field(OpenApiTypes.BOOL)
class FlagFilter(django_filters.Filter):
    """A browser checkbox ("only mine", "overdue only"): checked narrows, unchecked does not."""

    field_class = CheckboxBooleanField


class IdFilter(django_filters.NumberFilter):
    """An id parameter: a whole number (an unknown id gives an empty list, not an error)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)


class ListFilterBackend(DjangoFilterBackend):
    """django-filter on `list` only: a detail or action URL is never narrowed by a stray filter."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", "list") != "list":
            return queryset
        return super().filter_queryset(request, queryset, view)


def filter_for_page(filterset):
    """The rows of a browser list: the filtered queryset, none when a value is invalid (the
    form shows the error)."""
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


def search_terms(value: str) -> str:
    return (value or "").strip()
