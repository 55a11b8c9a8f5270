"""JSON API of the sales app (DRF views + serializers): units, taxes, customers, products, orders.

Views stay thin: input serializers parse and type-check, `sales.services` decide. Who may do what
is declared per viewset in `action_rules`, names of `core.policy` rules; what a user may see is
decided by `get_queryset` (portal customers only reach their own customers' orders, everything
else is a 404).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, ProtectedError
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api import (
    NULLABLE_DECIMAL_STRING,
    ExactQuantityField,
    PolicyMixin,
    StaffOnlyFieldsMixin,
    rules_for,
)
from core.errors import ConflictError
from core.filters import ListFilterBackend
from core.models import User
from core.money import MONEY_DIGITS, MONEY_PLACES, QTY_DIGITS, QTY_PLACES

from .filters import CustomerFilter, OrderFilter, ProductFilter, UomFilter
from .identifiers import peppol_fields_clean, tax_category_clean
from .models import (
    Customer,
    Order,
    OrderLine,
    Product,
    Tax,
    Uom,
    UomCategory,
)
from .selectors import (
    order_line_remaining_hours,
    order_lines_with_remaining_hours,
    orders_visible_to,
    uom_change_errors,
)
from .services import (
    order_cancel,
    order_confirm,
    order_create,
    order_line_add,
    order_line_delete,
    order_line_set_delivered,
    order_line_update,
    order_lock,
    order_update,
)

# --- Visibility (shared by the other apps' API modules) -----------------------------------


# --- Serializer and destroy helpers of this module ------------------------------------------


def decimal_field(
    *, places: int = QTY_PLACES, digits: int = QTY_DIGITS, **kwargs
) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=digits, decimal_places=places, **kwargs)


def protected_destroy(instance, what: str) -> None:
    try:
        instance.delete()
    except ProtectedError as exc:
        raise ConflictError(f"This {what} is in use and cannot be deleted; deactivate it instead.") from exc


# --- Units of measure ------------------------------------------------------------------------


@extend_schema_field({"type": "string", "enum": [k.value for k in UomCategory.Kind]})
class UomCategoryKindField(serializers.SlugRelatedField):
    """The unit category, rendered and written as its kind (`time` / `unit`)."""


class UomSerializer(serializers.ModelSerializer):
    category = UomCategoryKindField(slug_field="kind", queryset=UomCategory.objects.all())
    ratio = decimal_field(digits=12, places=5, min_value=Decimal("0.00001"))

    class Meta:
        model = Uom
        fields = ["id", "name", "category", "ratio", "active"]

    def validate(self, attrs):
        if self.instance is not None:
            category = attrs.get("category")
            errors = uom_change_errors(
                uom=self.instance, category_id=category.pk if category else None, ratio=attrs.get("ratio")
            )
            if errors:
                raise serializers.ValidationError({field: [message] for field, message in errors.items()})
        return attrs


class UomViewSet(PolicyMixin, viewsets.ModelViewSet):
    serializer_class = UomSerializer
    action_rules = rules_for("reference.view", "reference.edit", delete="reference.edit")
    filter_backends = [ListFilterBackend]
    filterset_class = UomFilter

    def get_queryset(self):
        return Uom.objects.select_related("category")

    def perform_destroy(self, instance):
        protected_destroy(instance, "unit")


# --- Taxes -----------------------------------------------------------------------------------


class TaxSerializer(serializers.ModelSerializer):
    rate = decimal_field(digits=6, places=3, min_value=Decimal("0"), max_value=Decimal("100"))

    class Meta:
        model = Tax
        fields = ["id", "name", "rate", "active", "vat_category", "exemption_reason_code", "exemption_reason"]

    def validate(self, attrs):
        current = {f: getattr(self.instance, f) for f in self.Meta.fields[1:]} if self.instance else {}
        try:
            tax_category_clean(Tax(**{**current, **attrs}))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return attrs


class TaxViewSet(PolicyMixin, viewsets.ModelViewSet):
    serializer_class = TaxSerializer
    queryset = Tax.objects.all()
    action_rules = rules_for("reference.view", "reference.edit", delete="reference.edit")

    def perform_destroy(self, instance):
        protected_destroy(instance, "tax")


# --- Customers -------------------------------------------------------------------------------


class CustomerSerializer(serializers.ModelSerializer):
    peppol_id = serializers.CharField(
        max_length=60,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Peppol participant id, scheme:identifier (e.g. 0208:0123456749); null when none.",
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "email",
            "phone",
            "vat",
            "street",
            "city",
            "zip",
            "country",
            "payment_term_days",
            "billable_rounding_minutes",
            "billable_minimum_minutes",
            "peppol_id",
            "delivery_channel",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["peppol_id"] = data["peppol_id"] or None
        return data

    def validate(self, attrs):
        """The model's Peppol rules (valid id; derived from a BE VAT; required for the Peppol channel)."""
        attrs["peppol_id"] = attrs.get("peppol_id") or ""
        if self.partial and self.instance is not None and "peppol_id" not in self.initial_data:
            attrs["peppol_id"] = self.instance.peppol_id
        probe = Customer(**{**self._current(), **attrs})
        try:
            peppol_fields_clean(probe)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        attrs["peppol_id"] = probe.peppol_id
        return attrs

    def _current(self) -> dict:
        if self.instance is None:
            return {}
        return {name: getattr(self.instance, name) for name in ("vat", "delivery_channel", "peppol_id")}


class CustomerViewSet(PolicyMixin, viewsets.ModelViewSet):
    serializer_class = CustomerSerializer
    action_rules = rules_for("customer.view", "customer.edit", delete="customer.delete")
    filter_backends = [ListFilterBackend]
    filterset_class = CustomerFilter

    def get_queryset(self):
        return Customer.objects.all()

    def perform_destroy(self, instance):
        protected_destroy(instance, "customer")


# --- Products --------------------------------------------------------------------------------

POLICIES_BY_TYPE = {
    Product.Type.SERVICE: {
        Product.InvoicePolicy.PREPAID,
        Product.InvoicePolicy.TIMESHEET,
        Product.InvoicePolicy.MANUAL,
    },
    Product.Type.GOODS: {Product.InvoicePolicy.DELIVERED, Product.InvoicePolicy.MANUAL},
}


class ProductSerializer(StaffOnlyFieldsMixin, serializers.ModelSerializer):
    staff_only_fields = ("upsell_threshold", "qty_on_hand", "project", "service_tracking")
    price = decimal_field(digits=MONEY_DIGITS, places=MONEY_PLACES, min_value=Decimal("0"))
    upsell_threshold = decimal_field(
        digits=5,
        places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        required=False,
        allow_null=True,
        help_text="Percent of the sold quantity at which the order becomes an upsell opportunity.",
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "default_code",
            "description",
            "type",
            "invoice_policy",
            "uom",
            "price",
            "tax",
            "service_tracking",
            "project",
            "upsell_threshold",
            "billable_rounding_minutes",
            "billable_minimum_minutes",
            "qty_on_hand",
            "active",
        ]
        read_only_fields = ["qty_on_hand"]

    def validate(self, attrs):
        def value(name):
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        product_type = value("type") or Product.Type.SERVICE
        policy = value("invoice_policy") or Product.InvoicePolicy.PREPAID
        if policy not in POLICIES_BY_TYPE[product_type]:
            raise ValidationError(
                {
                    "invoice_policy": [
                        f"Invoicing policy '{policy}' does not apply to {product_type} products."
                    ]
                }
            )
        if value("service_tracking") == Product.ServiceTracking.TASK and value("project") is None:
            raise ValidationError(
                {"project": ["Service tracking 'task' needs the project to create tasks in."]}
            )
        return attrs


class ProductViewSet(PolicyMixin, viewsets.ModelViewSet):
    serializer_class = ProductSerializer
    action_rules = rules_for("reference.view", "reference.edit", delete="reference.edit")
    filter_backends = [ListFilterBackend]
    filterset_class = ProductFilter

    def get_queryset(self):
        return Product.objects.all()

    def perform_destroy(self, instance):
        protected_destroy(instance, "product")


# --- Orders ----------------------------------------------------------------------------------


class OrderLineSerializer(serializers.ModelSerializer):
    """An order line as answered (read model)."""

    qty_delivered = ExactQuantityField()
    qty_invoiced = ExactQuantityField()
    qty_to_invoice = ExactQuantityField()
    remaining_hours = serializers.SerializerMethodField(
        help_text="Ordered − delivered in hours, for prepaid lines in a time unit; null for others."
    )

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "sequence",
            "product",
            "description",
            "quantity",
            "uom",
            "price_unit",
            "discount",
            "tax",
            "invoice_policy",
            "is_downpayment",
            "qty_delivered",
            "qty_invoiced",
            "qty_to_invoice",
            "remaining_hours",
            "invoice_status",
            "price_subtotal",
            "price_tax",
            "price_total",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_DECIMAL_STRING)
    def get_remaining_hours(self, line: OrderLine) -> str | None:
        hours = order_line_remaining_hours(line=line)
        return None if hours is None else decimal_field().to_representation(hours)


class OrderSerializer(StaffOnlyFieldsMixin, serializers.ModelSerializer):
    """An order as answered (read model)."""

    staff_only_fields = ("is_upsell", "upsell_reason", "salesperson", "note")

    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "name",
            "customer",
            "salesperson",
            "order_date",
            "client_reference",
            "note",
            "state",
            "invoice_status",
            "is_upsell",
            "upsell_reason",
            "confirmed_at",
            "locked_at",
            "amount_untaxed",
            "amount_tax",
            "amount_total",
            "lines",
        ]
        read_only_fields = fields


class OrderLineInputSerializer(serializers.Serializer):
    """One line of an order write: with `id` it changes that line, without it adds one."""

    id = serializers.IntegerField(required=False, help_text="An existing line of this order.")
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    quantity = decimal_field(min_value=Decimal("0"), required=False)
    uom = serializers.PrimaryKeyRelatedField(queryset=Uom.objects.all(), required=False)
    price_unit = decimal_field(
        digits=MONEY_DIGITS, places=MONEY_PLACES, min_value=Decimal("0"), required=False
    )
    discount = decimal_field(
        digits=5, places=2, min_value=Decimal("0"), max_value=Decimal("100"), required=False
    )
    tax = serializers.PrimaryKeyRelatedField(
        queryset=Tax.objects.all(), required=False, allow_null=True, help_text="Omitted: the product's tax."
    )
    qty_delivered = decimal_field(
        min_value=Decimal("0"),
        required=False,
        help_text="Only for lines invoiced on delivered quantity (manual).",
    )

    def validate(self, attrs):
        if "id" not in attrs and "product" not in attrs:
            raise ValidationError({"product": ["This field is required for a new line."]})
        return attrs


class OrderInputSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    salesperson = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, help_text="Defaults to the caller."
    )
    order_date = serializers.DateField(required=False)
    client_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)
    lines = OrderLineInputSerializer(
        many=True,
        required=False,
        help_text="When given, the complete list of lines: lines with an id are updated, lines without "
        "are added, lines left out are deleted.",
    )


HEADER_FIELDS = ("customer", "salesperson", "order_date", "client_reference", "note")
LINE_FIELDS = ("description", "quantity", "uom", "price_unit", "discount", "tax")


def _apply_order_write(*, order: Order, data: dict, user: User) -> None:
    """Apply a validated order update: header (quotations only) then lines, all or nothing.

    `order_update` locks the order (also when no header field is given) and refuses header
    changes to confirmed orders (409); a later error in the lines rolls the header back.
    """
    with transaction.atomic():
        order_update(order=order, user=user, **{f: data[f] for f in HEADER_FIELDS if f in data})
        if "lines" in data:
            _sync_lines(order=order, items=data["lines"], user=user)


def _sync_lines(*, order: Order, items: list[dict], user: User) -> None:
    existing = {line.id: line for line in order.lines.all()}
    kept: set[int] = set()
    for item in items:
        item = dict(item)
        line_id = item.pop("id", None)
        delivered = item.pop("qty_delivered", None)
        if line_id is None:
            line = order_line_add(order=order, user=user, **item)
        else:
            line = existing.get(line_id)
            if line is None:
                raise ValidationError({"lines": [f"Line {line_id} is not a line of this order."]})
            kept.add(line_id)
            if "product" in item and item.pop("product") != line.product:
                raise ValidationError(
                    {"lines": ["The product of a line cannot change; remove the line, add another."]}
                )
            changes = {k: v for k, v in item.items() if k in LINE_FIELDS and getattr(line, k) != v}
            if changes:
                line = order_line_update(line=line, user=user, **changes)
        if delivered is not None and delivered != line.qty_delivered:
            order_line_set_delivered(line=line, quantity=delivered, user=user)
    for line_id, line in existing.items():
        if line_id not in kept and not line.is_downpayment:
            order_line_delete(line=line, user=user)


@extend_schema_view(
    create=extend_schema(request=OrderInputSerializer, responses={201: OrderSerializer}),
    update=extend_schema(request=OrderInputSerializer, responses=OrderSerializer),
    partial_update=extend_schema(request=OrderInputSerializer, responses=OrderSerializer),
    confirm=extend_schema(request=None, responses=OrderSerializer),
    lock=extend_schema(request=None, responses=OrderSerializer),
    cancel=extend_schema(request=None, responses=OrderSerializer),
)
class OrderViewSet(PolicyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quotations and sales orders with their lines. Portal customers read their own."""

    serializer_class = OrderSerializer
    # Portal customers read their own orders (get_queryset scopes them).
    action_rules = {
        **rules_for(("order.view", "portal.use"), "order.edit"),
        "confirm": "order.edit",
        "lock": "order.edit",
        "cancel": "order.edit",
    }
    filter_backends = [ListFilterBackend]
    filterset_class = OrderFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Order.objects.none()
        return orders_visible_to(self.request.user).prefetch_related(
            Prefetch("lines", queryset=order_lines_with_remaining_hours(OrderLine.objects.all()))
        )

    def _answer(self, order: Order, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=order.pk)
        return Response(
            OrderSerializer(fresh, context=self.get_serializer_context()).data, status=status_code
        )

    def create(self, request):
        serializer = OrderInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        items = [dict(item) for item in data.get("lines", [])]
        if any("id" in item for item in items):
            raise ValidationError({"lines": ["A new order cannot refer to existing lines (id)."]})
        with transaction.atomic():
            delivered = [item.pop("qty_delivered", None) for item in items]
            order = order_create(
                customer=data["customer"],
                user=request.user,
                salesperson=data.get("salesperson", request.user),
                order_date=data.get("order_date"),
                lines=items,
                note=data.get("note", ""),
                client_reference=data.get("client_reference", ""),
            )
            if any(qty is not None for qty in delivered):
                lines = list(order.lines.order_by("sequence", "id"))
                for line, qty in zip(lines, delivered, strict=False):
                    if qty is not None:
                        order_line_set_delivered(line=line, quantity=qty, user=request.user)
        return self._answer(order, status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        order = self.get_object()
        serializer = OrderInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        _apply_order_write(order=order, data=serializer.validated_data, user=request.user)
        return self._answer(order)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        order = order_confirm(order=self.get_object(), user=request.user)
        return self._answer(order)

    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None):
        order = order_lock(order=self.get_object(), user=request.user)
        return self._answer(order)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = order_cancel(order=self.get_object(), user=request.user)
        return self._answer(order)


def register(router) -> None:
    """Add this app's viewsets to the v1 router."""
    router.register("uoms", UomViewSet, basename="uom")
    router.register("taxes", TaxViewSet, basename="tax")
    router.register("customers", CustomerViewSet, basename="customer")
    router.register("products", ProductViewSet, basename="product")
    router.register("orders", OrderViewSet, basename="order")
