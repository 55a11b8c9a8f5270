"""JSON API resources (see config/api_urls.py): /api/v1/upsells/ (sales and admin only)."""

from rest_framework import serializers, viewsets
from rest_framework.response import Response

from core.api import PolicyPermission
from core.filters import ListFilterBackend

from .filters import UpsellFilter
from .selectors import upsell_orders, upsell_rows


class UpsellLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="line.pk")
    product = serializers.IntegerField(source="line.product_id")
    product_name = serializers.CharField(source="line.product.name")
    uom = serializers.IntegerField(source="line.uom_id")
    ordered = serializers.DecimalField(max_digits=14, decimal_places=2)
    delivered = serializers.DecimalField(max_digits=14, decimal_places=2)
    remaining_hours = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    percent = serializers.DecimalField(max_digits=8, decimal_places=0, allow_null=True)
    flagged = serializers.BooleanField()
    burn_rate = serializers.DecimalField(
        source="forecast.burn_rate", max_digits=14, decimal_places=2, allow_null=True, default=None
    )
    runs_out_on = serializers.DateField(source="forecast.runs_out_on", allow_null=True, default=None)


class UpsellSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="order.pk")
    name = serializers.CharField(source="order.name")
    customer = serializers.IntegerField(source="order.customer_id")
    customer_name = serializers.CharField(source="order.customer.name")
    salesperson = serializers.IntegerField(source="order.salesperson_id", allow_null=True)
    upsell_reason = serializers.CharField(source="order.upsell_reason")
    flagged_at = serializers.DateTimeField(source="order.upsell_flagged_at")
    runs_out_in_days = serializers.IntegerField(allow_null=True)
    lines = UpsellLineSerializer(many=True)


class UpsellViewSet(viewsets.ReadOnlyModelViewSet):
    """Orders flagged as upsell opportunities with their prepaid lines' consumption."""

    permission_classes = [PolicyPermission]
    policy_action = "upsell.work"
    serializer_class = UpsellSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = UpsellFilter

    def get_queryset(self):
        return upsell_orders()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(upsell_rows(page), many=True).data)

    def retrieve(self, request, *args, **kwargs):
        order = self.get_object()
        return Response(self.get_serializer(upsell_rows([order])[0]).data)


def register(router) -> None:
    """Add this module's viewsets to the v1 router."""
    router.register("upsells", UpsellViewSet, basename="upsell")
