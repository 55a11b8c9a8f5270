"""A contract's edits, cancellation and renewal (the system, from beat) are in its History card."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from contracts.services import contract_cancel, contract_update, contracts_renew
from tests.clock import frozen_on

pytestmark = [
    pytest.mark.django_db,
    frozen_on(datetime.datetime(2026, 1, 10, 9, 0, tzinfo=datetime.UTC), tick=False),
]


def test_contract_edits_renewal_and_cancel_are_on_its_page(client, make_contract, seller):
    contract = make_contract(end_date=None)
    contract_update(contract=contract, user=seller, hours_per_period=Decimal("12"))
    edited = AuditEvent.objects.get(action="contract.update", object_id=contract.pk)
    assert edited.changes == {"hours_per_period": ["10.00", "12.00"]}
    with time_machine.travel(datetime.datetime(2026, 2, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        contracts_renew(day=datetime.date(2026, 2, 2))  # beat: no user
        contract_cancel(contract=contract, user=seller)
    cancelled = AuditEvent.objects.get(action="contract.cancel", object_id=contract.pk)
    assert cancelled.changes["state"] == ["active", "cancelled"]

    client.force_login(seller)
    html = client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
    card = html[html.index('id="history"') :]
    assert card.index("Cancelled") < card.index("Period opened") < card.index("Contract edited")
    assert "System" in card and "<ins>12.00</ins>" in card
