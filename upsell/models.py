"""The upsell room's model: follow-up activities for salespeople."""

from django.conf import settings
from django.db import models

from core.models import TimeStampedModel


class Activity(TimeStampedModel):
    """A follow-up to do for a salesperson (e.g. an upsell call)."""

    class Kind(models.TextChoices):
        UPSELL = "upsell", "Upsell opportunity"
        TODO = "todo", "To do"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TODO)
    summary = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    order = models.ForeignKey(
        "sales.Order", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    order_line = models.ForeignKey(
        "sales.OrderLine", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    due_date = models.DateField()
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    # Makes "one activity per opportunity" a database rule: concurrent sweeps cannot both insert.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        db_table = "sales_activity"  # created by the sales app before the upsell room existed
        verbose_name_plural = "activities"
        ordering = ["done", "due_date", "id"]
        indexes = [models.Index(fields=["user", "done"], name="activity_user_done_idx")]

    def __str__(self):
        return self.summary
