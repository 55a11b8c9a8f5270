import datetime
from decimal import Decimal

import pytest

from contracts.models import Contract
from contracts.services import contract_create
from tests.factories import CustomerFactory, ProjectFactory, TimesheetLineFactory

BRUSSELS_MORNING = datetime.time(9, 0)


@pytest.fixture
def make_contract(seller, support_block):
    def make(**fields) -> Contract:
        values = {
            "user": seller,
            "customer": CustomerFactory(name="Globex"),
            "product": support_block,
            "hours_per_period": Decimal("10"),
            "start_date": datetime.date(2026, 1, 1),
            "period": Contract.Period.MONTH,
        }
        values.update(fields)
        return contract_create(**values)

    return make


@pytest.fixture
def log_hours():
    """log_hours(contract, day, hours): a timesheet line on the contract's period line of that day."""

    def log(contract: Contract, day: datetime.date, hours: str):
        period = contract.periods.filter(start__lte=day).order_by("-start").first()
        project = ProjectFactory(customer=contract.customer)
        return TimesheetLineFactory(
            date=day, hours=Decimal(hours), sale_line=period.order_line, project=project
        )

    return log
