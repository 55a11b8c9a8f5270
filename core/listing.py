"""Browser lists: sort keys from an allow-list, pages, filters that live in the URL.

Every list names its sort keys (`SortKeys`), reads `?sort=key` / `?sort=-key` (an unknown key
falls back to the list's default, never an error), orders by the key then by id in the same
direction (stable pages), and keeps sort, filters and page in the query string so a reload or a
copied link shows the same rows. The headers are `{% sort_header %}` (core.templatetags.listing).
"""

from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Model, QuerySet
from django.http import QueryDict

SORT_PARAM = "sort"
PAGE_PARAM = "page"


@dataclass(frozen=True)
class Sort:
    """The list's current order: a key of its allow-list and a direction."""

    key: str
    descending: bool = False
    cheap: bool = True  # served by an index: allowed on lists too big to count (see SortKeys)

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key


@dataclass(frozen=True)
class SortKeys:
    """A list's allow-list: `keys` maps a URL key to the model fields it orders by.

    `default` is a key with an optional "-" (descending), or "" for the list's own order. Keys
    in `costly` need a sort of the whole table (no index): big lists fall back to the default.
    """

    keys: dict[str, tuple[str, ...]]
    default: str
    costly: frozenset[str] = field(default_factory=frozenset)

    def parse(self, raw: str | None) -> Sort:
        raw = (raw or "").strip()
        key = raw.removeprefix("-")
        if key not in self.keys:
            raw = self.default
            key = raw.removeprefix("-")
        if not key:  # the list's own default order (e.g. "waiting for us" first)
            return Sort(key="")
        return Sort(key=key, descending=raw.startswith("-"), cheap=key not in self.costly)

    def default_sort(self) -> Sort:
        return self.parse(self.default)

    def order(self, queryset: QuerySet, sort: Sort) -> QuerySet:
        """`queryset` ordered by the sort's fields, then id, all in the sort's direction
        (NULLs last either way); the list's own order when no key is chosen."""
        if not sort.key:
            return queryset
        terms = []
        for name in (*self.keys[sort.key], "id"):
            expression = F(name)
            # NULLS LAST only where a NULL can occur: on a NOT NULL column the plain direction
            # is what a (col DESC) index serves; "DESC NULLS LAST" would sort the whole table.
            nulls_last = True if _nullable(queryset.model, name) else None
            terms.append(
                expression.desc(nulls_last=nulls_last)
                if sort.descending
                else expression.asc(nulls_last=nulls_last)
            )
        return queryset.order_by(*terms)


def _nullable(model: type[Model], path: str) -> bool:
    """Whether `path` (a field, or a lookup through relations) can be NULL in a row of `model`:
    a nullable column, a nullable or reverse relation on the way, or a name that is not a field
    (an annotation)."""
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return True
        if field.null or (field.is_relation and not field.concrete):
            return True
        if field.is_relation:
            model = field.related_model
    return False


def querystring(params: QueryDict, **changes) -> str:
    """`params` (a request's GET) with `changes` applied (None drops a key), URL-encoded."""
    query = params.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value not in (None, ""):
            query[name] = value
    return query.urlencode()


def list_context(request, *, sort: Sort, page, filterset=None) -> dict:
    """What the shared list partials need: the sort, the page, the filter form, the query
    string without the page (for the pager) and whether any filter or sort is set (the
    "Clear" link)."""
    params = request.GET
    filtered = any(
        value not in ("", None) for name, values in params.lists() if name != PAGE_PARAM for value in values
    )
    return {
        "sort": sort,
        "page_obj": page,
        "filterset": filterset,
        "form": filterset.form if filterset is not None else None,
        "querystring": querystring(params, **{PAGE_PARAM: None}),
        "is_filtered": filtered,
    }
