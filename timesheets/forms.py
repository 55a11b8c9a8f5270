"""Browser forms of the timesheets app: the timer's stop dialog (the list filters: filters.py)."""

from django import forms


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
