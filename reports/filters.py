"""The filters every report reads from the URL: a date range and a customer."""

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone

from core.form_fields import SiteDateField
from sales.form_fields import CustomerChoiceField


@dataclass(frozen=True)
class ReportFilters:
    """What a report is restricted to. `date_from` None = no lower bound; `employee_id` is set
    for agents (their own hours only)."""

    date_to: datetime.date
    date_from: datetime.date | None = None
    customer_id: int | None = None
    employee_id: int | None = None


def months_back(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


class ReportFilterForm(forms.Form):
    date_from = SiteDateField(label="From", required=False)
    date_to = SiteDateField(label="To", required=False)
    # Picked by search (sales.form_fields): thousands of customers, the page carries one name.
    customer = CustomerChoiceField(required=False, placeholder="All customers")

    def __init__(self, data=None, *, default_months: int | None = 11, **kwargs):
        """`default_months`: when the URL gives no dates, start that many months before this
        month (None: no lower bound); the range ends today unless given."""
        today = timezone.localdate()
        self.default_to = today
        self.default_from = None if default_months is None else months_back(today, default_months)
        if data is not None and not data.get("date_from") and not data.get("date_to"):
            data = data.copy()
            data["date_to"] = today.isoformat()
            if self.default_from is not None:
                data["date_from"] = self.default_from.isoformat()
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def filters(self, *, employee_id: int | None = None) -> ReportFilters:
        """The valid filters (call after is_valid())."""
        customer = self.cleaned_data.get("customer")
        return ReportFilters(
            date_from=self.cleaned_data.get("date_from"),
            date_to=self.cleaned_data.get("date_to") or self.default_to,
            customer_id=customer.pk if customer else None,
            employee_id=employee_id,
        )
