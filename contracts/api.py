"""JSON API of contracts (API.md `contracts` row): /api/v1/contracts/ with the `cancel` action.

Sales and admins create and change contracts; every staff role reads them; a portal contact
reads their own customers' contracts (anything else is a 404).
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import PolicyMixin, rules_for
from core.filters import ListFilterBackend
from core.models import User
from core.money import MONEY_DIGITS, MONEY_PLACES, QTY_DIGITS, QTY_PLACES
from sales.models import Customer, Product

from .filters import ContractFilter
from .models import Contract, ContractPeriod
from .selectors import contract_ledger, contracts_visible_to
from .services import contract_cancel, contract_create, contract_update


def hours(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=QTY_DIGITS, decimal_places=QTY_PLACES, **kwargs)


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    order_line = serializers.IntegerField(source="order_line_id", allow_null=True)
    sold = hours()
    rolled_over = hours()
    used = hours()
    expired = hours()
    overage = hours()
    closed = serializers.BooleanField(help_text="Closed periods' figures are final.")


class ContractSerializer(serializers.ModelSerializer):
    """A contract as answered, with its periods' hours ledger."""

    current_line = serializers.SerializerMethodField(help_text="The order line of the open period.")
    periods = serializers.SerializerMethodField()
    hours_per_period = hours()
    rollover_cap_hours = hours(allow_null=True)
    overage_rate = serializers.DecimalField(
        max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, allow_null=True
    )

    class Meta:
        model = Contract
        fields = [
            "id",
            "customer",
            "product",
            "salesperson",
            "hours_per_period",
            "period",
            "start_date",
            "end_date",
            "rollover",
            "rollover_cap_hours",
            "rollover_expiry_periods",
            "overage",
            "overage_rate",
            "state",
            "current_line",
            "periods",
        ]
        read_only_fields = fields

    def _ledger(self, contract):
        if not hasattr(contract, "_ledger"):
            contract._ledger = contract_ledger(contract=contract, periods=list(contract.periods.all()))
        return contract._ledger

    def get_current_line(self, contract) -> int | None:
        open_periods = [f for f in self._ledger(contract) if not f.closed]
        return open_periods[-1].order_line_id if open_periods else None

    @extend_schema_field(PeriodSerializer(many=True))
    def get_periods(self, contract) -> list:
        return PeriodSerializer(self._ledger(contract), many=True).data


class ContractInputSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), help_text="A prepaid product sold in a time unit."
    )
    salesperson = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    hours_per_period = hours()
    period = serializers.ChoiceField(choices=Contract.Period.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    rollover = serializers.ChoiceField(choices=Contract.Rollover.choices, default=Contract.Rollover.NONE)
    rollover_cap_hours = hours(required=False, allow_null=True)
    rollover_expiry_periods = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    overage = serializers.ChoiceField(choices=Contract.Overage.choices, default=Contract.Overage.UPSELL)
    overage_rate = serializers.DecimalField(
        max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, required=False, allow_null=True
    )


@extend_schema_view(
    create=extend_schema(request=ContractInputSerializer, responses={201: ContractSerializer}),
    update=extend_schema(request=ContractInputSerializer, responses=ContractSerializer),
    partial_update=extend_schema(request=ContractInputSerializer, responses=ContractSerializer),
    cancel=extend_schema(request=None, responses=ContractSerializer),
)
class ContractViewSet(PolicyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Recurring hour blocks. Creating one that has started opens its first period at once."""

    serializer_class = ContractSerializer
    action_rules = {**rules_for(("contract.view", "portal.use"), "contract.edit"), "cancel": "contract.edit"}
    filter_backends = [ListFilterBackend]
    filterset_class = ContractFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Contract.objects.none()
        qs = contracts_visible_to(self.request.user).prefetch_related(
            Prefetch("periods", queryset=ContractPeriod.objects.order_by("sequence"))
        )
        return qs.order_by("-start_date", "-id")

    def _answer(self, contract: Contract, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=contract.pk)
        return Response(ContractSerializer(fresh).data, status=status_code)

    def create(self, request):
        serializer = ContractInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract = contract_create(user=request.user, **serializer.validated_data)
        return self._answer(contract, status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        contract = self.get_object()
        serializer = ContractInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        contract = contract_update(contract=contract, user=request.user, **serializer.validated_data)
        return self._answer(contract)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        contract = contract_cancel(contract=self.get_object(), user=request.user)
        return self._answer(contract)


def register(router) -> None:
    """Add this app's viewsets to the v1 router."""
    router.register("contracts", ContractViewSet, basename="contract")
