"""Browser screens of contracts: the list, a new contract (sales), a contract's periods, and the
portal page where a customer sees their own contracts."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audit.selectors import audit_history
from core import policy
from core.errors import DomainError
from core.views import apply_domain_error

from .forms import ContractForm
from .selectors import contract_balance, contract_ledger, contracts_visible_to
from .services import contract_cancel, contract_create


def _with_ledgers(contracts) -> list[dict]:
    rows = []
    for contract in contracts:
        ledger = contract_ledger(contract=contract, periods=list(contract.periods.all()))
        rows.append({"contract": contract, "ledger": ledger, "balance": contract_balance(ledger=ledger)})
    return rows


@policy.permission_required("contract.view")
def contract_list(request):
    contracts = (
        contracts_visible_to(request.user).prefetch_related("periods").order_by("state", "-start_date")
    )
    return render(
        request,
        "contracts/contract_list.html",
        {"rows": _with_ledgers(contracts[:200]), "can_create": policy.may(request.user, "contract.edit")},
    )


@policy.permission_required("contract.edit")
def contract_new(request):
    form = ContractForm(
        request.POST or None, initial={"period": "month", "rollover": "none", "overage": "upsell"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            contract = contract_create(user=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"{contract} created.")
            return redirect("contracts:contract_detail", pk=contract.pk)
    return render(request, "contracts/contract_form.html", {"form": form})


@policy.permission_required("contract.view")
def contract_detail(request, pk):
    contract = get_object_or_404(contracts_visible_to(request.user), pk=pk)
    periods = list(contract.periods.select_related("order_line__order", "invoice", "overage_line").all())
    ledger = contract_ledger(contract=contract, periods=periods)
    for period, figures in zip(periods, ledger, strict=True):
        figures.period = period  # the order and invoice links of the row
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "ledger": ledger,
            "balance": contract_balance(ledger=ledger),
            "can_cancel": policy.may(request.user, "contract.edit") and contract.state == "active",
            "history": audit_history(obj=contract),
        },
    )


@require_POST
@policy.permission_required("contract.edit")
def contract_cancel_view(request, pk):
    contract = get_object_or_404(contracts_visible_to(request.user), pk=pk)
    try:
        contract_cancel(contract=contract, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{contract} cancelled: it will not renew.")
    return redirect("contracts:contract_detail", pk=contract.pk)


@policy.permission_required("portal.use")
def portal_contracts(request):
    contracts = (
        contracts_visible_to(request.user).prefetch_related("periods").order_by("state", "-start_date")
    )
    return render(request, "contracts/portal_contracts.html", {"rows": _with_ledgers(contracts)})
