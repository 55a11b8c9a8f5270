"""Where an order line's quantities come from: the declared edge from sales to the rooms above.

Sales derives each line's delivered, invoiced and remaining figures from rows it does not own:
the hours logged on the line (timesheets) and the quantities billed on it (invoicing). Those
rooms sit above sales, so sales never imports them; each registers here, in its
AppConfig.ready(), a builder of the query expression sales composes into its own statements
(`sales.services.quantities`, `sales.selectors`). The builders answer a subquery correlated to
the order line `OuterRef("pk")`, NULL when there is nothing to sum.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Expression

LOGGED_HOURS = "logged_hours"
INVOICED_QUANTITY = "invoiced_quantity"

# kind -> builder; one builder per kind (the owning room's).
_BUILDERS: dict[str, Callable[..., Expression]] = {}


def register_quantity_source(kind: str, build: Callable[..., Expression]) -> None:
    """`LOGGED_HOURS`: build(*, approved_only: bool) -> the billed hours logged on the line
    (only those approved or needing no approval when `approved_only`).
    `INVOICED_QUANTITY`: build() -> the quantity billed on the line by invoices that are not
    cancelled, credit notes counted negative, in the line's unit."""
    if kind not in (LOGGED_HOURS, INVOICED_QUANTITY):
        raise ValueError(f"Unknown quantity source {kind!r}.")
    _BUILDERS[kind] = build


def _builder(kind: str) -> Callable[..., Expression]:
    try:
        return _BUILDERS[kind]
    except KeyError:
        raise ImproperlyConfigured(
            f"No app registered the order lines' {kind.replace('_', ' ')} "
            "(timesheets and invoicing register theirs in AppConfig.ready())."
        ) from None


def logged_hours(*, approved_only: bool = False) -> Expression:
    """The billed hours logged on the order line OuterRef("pk") (NULL when none)."""
    return _builder(LOGGED_HOURS)(approved_only=approved_only)


def invoiced_quantity() -> Expression:
    """The quantity invoiced on the order line OuterRef("pk") (NULL when none)."""
    return _builder(INVOICED_QUANTITY)()
