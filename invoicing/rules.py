"""The invoice rules of `core.policy` that look at the invoice: sales may cancel and download
the drafts they create; posted documents are the accountants' (and, read-only, their customer's
through the portal). And the `invoice` scope: which invoices each user may see."""

import rules

from core import policy

from .models import Invoice
from .selectors import invoices_visible_to


@rules.predicate
def is_draft(user, invoice) -> bool:
    return invoice is None or invoice.state == Invoice.State.DRAFT


policy.register(
    "invoice.cancel",
    policy.is_accountant | (policy.is_sales & is_draft),
    reason="Only accountants cancel invoices; sales cancel their drafts.",
    who="accountant; sales: drafts",
)
policy.register(
    "invoice.download",
    policy.is_accountant | (policy.is_sales & is_draft),
    reason="Only accountants download posted invoices; sales download drafts.",
    who="accountant; sales: drafts",
)

policy.register_scope("invoice", invoices_visible_to)
