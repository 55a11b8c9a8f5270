"""JSON API of the projects app (DRF views + serializers).

/api/v1/projects/ and /api/v1/tasks/ (API.md). Agents and sales read and write tasks (and run
the `done` / `add_material` actions); projects are read by them and written by sales; portal
customers reach none (403). Writes go through `projects.services` (400 field-level / 409).
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import PolicyMixin, rules_for
from core.filters import ListFilterBackend
from core.models import User
from sales.models import Customer, OrderLine, Product

from . import services, stock_api
from .filters import TaskFilter
from .models import EmployeeRate, Project, Task, TaskMaterial

# --- Projects --------------------------------------------------------------------------------


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "customer",
            "billable",
            "requires_approval",
            "sale_line",
            "sale_order",
            "active",
        ]
        read_only_fields = fields


class ProjectInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), required=False, allow_null=True
    )
    billable = serializers.BooleanField(required=False, default=True)
    requires_approval = serializers.BooleanField(
        required=False, help_text="Timesheets are submitted per week and approved before they are billed."
    )
    sale_line = serializers.PrimaryKeyRelatedField(
        queryset=OrderLine.objects.all(), required=False, allow_null=True
    )


class ProjectViewSet(
    PolicyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ProjectSerializer
    action_rules = rules_for("task.work", "project.edit")

    def get_queryset(self):
        return Project.objects.order_by("name", "id")

    @extend_schema(request=ProjectInputSerializer, responses={201: ProjectSerializer})
    def create(self, request, *args, **kwargs):
        data = ProjectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_create(user=request.user, **data.validated_data)
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProjectInputSerializer, responses=ProjectSerializer)
    def update(self, request, *args, **kwargs):
        project = self.get_object()
        partial = kwargs.get("partial", False)
        data = ProjectInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        project = services.project_update(project=project, user=request.user, **data.validated_data)
        return Response(ProjectSerializer(project).data)


# --- Tasks -----------------------------------------------------------------------------------


class MaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskMaterial
        fields = ["id", "product", "quantity", "sale_line", "delivered"]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    materials = MaterialSerializer(many=True, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "description",
            "project",
            "customer",
            "sale_line",
            "assignee",
            "stage",
            "is_done",
            "done_at",
            "planned_date",
            "worksheet_notes",
            "signed_by",
            "signed_at",
            "materials",
        ]
        read_only_fields = fields


class TaskInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), required=False, allow_null=True
    )
    sale_line = serializers.PrimaryKeyRelatedField(
        queryset=OrderLine.objects.all(), required=False, allow_null=True
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    stage = serializers.ChoiceField(
        choices=[c for c in Task.Stage.choices if c[0] != Task.Stage.DONE], required=False
    )
    planned_date = serializers.DateField(required=False, allow_null=True)
    worksheet_notes = serializers.CharField(required=False, allow_blank=True)


class MaterialInputSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))


class TaskViewSet(
    PolicyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = TaskSerializer
    action_rules = {**rules_for("task.work", "task.work"), "done": "task.work", "add_material": "task.work"}
    filter_backends = [ListFilterBackend]
    filterset_class = TaskFilter

    def get_queryset(self):
        return Task.objects.prefetch_related(
            Prefetch("materials", queryset=TaskMaterial.objects.order_by("id"))
        ).order_by("-id")

    def _answer(self, task, code=status.HTTP_200_OK):
        return Response(TaskSerializer(self.get_queryset().get(pk=task.pk)).data, status=code)

    @extend_schema(request=TaskInputSerializer, responses={201: TaskSerializer})
    def create(self, request, *args, **kwargs):
        data = TaskInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        extra = {k: fields.pop(k) for k in ("stage", "worksheet_notes") if k in fields}
        with transaction.atomic():  # create + first update: all or nothing
            task = services.task_create(user=request.user, **fields)
            if extra:
                task = services.task_update(task=task, user=request.user, **extra)
        return self._answer(task, status.HTTP_201_CREATED)

    @extend_schema(request=TaskInputSerializer, responses=TaskSerializer)
    def update(self, request, *args, **kwargs):
        task = self.get_object()
        data = TaskInputSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        task = services.task_update(task=task, user=request.user, **data.validated_data)
        return self._answer(task)

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        task = services.task_mark_done(task=self.get_object(), user=request.user)
        return self._answer(task)

    @extend_schema(request=MaterialInputSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def add_material(self, request, pk=None):
        task = self.get_object()
        data = MaterialInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.task_material_add(task=task, user=request.user, **data.validated_data)
        return self._answer(task)


class EmployeeRateSerializer(serializers.ModelSerializer):
    """An hourly rate for one employee's time on a post-paid order line or a project."""

    hourly_rate = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"))

    class Meta:
        model = EmployeeRate
        fields = ["id", "employee", "sale_line", "project", "hourly_rate"]

    def validate(self, attrs):
        def value(name):
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        if (value("sale_line") is None) == (value("project") is None):
            raise serializers.ValidationError(
                {"sale_line": ["Give an order line or a project (one of them)."]}
            )
        line = value("sale_line")
        if line is not None and line.invoice_policy != Product.InvoicePolicy.TIMESHEET:
            raise serializers.ValidationError({"sale_line": ["Rates apply to post-paid (timesheet) lines."]})
        duplicate = EmployeeRate.objects.filter(
            employee=value("employee"), sale_line=line, project=value("project")
        ).exclude(pk=getattr(self.instance, "pk", None))
        if duplicate.exists():
            raise serializers.ValidationError({"employee": ["This employee already has a rate there."]})
        return attrs


class EmployeeRateViewSet(PolicyMixin, viewsets.ModelViewSet):
    """Employee rates: sales and admins set them; staff read them."""

    serializer_class = EmployeeRateSerializer
    queryset = EmployeeRate.objects.order_by("id")
    action_rules = rules_for("employee_rate.view", "employee_rate.edit", delete="employee_rate.edit")


def register(router) -> None:
    """Add this app's viewsets to the v1 router."""
    router.register("employee-rates", EmployeeRateViewSet, basename="employee-rate")
    router.register("projects", ProjectViewSet, basename="project")
    router.register("tasks", TaskViewSet, basename="task")
    stock_api.register(router)  # /products/{id}/receipts/
