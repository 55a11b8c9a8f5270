"""Browser forms of the helpdesk. They collect input; the services decide (errors mapped back)."""

import json

from django import forms
from django.urls import reverse

from core.display import format_hours
from core.form_fields import HoursField, SiteDateField
from core.models import User
from core.views import int_or_none
from projects.models import Task
from sales.form_fields import CustomerChoiceField
from sales.models import Customer, OrderLine
from timesheets.models import TimesheetLine

from .models import Stage, Team, Ticket
from .selectors import ticket_sale_line_choices


def sale_line_label(line: OrderLine) -> str:
    name = line.description or (line.product.name if line.product_id else "Item")
    remaining = getattr(line, "remaining_hours", None)
    if remaining is not None:
        return f"{line.order.name} – {name} ({format_hours(remaining)} h left)"
    return f"{line.order.name} – {name} ({line.get_invoice_policy_display()})"


class SaleLineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return sale_line_label(obj)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class TicketForm(forms.Form):
    title = forms.CharField(max_length=200)
    team = forms.ModelChoiceField(queryset=Team.objects.none())
    # Thousands of customers: picked by search (sales.form_fields), the page carries one name.
    customer = CustomerChoiceField(required=False)
    sale_line = SaleLineChoiceField(
        queryset=OrderLine.objects.none(),
        required=False,
        label="Sales order item",
        error_messages={"invalid_choice": "Pick an item of this ticket's customer (confirmed orders only)."},
    )
    assignee = PersonChoiceField(queryset=User.objects.none(), required=False)
    priority = forms.TypedChoiceField(
        choices=Ticket.Priority.choices, coerce=int, initial=Ticket.Priority.LOW
    )
    stage = forms.ModelChoiceField(queryset=Stage.objects.none(), required=False)
    task = forms.ModelChoiceField(queryset=Task.objects.none(), required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args, teams, ticket: Ticket | None = None, team: Team | None = None, **kwargs):
        self.ticket = ticket
        if ticket is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": ticket.title,
                "team": ticket.team_id,
                "customer": ticket.customer_id,
                "sale_line": ticket.sale_line_id,
                "assignee": ticket.assignee_id,
                "priority": ticket.priority,
                "stage": ticket.stage_id,
                "task": ticket.task_id,
                "description": ticket.description,
            }
        super().__init__(*args, **kwargs)
        teams = list(teams)
        self.fields["team"].queryset = Team.objects.filter(pk__in=[t.pk for t in teams])
        self.fields["team"].choices = [("", "---------")] + [(t.pk, t.name) for t in teams]
        by_id = {t.pk: t for t in teams}
        team_id = int_or_none(self.data.get("team")) if self.is_bound else self.initial.get("team")
        self.team = by_id.get(team_id) or team or (ticket.team if ticket else None)
        params = self.data if self.is_bound else self.initial
        customer_id = int_or_none(params.get("customer"))
        self.customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
        self.fields["customer"].widget.remember(self.customer)
        self.set_customer(self.customer)
        if self.team is not None:
            self.fields["stage"].queryset = self.team.stages.order_by("sequence", "id")
            self.fields["assignee"].queryset = self.team.members.order_by("first_name", "username")
        tasks = Task.objects.filter(is_done=False).select_related("project")
        if self.customer is not None:
            tasks = tasks.filter(customer=self.customer)
        if ticket is not None and ticket.task_id:
            tasks = tasks | Task.objects.filter(pk=ticket.task_id)
        self.fields["task"].queryset = tasks.order_by("-id")
        refresh_item = {
            "hx-get": reverse("helpdesk:ticket_item_field"),
            "hx-trigger": "change",
            "hx-target": "#item-field",
            "hx-swap": "outerHTML",
            "hx-vals": json.dumps({"ticket": ticket.pk if ticket else ""}),
        }
        self.fields["customer"].widget.attrs.update(refresh_item, **{"hx-include": "[name=team]"})
        self.fields["team"].widget.attrs.update(refresh_item, **{"hx-include": "[name=customer]"})

    def set_customer(self, customer) -> None:
        self.fields["sale_line"].queryset = ticket_sale_line_choices(customer=customer)

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("stage") is None:
            data.pop("stage", None)
        return data


class TimesheetLineForm(forms.Form):
    """One timesheet line of a ticket, entered inline."""

    date = SiteDateField()
    employee = PersonChoiceField(queryset=User.objects.none())
    description = forms.CharField(
        max_length=500, required=False, widget=forms.TextInput(attrs={"placeholder": "What did you do?"})
    )
    hours = HoursField(
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "0.00"})
    )

    def __init__(self, *args, employees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = employees

    @classmethod
    def for_line(cls, line: TimesheetLine, *, employees, data=None):
        initial = {
            "date": line.date,
            "employee": line.employee_id,
            "description": line.description,
            "hours": line.hours,
        }
        return cls(data, employees=employees, initial=initial, prefix=f"line{line.pk}")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the services check size, type and count."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class MessageForm(forms.Form):
    """A reply on a ticket (staff may tick "internal note")."""

    body = forms.CharField(
        label="Message",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Write a reply (Markdown works)…"}),
    )
    internal = forms.BooleanField(label="Internal note (not shown to the customer)", required=False)
    attachments = MultipleFileField(label="Attach files")

    def __init__(self, *args, allow_internal: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_internal:
            del self.fields["internal"]
