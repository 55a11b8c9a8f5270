"""JSON API of the timers: /api/v1/timers/ with actions pause, resume, stop (API.md).

A user only ever sees and drives their own timers. `stop` answers 201 with the created
timesheet line, serialized with the fields of /api/v1/timesheets/, plus `warnings`: what the
browser's stop dialog says when the time went past a prepaid line's hours or a post-paid
line's estimate (the line is kept either way).
"""

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import policy
from core.api import PolicyPermission
from projects.models import Task

from . import selectors, timers
from .api import TimesheetSerializer
from .models import Timer
from .tickets import TicketField


class TimerSerializer(serializers.ModelSerializer):
    ticket = TicketField(allow_null=True, required=False)
    task = serializers.PrimaryKeyRelatedField(queryset=Task.objects.all(), allow_null=True, required=False)
    elapsed_seconds = serializers.SerializerMethodField()

    class Meta:
        model = Timer
        fields = ["id", "ticket", "task", "state", "elapsed_seconds", "running_since", "created_at"]
        read_only_fields = ["state", "running_since", "created_at"]

    def get_elapsed_seconds(self, timer) -> int:
        return timers.timer_elapsed_seconds(timer)

    def validate(self, attrs):
        if not attrs.get("ticket") and not attrs.get("task"):
            raise serializers.ValidationError({"ticket": ["A timer runs on a ticket or a task."]})
        ticket = attrs.get("ticket")
        # A ticket one may not log time on answers like an unknown one (its id says nothing).
        if ticket is not None and not policy.may(self.context["request"].user, "ticket.log_time", ticket):
            raise serializers.ValidationError(
                {"ticket": [f'Invalid pk "{ticket.pk}" - object does not exist.']}
            )
        return attrs


class TimerStopSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")
    hours = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Confirmed duration; default: the elapsed time rounded up to the company's step.",
    )
    date = serializers.DateField(required=False, allow_null=True)


class TimerStopResultSerializer(TimesheetSerializer):
    """The answer of `stop`: the created line (the fields of /api/v1/timesheets/, fixed by
    API.md) and, added, the warnings the browser shows after the same stop."""

    warnings = serializers.SerializerMethodField(
        help_text="Warnings, not refusals: the order lines this time went past (a prepaid line's "
        "hours or a post-paid line's estimate). Empty when within what was sold."
    )

    class Meta(TimesheetSerializer.Meta):
        fields = [*TimesheetSerializer.Meta.fields, "warnings"]
        read_only_fields = fields

    def get_warnings(self, line) -> list[str]:
        return selectors.order_lines_past_sold_hours(line_ids=[line.sale_line_id])


class TimerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's timers. POST starts one (a running timer elsewhere is paused)."""

    serializer_class = TimerSerializer
    permission_classes = [PolicyPermission]
    policy_action = "timer.use"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Timer.objects.none()
        timers_qs = Timer.objects.filter(user=self.request.user).order_by("-created_at")
        params = self.request.query_params
        if params.get("state") in (Timer.State.RUNNING, Timer.State.PAUSED):
            timers_qs = timers_qs.filter(state=params["state"])
        if params.get("ticket", "").isdigit():
            timers_qs = timers_qs.filter(ticket_id=int(params["ticket"]))
        if params.get("task", "").isdigit():
            timers_qs = timers_qs.filter(Q(task_id=int(params["task"])))
        return timers_qs

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = serializer.validated_data.get("ticket")
        task = None if ticket else serializer.validated_data.get("task")
        timer = timers.timer_start(user=request.user, ticket=ticket, task=task)
        return Response(self.get_serializer(timer).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        timers.timer_discard(timer=instance, user=self.request.user)

    @extend_schema(request=None, responses=TimerSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        timer = timers.timer_pause(timer=self.get_object(), user=request.user)
        return Response(self.get_serializer(timer).data)

    @extend_schema(request=None, responses=TimerSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        timer = timers.timer_resume(timer=self.get_object(), user=request.user)
        return Response(self.get_serializer(timer).data)

    @extend_schema(request=TimerStopSerializer, responses={201: TimerStopResultSerializer})
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        timer = self.get_object()
        payload = TimerStopSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        line = timers.timer_stop(
            timer=timer,
            user=request.user,
            description=data.get("description") or "",
            hours=data.get("hours"),
            date=data.get("date"),
        )
        return Response(TimerStopResultSerializer(line).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    """Add this module's viewsets to the v1 router."""
    router.register("timers", TimerViewSet, basename="timer")
