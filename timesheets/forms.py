"""Browser forms of the timesheets app: the timer's stop dialog and the task page's time line
(the list filters: filters.py)."""

import datetime

from django import forms

from core.models import User
from projects.forms import staff_users


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


class TimesheetForm(forms.Form):
    """A time line logged or edited on the task page."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), initial=datetime.date.today)
    employee = forms.ModelChoiceField(queryset=User.objects.none())
    description = forms.CharField(max_length=500, required=False)
    hours = forms.DecimalField(
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "min": "0.01", "max": "24", "inputmode": "decimal"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = staff_users()

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours <= 0:
            raise forms.ValidationError("Hours must be more than zero.")
        if hours > 24:
            raise forms.ValidationError("A line cannot have more than 24 hours.")
        return hours
