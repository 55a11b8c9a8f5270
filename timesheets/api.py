"""JSON API of the timesheets app (DRF views + serializers).

Agents log time (the employee defaults to the caller) and change or delete their own lines;
staff read every line; portal customers reach none. `timesheets.services` default the project
and order line and refuse changes to billed lines (409).
"""

import copy
from decimal import Decimal

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import CappedCountPagination, NonAtomicRequestsMixin, PolicyMixin, rules_for
from core.filters import ListFilterBackend
from core.models import User
from projects.models import Project, Task
from sales.models import OrderLine

from .approvals import (
    timesheet_week_approve,
    timesheet_week_reject,
    timesheet_week_submit,
    weeks_waiting_approval,
)
from .filters import TimesheetFilter
from .models import TimesheetLine
from .selectors import timesheet_lines_visible
from .services import timesheet_delete, timesheet_log, timesheet_update
from .tickets import TicketField


class TimesheetSerializer(serializers.ModelSerializer):
    """A timesheet line as answered, with the fields API.md gives /api/v1/timesheets/ (also the
    answer of the timers' `stop` action)."""

    billed_hours = serializers.DecimalField(
        source="billed",
        max_digits=5,
        decimal_places=2,
        read_only=True,
        help_text="The billed duration: the hours rounded by the customer's (or product's) rule.",
    )

    class Meta:
        model = TimesheetLine
        fields = [
            "id",
            "date",
            "employee",
            "description",
            "hours",
            "billed_hours",
            "project",
            "task",
            "ticket",
            "sale_line",
            "invoice",
            "approval_state",
            "approval_reason",
        ]
        read_only_fields = fields

    def get_fields(self):
        # Built from the model once per class and copied for each use: ModelSerializer builds them
        # on every instance, which cost more than the answer itself on the hottest write.
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        return copy.deepcopy(built)


class TimesheetInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    employee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, help_text="Defaults to the caller."
    )
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    hours = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("24"),
        help_text="Hours, more than 0 and at most 24, two decimals.",
    )
    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.all(), required=False, help_text="Defaults from the ticket or task."
    )
    task = serializers.PrimaryKeyRelatedField(queryset=Task.objects.all(), required=False, allow_null=True)
    # With its team, project and member ids (TicketField): what the service needs, in one query.
    ticket = TicketField(required=False, allow_null=True)
    sale_line = serializers.PrimaryKeyRelatedField(
        queryset=OrderLine.objects.all(),
        required=False,
        allow_null=True,
        help_text="Omitted: the ticket's, task's or project's order line. null: not billable.",
    )


@extend_schema_view(
    create=extend_schema(request=TimesheetInputSerializer, responses={201: TimesheetSerializer}),
    update=extend_schema(request=TimesheetInputSerializer, responses=TimesheetSerializer),
    partial_update=extend_schema(request=TimesheetInputSerializer, responses=TimesheetSerializer),
)
class TimesheetViewSet(
    NonAtomicRequestsMixin,  # every write is a service, one transaction itself
    PolicyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = TimesheetSerializer
    # A million lines: an exact COUNT(*) costs more than the page itself.
    pagination_class = CappedCountPagination
    filter_backends = [ListFilterBackend]
    filterset_class = TimesheetFilter
    # Changing or deleting a line is for the employee who logged it (timesheets/rules.py).
    action_rules = rules_for("timesheet.view", "timesheet.log", delete="timesheet.change")
    action_rules |= {"update": "timesheet.change", "partial_update": "timesheet.change"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return TimesheetLine.objects.none()
        return timesheet_lines_visible(user=self.request.user)

    def create(self, request):
        serializer = TimesheetInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.setdefault("employee", request.user)
        line = timesheet_log(user=request.user, **data)
        return Response(TimesheetSerializer(line).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        line = self.get_object()
        serializer = TimesheetInputSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        changes = {k: v for k, v in serializer.validated_data.items() if getattr(line, k) != v}
        if changes:
            line = timesheet_update(line=line, user=request.user, **changes)
        return Response(TimesheetSerializer(line).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    def perform_destroy(self, instance):
        timesheet_delete(line=instance, user=self.request.user)


class WeekSerializer(serializers.Serializer):
    week = serializers.DateField(help_text="Any day of the week (Monday to Sunday).")


class WeekReviewSerializer(WeekSerializer):
    employee = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class WeekWaitingSerializer(serializers.Serializer):
    employee = serializers.IntegerField(source="employee.pk")
    week = serializers.DateField()
    lines = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=2)


class WeekResultSerializer(serializers.Serializer):
    lines = serializers.IntegerField()


@extend_schema_view(
    submit=extend_schema(request=WeekSerializer, responses=WeekResultSerializer),
    approve=extend_schema(request=WeekReviewSerializer, responses=WeekResultSerializer),
    reject=extend_schema(request=WeekReviewSerializer, responses=WeekResultSerializer),
    list=extend_schema(responses=WeekWaitingSerializer(many=True)),
)
class TimesheetWeekViewSet(PolicyMixin, viewsets.GenericViewSet):
    """Approval of timesheet weeks: authors submit a week; approvers (admins or users with the
    approving permission) list the weeks waiting, approve them, or reject them with a reason."""

    serializer_class = WeekWaitingSerializer
    pagination_class = None  # the weeks waiting are few: one list, no pages
    action_rules = {
        "list": "timesheet.approve",
        "submit": "timesheet.log",
        "approve": "timesheet.approve",
        "reject": "timesheet.approve",
    }

    def list(self, request):
        return Response(WeekWaitingSerializer(weeks_waiting_approval(), many=True).data)

    @action(detail=False, methods=["post"])
    def submit(self, request):
        data = WeekSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = timesheet_week_submit(
            employee=request.user, week=data.validated_data["week"], user=request.user
        )
        return Response({"lines": count})

    def _review(self, request, approve: bool):
        data = WeekReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if approve:
            count = timesheet_week_approve(
                employee=values["employee"], week=values["week"], user=request.user
            )
        else:
            count = timesheet_week_reject(
                employee=values["employee"],
                week=values["week"],
                user=request.user,
                reason=values.get("reason", ""),
            )
        return Response({"lines": count})

    @action(detail=False, methods=["post"])
    def approve(self, request):
        return self._review(request, approve=True)

    @action(detail=False, methods=["post"])
    def reject(self, request):
        return self._review(request, approve=False)


def register(router) -> None:
    """Add this app's viewsets to the v1 router."""
    router.register("timesheet-weeks", TimesheetWeekViewSet, basename="timesheet-week")
    router.register("timesheets", TimesheetViewSet, basename="timesheet")
