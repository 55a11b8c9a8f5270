"""JSON API of quotations and sales orders with their nested lines."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api import NULLABLE_DECIMAL_STRING, ExactQuantityField, PolicyMixin, StaffOnlyFieldsMixin, rules_for
from core.filters import ListFilterBackend
from core.models import User
from core.money import MONEY_DIGITS, MONEY_PLACES

from ..filters import OrderFilter
from ..models import Customer, Order, OrderLine, Product, Tax, Uom
from ..selectors import order_line_remaining_hours, order_lines_with_remaining_hours, orders_visible_to
from ..services import (
    order_cancel,
    order_confirm,
    order_create,
    order_lines_update,
    order_lock,
    order_update,
)
from .common import decimal_field

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


def _apply_order_write(*, order: Order, data: dict, user: User) -> None:
    """Apply a validated order update: header (quotations only) then lines, all or nothing.

    `order_update` locks the order (also when no header field is given) and refuses header
    changes to confirmed orders (409); a later error in the lines rolls the header back.
    """
    with transaction.atomic():
        order_update(order=order, user=user, **{f: data[f] for f in HEADER_FIELDS if f in data})
        if "lines" in data:
            order_lines_update(order=order, user=user, lines=[dict(item) for item in data["lines"]])


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
                # Delivered quantities by the one line-editing service, as an update sets them
                # (its refusals name `lines[<index>].qty_delivered`; nothing is kept).
                lines = order.lines.order_by("sequence", "id").values_list("pk", flat=True)
                order_lines_update(
                    order=order,
                    user=request.user,
                    lines=[
                        {"id": pk, **({} if qty is None else {"qty_delivered": qty})}
                        for pk, qty in zip(lines, delivered, strict=True)
                    ],
                    remove_missing=False,
                )
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
