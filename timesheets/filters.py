"""Timesheet line filters: one FilterSet for /api/v1/timesheets/ and the Timesheets page."""

import django_filters
from django import forms

from core.filters import IdFilter, SiteDateFilter
from core.listing import SortKeys
from core.models import User
from core.widgets import SiteDateInput

from .models import TimesheetLine

DATE_INPUT = SiteDateInput()


class TimesheetFilter(django_filters.FilterSet):
    """API.md: `?ticket=&task=&sale_line=&invoice=&date_from=&date_to=` (+ employee, project,
    order, billed)."""

    employee = IdFilter(field_name="employee_id", label="Employee")
    date_from = SiteDateFilter(field_name="date", lookup_expr="gte", label="From", widget=DATE_INPUT)
    date_to = SiteDateFilter(field_name="date", lookup_expr="lte", label="To", widget=DATE_INPUT)
    ticket = IdFilter(field_name="ticket_id", label="Ticket #")
    task = IdFilter(field_name="task_id", label="Task #")
    project = IdFilter(field_name="project_id", label="Project", widget=forms.HiddenInput)
    sale_line = IdFilter(field_name="sale_line_id", label="Order line", widget=forms.HiddenInput)
    invoice = IdFilter(field_name="invoice_id", label="Invoice", widget=forms.HiddenInput)
    order = django_filters.CharFilter(
        method="by_order", label="Order", max_length=20, help_text="An order number (SO00001) or id."
    )
    billed = django_filters.ChoiceFilter(
        method="by_billed",
        label="Billed",
        choices=[("yes", "Billed"), ("no", "Not billed")],
        empty_label="All",
        help_text="yes: on an invoice; no: not invoiced yet.",
    )

    class Meta:
        model = TimesheetLine
        fields = [
            "employee",
            "date_from",
            "date_to",
            "ticket",
            "task",
            "order",
            "billed",
            "project",
            "sale_line",
            "invoice",
        ]

    def by_order(self, queryset, name, value):
        order = value.strip()
        if not order:
            return queryset
        if order.isdigit():
            return queryset.filter(sale_line__order_id=int(order))
        return queryset.filter(sale_line__order__name__iexact=order)

    def by_billed(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(invoice__isnull=False)
        if value == "no":
            return queryset.filter(invoice__isnull=True)
        return queryset


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class PersonFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


class TimesheetLineListFilter(TimesheetFilter):
    """The page's form: the employee is a select of the people who logged time."""

    employee = PersonFilter(queryset=User.objects.none(), label="Employee", empty_label="Anyone")

    def __init__(self, *args, employees, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["employee"].queryset = employees
        self.form.fields["employee"].queryset = employees


# Only the date is served by an index (timesheet_date_id_idx): the other keys sort lists that
# are small enough to count (CappedPaginator), else the page keeps the date order.
TIMESHEET_SORTS = SortKeys(
    keys={
        "date": ("date",),
        "employee": ("employee__first_name", "employee__last_name", "employee__username"),
        "project": ("project__name",),
        "ticket": ("ticket_id",),
        "hours": ("hours",),
    },
    default="-date",
    costly=frozenset({"employee", "project", "ticket", "hours"}),
)
