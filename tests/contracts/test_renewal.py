"""Contract renewal on real PostgreSQL: periods, orders, invoices, rollover, overage, expiry."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from contracts.models import Contract
from contracts.selectors import contract_balance, contract_ledger
from contracts.services import contract_cancel, contract_renew, contracts_renew
from contracts.tasks import renew_contracts_task
from invoicing.models import Invoice
from sales.models import Order
from upsell.models import Activity

pytestmark = pytest.mark.django_db

D = Decimal
JAN_1 = datetime.date(2026, 1, 1)


def at(day: datetime.date, hour: int = 9):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=datetime.UTC), tick=False
    )


def figures(contract):
    return [
        (f.start, f.sold, f.rolled_over, f.used, f.expired, f.overage)
        for f in contract_ledger(contract=contract)
    ]


def test_creating_a_started_contract_opens_its_period_with_a_confirmed_line_and_an_invoice(make_contract):
    with at(JAN_1):
        contract = make_contract()
    period = contract.periods.get()
    assert (period.start, period.end, period.sold) == (JAN_1, datetime.date(2026, 1, 31), D("10.00"))
    line = period.order_line
    assert line.order.state == Order.State.SALE
    assert line.order.order_date == JAN_1
    assert (line.quantity, line.uom.name, line.invoice_policy, line.price_unit) == (
        D("10.00"),
        "Hours",
        "prepaid",
        D("100.00"),
    )
    assert period.invoice.state == Invoice.State.DRAFT
    assert period.invoice.amount_untaxed == D("1000.00")


def test_a_contract_starting_later_opens_nothing_until_its_first_day(make_contract):
    with at(datetime.date(2025, 12, 20)):
        contract = make_contract()
    assert contract.periods.count() == 0
    assert contracts_renew(day=datetime.date(2025, 12, 31)).opened == 0
    assert contracts_renew(day=JAN_1).opened == 1


def test_renewal_happens_on_the_first_day_of_the_period_not_the_last_day_before(make_contract):
    with at(JAN_1):
        contract = make_contract()
    assert contracts_renew(day=datetime.date(2026, 1, 31)).opened == 0
    result = contracts_renew(day=datetime.date(2026, 2, 1))
    assert (result.opened, result.closed) == (1, 1)
    assert [p.start for p in contract.periods.all()] == [JAN_1, datetime.date(2026, 2, 1)]


def test_running_the_same_day_twice_creates_one_period(make_contract):
    with at(JAN_1):
        contract = make_contract()
    feb = datetime.date(2026, 2, 1)
    contracts_renew(day=feb)
    again = contracts_renew(day=feb)
    assert (again.opened, again.closed) == (0, 0)
    assert contract.periods.count() == 2
    assert Order.objects.filter(customer=contract.customer).count() == 2


def test_the_beat_job_renews_on_the_local_day_of_the_portal_time_zone(make_contract, settings):
    settings.TIME_ZONE = "Europe/Brussels"
    with at(JAN_1):
        contract = make_contract()
    # 31 January 23:30 UTC is already 1 February 00:30 in Brussels.
    with time_machine.travel(datetime.datetime(2026, 1, 31, 23, 30, tzinfo=datetime.UTC), tick=False):
        result = renew_contracts_task()
    assert result == {"day": "2026-02-01", "opened": 1, "closed": 1}
    assert contract.periods.count() == 2
    # 22:30 UTC on 31 January is 23:30 in Brussels: still January, nothing to do.
    with at(JAN_1):
        other = make_contract()
    with time_machine.travel(datetime.datetime(2026, 1, 31, 22, 30, tzinfo=datetime.UTC), tick=False):
        renew_contracts_task()
    assert other.periods.count() == 1


def test_a_month_without_work_expires_its_hours_without_rollover(make_contract):
    with at(JAN_1):
        contract = make_contract()
    contracts_renew(day=datetime.date(2026, 2, 1))
    jan = contract.periods.get(start=JAN_1)
    assert (jan.used, jan.expired, jan.overage, jan.closed_at is not None) == (D("0"), D("10"), D("0"), True)
    assert jan.order_line.order.state == Order.State.DONE  # no upsell flag, no ticket default any more
    assert figures(contract)[1] == (datetime.date(2026, 2, 1), D("10"), D("0"), D("0"), D("0"), D("0"))


def test_rollover_and_expiry_of_the_oldest_hours(make_contract, log_hours):
    with at(JAN_1):
        contract = make_contract(rollover="capped", rollover_cap_hours=D("8"), rollover_expiry_periods=1)
    log_hours(contract, datetime.date(2026, 1, 20), "4")
    contracts_renew(day=datetime.date(2026, 2, 1))
    log_hours(contract, datetime.date(2026, 2, 10), "3")
    contracts_renew(day=datetime.date(2026, 3, 1))
    assert figures(contract) == [
        (JAN_1, D("10"), D("0"), D("4"), D("0"), D("0")),
        # February used 3 of January's 6 rolled-over hours first; January's other 3 expire after
        # one period, and February's own 10 are capped at 8: 5 h expire.
        (datetime.date(2026, 2, 1), D("10"), D("6"), D("3"), D("5"), D("0")),
        (datetime.date(2026, 3, 1), D("10"), D("8"), D("0"), D("0"), D("0")),
    ]
    assert contract_balance(ledger=contract_ledger(contract=contract)) == D("18")


def test_a_month_over_the_balance_bills_the_overage_at_the_contract_rate(make_contract, log_hours):
    with at(JAN_1):
        contract = make_contract(overage="rate", overage_rate=D("90.00"))
    log_hours(contract, datetime.date(2026, 1, 5), "8")
    log_hours(contract, datetime.date(2026, 1, 28), "4.25")
    contracts_renew(day=datetime.date(2026, 2, 1))
    jan = contract.periods.get(start=JAN_1)
    assert (jan.used, jan.overage) == (D("12.25"), D("2.25"))
    line = jan.overage_line
    assert (line.quantity, line.qty_delivered, line.price_unit, line.price_subtotal) == (
        D("2.25"),
        D("2.25"),
        D("90.00"),
        D("202.50"),
    )
    overage_invoice = Invoice.objects.get(lines__sale_line=line)
    assert overage_invoice.amount_untaxed == D("202.50")
    assert overage_invoice != jan.invoice
    # The next period starts from zero: the overage is billed, not carried as a debt.
    assert figures(contract)[1][2] == D("0")


def test_a_month_over_the_balance_flags_an_upsell_once(make_contract, log_hours, seller):
    with at(JAN_1):
        contract = make_contract(overage="upsell")
    log_hours(contract, datetime.date(2026, 1, 5), "11.5")
    contracts_renew(day=datetime.date(2026, 2, 1))
    contracts_renew(day=datetime.date(2026, 2, 2))
    activity = Activity.objects.get(kind=Activity.Kind.UPSELL)
    assert activity.user == seller
    assert "1.50 h past the contract balance" in activity.summary
    assert contract.periods.get(start=JAN_1).overage_line is None


def test_time_logged_late_on_a_closed_month_counts_toward_the_next_close(make_contract, log_hours):
    with at(JAN_1):
        contract = make_contract(rollover="unlimited")
    contracts_renew(day=datetime.date(2026, 2, 1))
    log_hours(contract, datetime.date(2026, 1, 30), "2")  # entered after January was closed
    assert figures(contract)[1][3] == D("2")
    contracts_renew(day=datetime.date(2026, 3, 1))
    assert contract.periods.get(start=datetime.date(2026, 2, 1)).used == D("2")


def test_the_end_date_stops_renewals_and_ends_the_contract(make_contract):
    with at(JAN_1):
        contract = make_contract(end_date=datetime.date(2026, 2, 15))
    contracts_renew(day=datetime.date(2026, 2, 1))
    feb = contract.periods.get(start=datetime.date(2026, 2, 1))
    assert feb.end == datetime.date(2026, 2, 15)
    contracts_renew(day=datetime.date(2026, 3, 1))
    contract.refresh_from_db()
    assert contract.periods.count() == 2
    assert contract.state == Contract.State.ENDED


def test_cancelling_stops_renewals_but_closes_the_current_period(make_contract, seller):
    with at(JAN_1):
        contract = make_contract()
    contract_cancel(contract=contract, user=seller)
    contracts_renew(day=datetime.date(2026, 2, 1))
    assert contract.periods.count() == 1
    assert contract.periods.get().closed_at is not None
    assert contract.state == Contract.State.CANCELLED


def test_a_late_run_catches_up_every_missed_period(make_contract):
    with at(JAN_1):
        contract = make_contract()
    result = contract_renew(contract=contract, day=datetime.date(2026, 4, 3))
    assert (result.opened, result.closed) == (3, 3)
    assert contract.periods.filter(closed_at__isnull=True).get().start == datetime.date(2026, 4, 1)


def test_the_management_command_runs_the_period_start_for_a_given_day(make_contract, capsys):
    with at(JAN_1):
        contract = make_contract()
    call_command("renew_contracts", "--date", "2026-02-01")
    assert "opened 1 period(s), closed 1 period(s)" in capsys.readouterr().out
    assert contract.periods.count() == 2


def test_the_readme_example_from_january_to_april(make_contract, log_hours):
    with at(JAN_1):
        contract = make_contract(
            rollover="capped",
            rollover_cap_hours=D("8"),
            rollover_expiry_periods=1,
            overage="rate",
            overage_rate=D("90.00"),
        )
    log_hours(contract, datetime.date(2026, 1, 20), "4")
    contracts_renew(day=datetime.date(2026, 2, 1))
    log_hours(contract, datetime.date(2026, 2, 10), "3")
    contracts_renew(day=datetime.date(2026, 3, 1))
    for day in (2, 9, 16):
        log_hours(contract, datetime.date(2026, 3, day), "6")
    log_hours(contract, datetime.date(2026, 3, 23), "2")
    contracts_renew(day=datetime.date(2026, 4, 1))
    ledger = contract_ledger(contract=contract)
    assert [(f.sold, f.rolled_over, f.used, f.expired, f.overage, f.balance) for f in ledger] == [
        (D("10"), D("0"), D("4"), D("0"), D("0"), D("6")),
        (D("10"), D("6"), D("3"), D("5"), D("0"), D("8")),
        (D("10"), D("8"), D("20"), D("0"), D("2"), D("0")),
        (D("10"), D("0"), D("0"), D("0"), D("0"), D("10")),
    ]
    march = contract.periods.get(start=datetime.date(2026, 3, 1))
    assert march.overage_line.price_subtotal == D("180.00")
