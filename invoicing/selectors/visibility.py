"""Which invoices a user may see: the `invoice` scope of `core.policy` (registered by
`invoicing.rules`); callers ask `policy.visible(user, "invoice")`."""

from django.db.models import QuerySet

from core import policy
from sales.selectors import portal_customers

from ..models import Invoice


def invoices_visible_to(user) -> QuerySet[Invoice]:
    """Staff see every invoice; portal customers the posted documents of their customers."""
    if policy.is_staff_member(user):
        return Invoice.objects.all()
    return Invoice.objects.filter(customer__in=portal_customers(user), state=Invoice.State.POSTED)
