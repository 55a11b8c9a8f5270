"""JSON API of the stock: `/api/v1/products/{id}/receipts/` (added beside the fixed paths of
API.md). GET lists the product's receipts (sales, accountants, admins); POST receives goods
into stock (admins and sales) through `projects.stock_services.stock_receive`: 201 with the
receipt and the new quantity on hand, 400 field-level for a bad quantity, date or product."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from core.api import PolicyMixin
from core.money import QTY_DIGITS, QTY_PLACES
from sales.models import Product

from .models import StockMove
from .stock_services import stock_receive


class StockReceiptSerializer(serializers.ModelSerializer):
    qty_on_hand = serializers.SerializerMethodField(help_text="The product's quantity on hand now.")

    class Meta:
        model = StockMove
        fields = [
            "id",
            "product",
            "date",
            "quantity",
            "reference",
            "note",
            "user",
            "created_at",
            "qty_on_hand",
        ]
        read_only_fields = fields

    def get_qty_on_hand(self, move) -> str:
        return f"{move.product.qty_on_hand:.2f}"


class StockReceiptInputSerializer(serializers.Serializer):
    quantity = serializers.DecimalField(
        max_digits=QTY_DIGITS, decimal_places=QTY_PLACES, help_text="More than 0, two decimals."
    )
    date = serializers.DateField(required=False, help_text="The day the goods came in; defaults to today.")
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


@extend_schema_view(
    list=extend_schema(responses=StockReceiptSerializer(many=True)),
    create=extend_schema(request=StockReceiptInputSerializer, responses={201: StockReceiptSerializer}),
)
class ProductReceiptViewSet(PolicyMixin, viewsets.GenericViewSet):
    """Goods received into a product's stock."""

    serializer_class = StockReceiptSerializer
    action_rules = {"list": "stock.view", "create": "stock.receive"}

    def _product(self) -> Product:
        return get_object_or_404(Product, pk=self.kwargs["product_pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StockMove.objects.none()
        return (
            StockMove.objects.filter(product=self._product(), kind=StockMove.Kind.RECEIPT)
            .select_related("product")
            .order_by("-date", "-id")
        )

    def list(self, request, product_pk=None):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(StockReceiptSerializer(page, many=True).data)

    def create(self, request, product_pk=None):
        product = self._product()
        data = StockReceiptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {"date": timezone.localdate(), **data.validated_data}
        move = stock_receive(product=product, user=request.user, **values)
        move.product = product  # with its new quantity on hand
        return Response(StockReceiptSerializer(move).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register(
        r"products/(?P<product_pk>\d+)/receipts", ProductReceiptViewSet, basename="product-receipt"
    )
