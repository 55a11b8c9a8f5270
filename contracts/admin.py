"""Django admin for contracts: create and change them through the contract services (so a
started contract opens its period at once), see each period's figures, cancel in bulk."""

from django import forms
from django.contrib import admin

from core.admin import ReadOnlyInline
from core.errors import DomainError

from .models import Contract, ContractPeriod
from .services import (
    EDITABLE_FIELDS,
    FIXED_AFTER_START,
    contract_cancel,
    contract_create,
    contract_update,
    contract_validate,
)


class ContractPeriodInline(ReadOnlyInline):
    model = ContractPeriod
    parent_view_permission = "contracts.view_contract"
    fields = (
        "start",
        "end",
        "order_line",
        "invoice",
        "sold",
        "rolled_over",
        "used",
        "expired",
        "overage",
        "closed_at",
    )


class ContractAdminForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = EDITABLE_FIELDS

    def clean(self):
        cleaned = super().clean()
        values = {
            name: getattr(self.instance, name, None) for name in EDITABLE_FIELDS if name != "salesperson"
        }
        values.update({k: v for k, v in cleaned.items() if k != "salesperson"})
        try:
            contract_validate(values)
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return cleaned

    def _post_clean(self):
        # The contract services write (and open the first period); no model full_clean before them.
        pass


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    form = ContractAdminForm
    list_display = (
        "__str__",
        "customer",
        "product",
        "hours_per_period",
        "period",
        "start_date",
        "end_date",
        "rollover",
        "overage",
        "state",
    )
    list_filter = ("state", "period", "rollover", "overage")
    search_fields = ("customer__name", "product__name")
    list_select_related = ("customer", "product")
    autocomplete_fields = ("customer",)  # thousands of customers: searched, not a <select>
    inlines = [ContractPeriodInline]
    actions = ["cancel_contracts"]

    def get_readonly_fields(self, request, obj=None):
        return ("state",) if obj is None or not obj.periods.exists() else ("state", *FIXED_AFTER_START)

    def save_model(self, request, obj, form, change):
        values = dict(form.cleaned_data)
        if change:
            saved = contract_update(contract=Contract.objects.get(pk=obj.pk), user=request.user, **values)
        else:
            saved = contract_create(user=request.user, **values)
        for field in Contract._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    @admin.action(description="Cancel the selected contracts (stop renewals)")
    def cancel_contracts(self, request, queryset):
        done = 0
        for contract in queryset.filter(state=Contract.State.ACTIVE):
            contract_cancel(contract=contract, user=request.user)
            done += 1
        self.message_user(request, f"{done} contract(s) cancelled.")
