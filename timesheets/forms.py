"""Browser forms of the timesheets app: the timer's stop dialog and the task page's time line
(the list filters: filters.py)."""

import datetime

from django import forms

from core.form_fields import HoursField, SiteDateField
from core.models import User
from projects.forms import staff_users


class TimerStopForm(forms.Form):
    hours = HoursField(label="Duration (hours)")
    description = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "What did you do?", "autofocus": True}),
    )


class TimesheetForm(forms.Form):
    """A time line logged or edited on the task page."""

    date = SiteDateField(initial=datetime.date.today)
    employee = forms.ModelChoiceField(queryset=User.objects.none())
    description = forms.CharField(max_length=500, required=False)
    hours = HoursField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = staff_users()
