"""Browser forms of the portal. They collect input; the services decide."""

from django import forms

from helpdesk.conversation_selectors import portal_teams
from helpdesk.forms import MultipleFileField
from sales.models import Customer


class PortalTicketForm(forms.Form):
    title = forms.CharField(max_length=200, label="Subject")
    team = forms.ModelChoiceField(queryset=portal_teams(), label="About", empty_label=None)
    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), label="For", empty_label=None)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "What happened? Markdown works."}),
        required=False,
        label="Description",
    )
    attachments = MultipleFileField(label="Attach files (screenshots, logs…)")

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = portal_teams()
        self.fields["customer"].queryset = customers
        if len(customers) <= 1:
            self.fields["customer"].required = False
            self.fields["customer"].widget = forms.HiddenInput()


class PortalInviteForm(forms.Form):
    username = forms.CharField(max_length=150, label="User name")
    email = forms.EmailField(label="E-mail")
