"""Browser forms of the timesheets app: the timer's stop dialog and the line list filters."""

from django import forms

from core.models import User


class TimerStopForm(forms.Form):
    hours = forms.DecimalField(
        max_digits=6,
        decimal_places=2,
        label="Duration (hours)",
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.25", "max": "24"}),
    )
    description = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "What did you do?", "autofocus": True}),
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class LineFilterForm(forms.Form):
    employee = PersonChoiceField(queryset=User.objects.none(), required=False, empty_label="Anyone")
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From")
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To")
    ticket = forms.IntegerField(required=False, min_value=1, label="Ticket #")
    task = forms.IntegerField(required=False, min_value=1, label="Task #")
    order = forms.CharField(required=False, max_length=20, label="Order", help_text="e.g. SO00001")
    billed = forms.ChoiceField(
        required=False, choices=[("", "All"), ("yes", "Billed"), ("no", "Not billed")], label="Billed"
    )

    def __init__(self, *args, employees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = employees

    def apply(self, lines):
        if not self.is_valid():
            return lines.none()
        data = self.cleaned_data
        if data["employee"]:
            lines = lines.filter(employee=data["employee"])
        if data["date_from"]:
            lines = lines.filter(date__gte=data["date_from"])
        if data["date_to"]:
            lines = lines.filter(date__lte=data["date_to"])
        if data["ticket"]:
            lines = lines.filter(ticket_id=data["ticket"])
        if data["task"]:
            lines = lines.filter(task_id=data["task"])
        if data["order"]:
            order = data["order"].strip()
            lines = (
                lines.filter(sale_line__order__name__iexact=order)
                if not order.isdigit()
                else lines.filter(sale_line__order_id=int(order))
            )
        if data["billed"] == "yes":
            lines = lines.filter(invoice__isnull=False)
        elif data["billed"] == "no":
            lines = lines.filter(invoice__isnull=True)
        return lines
