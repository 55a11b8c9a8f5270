from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel


class Stage(models.Model):
    name = models.CharField(max_length=60, unique=True)
    sequence = models.PositiveSmallIntegerField(default=10)
    is_closed = models.BooleanField(default=False, help_text="Tickets in this stage are finished.")

    class Meta:
        ordering = ["sequence", "id"]

    def __str__(self):
        return self.name


class Team(TimeStampedModel):
    name = models.CharField(max_length=120, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="helpdesk_teams")
    stages = models.ManyToManyField(Stage, blank=True, related_name="teams")
    use_timesheets = models.BooleanField("Timesheets", default=False)
    use_billing = models.BooleanField("Time billing", default=False)
    project = models.ForeignKey(
        "projects.Project",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="helpdesk_teams",
        help_text="Where this team's ticket timesheets are recorded.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(use_billing=False) | Q(use_timesheets=True), name="team_billing_needs_timesheets"
            ),
            models.CheckConstraint(
                condition=Q(use_timesheets=False) | Q(project__isnull=False),
                name="team_timesheets_need_project",
            ),
        ]

    def __str__(self):
        return self.name


class Ticket(TimeStampedModel):
    class Priority(models.IntegerChoices):
        LOW = 0, "Low"
        MEDIUM = 1, "Medium"
        HIGH = 2, "High"
        URGENT = 3, "Urgent"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="tickets")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="tickets")
    customer = models.ForeignKey(
        "sales.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.LOW)
    sale_line = models.ForeignKey(
        "sales.OrderLine",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name="sales order item",
    )
    task = models.ForeignKey(
        "projects.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-priority", "-id"]
        indexes = [
            models.Index(fields=["team", "stage"], name="ticket_team_stage_idx"),
            models.Index(fields=["customer"], name="ticket_customer_idx"),
            models.Index(fields=["assignee"], name="ticket_assignee_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}"
