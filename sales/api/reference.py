"""JSON API of the sales reference data: units, taxes, customers, products."""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from core.api import PolicyMixin, StaffOnlyFieldsMixin, rules_for
from core.filters import ListFilterBackend
from core.money import MONEY_DIGITS, MONEY_PLACES

from ..filters import CustomerFilter, ProductFilter, UomFilter
from ..identifiers import peppol_fields_clean, tax_category_clean
from ..models import Customer, Product, Tax, Uom, UomCategory
from ..product_rules import product_rule_errors
from ..selectors import uom_change_errors
from .common import decimal_field, protected_destroy

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

        errors = product_rule_errors(
            type=value("type"),
            invoice_policy=value("invoice_policy"),
            service_tracking=value("service_tracking"),
            project_id=getattr(value("project"), "pk", None),
        )
        if errors:
            raise ValidationError({name: [message] for name, message in errors.items()})
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
