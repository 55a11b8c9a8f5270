"""Contracts: a block of prepaid hours sold per period (month, quarter, year), renewed by itself.

Each period becomes a confirmed order with one prepaid line (and its invoice, in advance). The
ledger of a contract (sold / rolled over / used / expired / overage per period) is computed by
`contracts.selectors.contract_ledger`; a closed period also stores its figures as they were at
its close.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from core.money import MONEY_DIGITS, MONEY_PLACES, QTY_DIGITS, QTY_PLACES


def hours_field(**kwargs):
    kwargs.setdefault("default", Decimal("0.00"))
    return models.DecimalField(max_digits=QTY_DIGITS, decimal_places=QTY_PLACES, **kwargs)


class Contract(TimeStampedModel):
    class Period(models.TextChoices):
        MONTH = "month", "Month"
        QUARTER = "quarter", "Quarter"
        YEAR = "year", "Year"

    class Rollover(models.TextChoices):
        NONE = "none", "No rollover"
        CAPPED = "capped", "Rollover up to a cap"
        UNLIMITED = "unlimited", "Unlimited rollover"

    class Overage(models.TextChoices):
        RATE = "rate", "Bill at the hourly rate at period end"
        UPSELL = "upsell", "Flag an upsell for the salesperson"

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"
        CANCELLED = "cancelled", "Cancelled"

    customer = models.ForeignKey("sales.Customer", on_delete=models.PROTECT, related_name="contracts")
    product = models.ForeignKey("sales.Product", on_delete=models.PROTECT, related_name="+")
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hours_per_period = hours_field()
    period = models.CharField(max_length=10, choices=Period.choices, default=Period.MONTH)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    rollover = models.CharField(max_length=10, choices=Rollover.choices, default=Rollover.NONE)
    rollover_cap_hours = hours_field(null=True, blank=True, default=None)
    rollover_expiry_periods = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Unused hours roll over for at most this many periods."
    )
    overage = models.CharField(max_length=10, choices=Overage.choices, default=Overage.UPSELL)
    overage_rate = models.DecimalField(
        max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, null=True, blank=True
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["state"], name="contract_state_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(hours_per_period__gt=0), name="contract_hours_positive"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="contract_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(rollover="capped") | Q(rollover_cap_hours__gte=0),
                name="contract_capped_rollover_has_cap",
            ),
            models.CheckConstraint(
                condition=~Q(overage="rate") | Q(overage_rate__gte=0),
                name="contract_rate_overage_has_rate",
            ),
        ]

    def __str__(self):
        return f"Contract #{self.pk} – {self.customer}"


class ContractPeriod(models.Model):
    """One period of a contract: its order line (the hours sold) and, once closed, its figures."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="periods")
    sequence = models.PositiveIntegerField(help_text="0 for the first period.")
    start = models.DateField()
    end = models.DateField()
    sold = hours_field()
    order_line = models.ForeignKey(
        "sales.OrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    invoice = models.ForeignKey(
        "invoicing.Invoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the period is closed (the day after its end): the figures as they were then.
    closed_at = models.DateTimeField(null=True, blank=True)
    used = hours_field()
    rolled_over = hours_field()
    expired = hours_field()
    overage = hours_field()
    overage_line = models.ForeignKey(
        "sales.OrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["contract_id", "start"]
        constraints = [
            # Two renewal runs at once create one period: the database refuses the second.
            models.UniqueConstraint(fields=["contract", "start"], name="contract_period_unique_start"),
            models.UniqueConstraint(fields=["contract", "sequence"], name="contract_period_unique_sequence"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="contract_period_dates"),
        ]

    def __str__(self):
        return f"{self.contract} {self.start}–{self.end}"
