"""JSON API of the helpdesk app: /api/v1/teams/ and /api/v1/tickets/ (API.md)."""

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import policy
from core.api import NULLABLE_DECIMAL_STRING, PolicyMixin, PolicyPermission, rules_for
from core.filters import ListFilterBackend
from core.models import User
from projects.models import Project, Task
from sales.models import Customer, OrderLine

from . import conversation_api, selectors, services
from .filters import TicketFilter
from .models import Team, Ticket


# --- Teams ----------------------------------------------------------------------------------
class TeamSerializer(serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.all(), allow_null=True, required=False
    )
    members = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), many=True, required=False)

    class Meta:
        model = Team
        fields = ["id", "name", "use_timesheets", "use_billing", "project", "portal", "members"]

    def validate(self, attrs):
        instance = self.instance
        use_timesheets = attrs.get("use_timesheets", instance.use_timesheets if instance else False)
        use_billing = attrs.get("use_billing", instance.use_billing if instance else False)
        if use_billing and not use_timesheets:
            raise serializers.ValidationError(
                {"use_billing": ["Time billing needs Timesheets: enable them too."]}
            )
        return attrs


class TeamViewSet(PolicyMixin, viewsets.ModelViewSet):
    """Helpdesk teams. Agents see their teams; sales and accountants read all; admins configure."""

    serializer_class = TeamSerializer
    action_rules = rules_for("ticket.view", "team.edit", delete="team.edit")

    def get_queryset(self):
        return selectors.teams_for_user(user=self.request.user).prefetch_related("members").order_by("name")

    def perform_create(self, serializer):
        self._save(serializer, Team())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def _save(self, serializer, team):
        data = dict(serializer.validated_data)
        members = data.pop("members", None)
        for name, value in data.items():
            setattr(team, name, value)
        if not team.use_timesheets:
            team.project = None
        serializer.instance = services.team_save(team=team, user=self.request.user, members=members)

    def perform_destroy(self, instance):
        services.team_delete(team=instance, user=self.request.user)


# --- Tickets --------------------------------------------------------------------------------
class TicketSerializer(serializers.ModelSerializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), allow_null=True, required=False
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), allow_null=True, required=False
    )
    sale_line = serializers.PrimaryKeyRelatedField(
        queryset=OrderLine.objects.select_related("order"), allow_null=True, required=False
    )
    task = serializers.PrimaryKeyRelatedField(queryset=Task.objects.all(), allow_null=True, required=False)
    stage = serializers.SlugRelatedField(slug_field="name", read_only=True)
    stage_id = serializers.IntegerField(read_only=True)
    total_hours = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    remaining_hours = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "title",
            "description",
            "team",
            "customer",
            "stage",
            "stage_id",
            "assignee",
            "priority",
            "sale_line",
            "task",
            "total_hours",
            "remaining_hours",
            "closed_at",
            "created_at",
            "waiting_for",
            "last_message_at",
        ]
        read_only_fields = ["closed_at", "created_at", "waiting_for", "last_message_at"]

    @extend_schema_field(NULLABLE_DECIMAL_STRING)
    def get_remaining_hours(self, ticket) -> str | None:
        value = selectors.ticket_remaining_hours(ticket=ticket)
        return None if value is None else f"{value:.2f}"


class StageActionSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text="Name of a stage of the ticket's team, e.g. 'Solved'.")


class TicketViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Tickets of the caller's teams (sales and accountants read all). `?team=&customer=`."""

    serializer_class = TicketSerializer
    permission_classes = [PolicyPermission]
    policy_action = "ticket.view"
    filter_backends = [ListFilterBackend]
    filterset_class = TicketFilter

    def get_queryset(self):
        tickets = selectors.tickets_for_user(user=self.request.user)
        return (
            selectors.ticket_list_rows(tickets, with_remaining=True)
            .select_related("sale_line")
            .order_by("-id")
        )

    def _fetch(self, pk) -> Ticket:
        return self.get_queryset().get(pk=pk)

    def _require_writer(self, team):
        policy.check(self.request.user, "ticket.change", team)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        team = data.pop("team")
        if not selectors.teams_for_user(user=request.user).filter(pk=team.pk).exists():
            raise serializers.ValidationError({"team": ["Unknown team."]})
        self._require_writer(team)
        if data.get("sale_line") is None:
            data["sale_line"] = services.DEFAULT
        with transaction.atomic():
            ticket = services.ticket_create(user=request.user, team=team, **data)
        return Response(self.get_serializer(self._fetch(ticket.pk)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        ticket = self.get_object()
        self._require_writer(ticket.team)
        serializer = self.get_serializer(ticket, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        new_team = data.get("team")
        if (
            new_team
            and new_team.pk != ticket.team_id
            and not selectors.user_can_write_team(user=request.user, team=new_team)
        ):
            raise serializers.ValidationError({"team": ["Unknown team."]})
        ticket = services.ticket_update(ticket=ticket, user=request.user, **data)
        return Response(self.get_serializer(self._fetch(ticket.pk)).data)

    @extend_schema(request=StageActionSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def set_stage(self, request, pk=None):
        ticket = self.get_object()
        self._require_writer(ticket.team)
        payload = StageActionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.ticket_set_stage_by_name(
            ticket=ticket, stage_name=payload.validated_data["stage"], user=request.user
        )
        return Response(self.get_serializer(self._fetch(ticket.pk)).data)


def register(router) -> None:
    """Add this app's viewsets to the v1 router."""
    router.register("teams", TeamViewSet, basename="team")
    router.register("tickets", TicketViewSet, basename="ticket")
    conversation_api.register(router)
