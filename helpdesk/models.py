import uuid
from pathlib import PurePath

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
    portal = models.BooleanField(
        "Open to customers",
        default=False,
        help_text="Customers may open tickets in this team from the portal.",
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
    class Turn(models.TextChoices):
        US = "us", "Waiting for us"
        CUSTOMER = "customer", "Waiting for the customer"

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
    # Whose turn it is, set by the last public message (internal notes change nothing).
    waiting_for = models.CharField(max_length=10, choices=Turn.choices, default=Turn.US)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-priority", "-id"]
        indexes = [
            # The lists' order: a page of tickets is read off this index, not sorted whole.
            models.Index(fields=["-priority", "-id"], name="ticket_priority_id_idx"),
            models.Index(fields=["team", "stage"], name="ticket_team_stage_idx"),
            models.Index(fields=["customer"], name="ticket_customer_idx"),
            models.Index(fields=["assignee"], name="ticket_assignee_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}"


class Message(models.Model):
    """One entry of a ticket's conversation: a public reply (the customer reads it in the portal
    and gets it by e-mail) or an internal note (staff only, never shown or sent to customers)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(blank=True)
    internal = models.BooleanField(default=False)
    from_customer = models.BooleanField(default=False, help_text="Written by a customer's portal user.")
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When the customer was e-mailed.")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(internal=False) | Q(from_customer=False), name="message_customer_never_internal"
            )
        ]

    def __str__(self):
        kind = "note" if self.internal else "reply"
        return f"{kind} #{self.pk} on ticket #{self.ticket_id}"


def attachment_upload_to(instance: "Attachment", filename: str) -> str:
    # A random name: the stored path never carries what the uploader typed.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"helpdesk/attachments/{instance.message.ticket_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file of a message, stored through Django's storage API under the media root and served
    only by a view that checks who may read the message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to, max_length=255)
    name = models.CharField(max_length=255, help_text="The file name as uploaded.")
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name
