"""The portal's invoices come from the policy's `invoice` scope (core.policy, the one rule of
who sees which invoice), narrowed to the user's customers: a customer contact who also holds a
staff role gets the same list as a customer contact alone."""

import datetime

import pytest
from django.http import Http404

from core import policy
from invoicing.models import Invoice
from portal.selectors import portal_invoice_get, portal_invoices
from tests.factories import CustomerFactory, InvoiceFactory, UserFactory

pytestmark = pytest.mark.django_db


def _posted(customer, number):
    return InvoiceFactory(
        customer=customer, state=Invoice.State.POSTED, number=number, invoice_date=datetime.date(2026, 5, 1)
    )


@pytest.mark.parametrize("roles", [["customer"], ["customer", "agent"], ["customer", "sales", "accountant"]])
def test_portal_invoices_are_the_scope_narrowed_to_the_users_customers(roles):
    user = UserFactory(username="contact", roles=roles)
    mine, theirs = CustomerFactory(name="Mine"), CustomerFactory(name="Theirs")
    mine.portal_users.add(user)
    posted = _posted(mine, "INV/2026/00001")
    draft = InvoiceFactory(customer=mine)
    other = _posted(theirs, "INV/2026/00002")

    listed = set(portal_invoices(user=user))

    assert listed == {posted}
    assert listed <= set(policy.visible(user, "invoice"))
    for hidden in (draft, other):
        with pytest.raises(Http404):
            portal_invoice_get(user=user, invoice_id=hidden.pk)


def test_staff_who_are_nobodys_contact_see_no_portal_invoices(admin_user):
    _posted(CustomerFactory(), "INV/2026/00003")
    assert set(policy.visible(admin_user, "invoice"))
    assert not portal_invoices(user=admin_user).exists()
