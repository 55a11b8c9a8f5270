"""Sales reads. CONTRACT: other apps code against these signatures."""

from decimal import Decimal

from django.db.models import Case, DecimalField, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from core import policy
from core.money import EXACT_QTY_DIGITS, EXACT_QTY_PLACES, ZERO, quantize_qty

from .models import Customer, Order, OrderLine, Product, Uom, UomCategory
from .quantity_sources import logged_hours

_HOURS = DecimalField(max_digits=EXACT_QTY_DIGITS + 1, decimal_places=EXACT_QTY_PLACES)

# Lines whose remaining hours mean something: prepaid, in a unit of the Time category.
REMAINING_HOURS_LINES = Q(
    invoice_policy=Product.InvoicePolicy.PREPAID,
    is_downpayment=False,
    uom__category__kind=UomCategory.Kind.TIME,
)


def remaining_hours(quantity, ratio, logged):
    """THE remaining-hours formula: ordered quantity × the unit's ratio in hours − the billed
    hours logged, unrounded (negative when over-consumed). Written once and evaluated on ORM
    expressions (`remaining_hours_expression`) or on SQL terms (`remaining_hours_sql`)."""
    return quantity * ratio - logged


class _SqlTerm(str):
    """An SQL fragment that `*` and `-` combine into a parenthesised fragment."""

    def __mul__(self, other):
        return _SqlTerm(f"({self} * {other})")

    def __sub__(self, other):
        return _SqlTerm(f"({self} - {other})")


def remaining_hours_sql(*, quantity: str, ratio: str, logged: str) -> str:
    """`remaining_hours` as an SQL fragment over the given column expressions, for a raw
    statement that reads the logged hours its own way (the upsell sweep: from the stored
    delivered quantity, which the recompute derives from the same logged hours)."""
    return remaining_hours(_SqlTerm(quantity), _SqlTerm(ratio), _SqlTerm(f"({logged})"))


def remaining_hours_expression() -> Case:
    """The remaining hours of each line as a query expression (every page, the API, the upsell
    forecast and the portal use it); NULL for lines where they do not apply."""
    logged = Coalesce(logged_hours(), Value(ZERO), output_field=_HOURS)
    return Case(
        When(REMAINING_HOURS_LINES, then=remaining_hours(F("quantity"), F("uom__ratio"), logged)),
        default=Value(None),
        output_field=_HOURS,
    )


def order_lines_with_remaining_hours(queryset: QuerySet[OrderLine]) -> QuerySet[OrderLine]:
    """Annotate `remaining_hours` (`remaining_hours_expression()`) in the same query, so lists show it
    without one query per line."""
    return queryset.annotate(remaining_hours=remaining_hours_expression())


def order_line_billable_rule(*, line: OrderLine) -> tuple[int, int]:
    """(rounding step, minimum) in minutes for time logged on `line` (SPEC Time policy): the
    product's, field by field where it sets one, else the order's customer's. 0 = none."""
    product, customer = line.product, line.order.customer
    step = customer.billable_rounding_minutes
    minimum = customer.billable_minimum_minutes
    if product is not None and product.billable_rounding_minutes is not None:
        step = product.billable_rounding_minutes
    if product is not None and product.billable_minimum_minutes is not None:
        minimum = product.billable_minimum_minutes
    return step or 0, minimum or 0


def order_line_remaining_hours(*, line: OrderLine) -> Decimal | None:
    """Remaining hours of one line, shown rounded (QTY_PLACES); None where they do not apply.
    A line read through `order_lines_with_remaining_hours` costs no query."""
    value = line.__dict__.get("_remaining_hours", ...)
    if value is ... and (line.invoice_policy != Product.InvoicePolicy.PREPAID or line.is_downpayment):
        return None  # the formula's own condition, read off the row: no query
    if value is ...:
        value = (
            order_lines_with_remaining_hours(OrderLine.objects.filter(pk=line.pk))
            .values_list("remaining_hours", flat=True)
            .first()
        )
    return None if value is None else quantize_qty(value)


def customer_default_sale_line(*, customer: Customer) -> OrderLine | None:
    """SPEC Helpdesk: the customer's most recent (order date, then id) confirmed `prepaid` order
    line in a time unit with remaining hours > 0 (first such line of that order)."""
    if customer is None:
        return None
    return (
        order_lines_with_remaining_hours(
            OrderLine.objects.filter(order__customer=customer, order__state=Order.State.SALE).filter(
                REMAINING_HOURS_LINES
            )
        )
        .filter(remaining_hours__gt=0)
        .select_related("order", "product", "uom")
        .order_by("-order__order_date", "-order__id", "sequence", "id")
        .first()
    )


def customer_sale_lines(*, customer: Customer) -> QuerySet[OrderLine]:
    """The confirmed (sale) order lines of a customer that time can be logged on (services),
    with `remaining_hours` annotated (None where it does not apply). For item pickers."""
    return (
        order_lines_with_remaining_hours(
            OrderLine.objects.filter(
                order__customer=customer,
                order__state=Order.State.SALE,
                is_downpayment=False,
                product__type=Product.Type.SERVICE,
                uom__category__kind=UomCategory.Kind.TIME,
            )
        )
        .select_related("order", "product", "uom")
        .order_by("-order__order_date", "-order__id", "sequence", "id")
    )


def portal_customers(user) -> QuerySet[Customer]:
    """The customers whose portal contact `user` is."""
    return Customer.objects.filter(portal_users=user)


def customers_visible_to(user) -> QuerySet[Customer]:
    """Staff see every customer; anyone else none (a portal contact reads their own customers
    through `portal_customers`, never by searching)."""
    if policy.is_staff_member(user):
        return Customer.objects.all()
    return Customer.objects.none()


CUSTOMER_SEARCH_LIMIT = 20
_VAT_PUNCTUATION = str.maketrans("", "", " .-/")


def customers_matching(customers: QuerySet[Customer], term: str, *, limit: int = CUSTOMER_SEARCH_LIMIT):
    """At most `limit` of `customers` whose name, e-mail or VAT number contains `term` (any
    case), by name. The three `icontains` are served by the trigram indexes of migration
    sales 0009 (PostgreSQL); an empty term gives the first customers by name (the name index)."""
    term = term.strip()
    if term:
        vat = term.translate(_VAT_PUNCTUATION)  # "BE 0123.456.789" finds BE0123456789
        match = Q(name__icontains=term) | Q(email__icontains=term)
        if vat:
            match |= Q(vat__icontains=vat)
        customers = customers.filter(match)
    return customers.order_by("name", "id").only("id", "name", "email", "vat", "city")[:limit]


def orders_visible_to(user) -> QuerySet[Order]:
    """Staff see every order; a portal user the orders of their own customers."""
    if policy.is_staff_member(user):
        return Order.objects.all()
    return Order.objects.filter(customer__in=portal_customers(user))


def uom_reference(*, kind: str = UomCategory.Kind.TIME) -> Uom:
    """The reference unit of a category (ratio 1: Hours, Units), found by its stable key — the
    category's kind and the ratio — never by its display name, which admins may rename."""
    return (
        Uom.objects.select_related("category")
        .filter(category__kind=kind, ratio=1)
        .order_by("-active", "id")
        .first()
    )


def uom_is_used(*, uom: Uom) -> bool:
    """Whether a product or an order line is measured in this unit (its meaning is then fixed)."""
    return Product.objects.filter(uom=uom).exists() or OrderLine.objects.filter(uom=uom).exists()


def uom_change_errors(*, uom: Uom, category_id: int | None, ratio) -> dict[str, str]:
    """Field errors for changing a unit: one in use keeps its category and ratio, because the
    quantities already sold in it would silently change value (API, admin and inline alike)."""
    if uom.pk is None or not uom_is_used(uom=uom):
        return {}
    stored = Uom.objects.get(pk=uom.pk)
    errors = {}
    if category_id is not None and category_id != stored.category_id:
        errors["category"] = "This unit is in use by products or order lines; its category is fixed."
    if ratio is not None and ratio != stored.ratio:
        errors["ratio"] = "This unit is in use by products or order lines; its ratio is fixed."
    return errors
