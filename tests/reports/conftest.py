"""A small known data set for the reports, built through the services, on a frozen day.

Figures the tests expect are worked out by hand in each test from this story:

Globex (payment term 30 days)
- SO-A prepaid support 10 h × 500.00 (VAT 21 %), ordered 2026-09-01; INV1 dated 2026-09-01
  (due 2026-10-01): 5 000.00 + 1 050.00 = 6 050.00, 2 000.00 paid on 2026-10-15.
- SO-B time and material 100.00/h, ordered 2026-09-15; INV2 for October dated 2026-11-01
  (due 2026-12-01): 3.75 h = 375.00 + 78.75 = 453.75, unpaid.
Initech (payment term 15 days)
- SO-C time and material 100.00/h, ordered 2026-10-01; nothing invoiced.
- SO-D prepaid 2 h × 500.00 ordered 2026-07-10; INV3 dated 2026-07-15 (due 2026-07-30):
  1 000.00 + 210.00 = 1 210.00, fully credited by RINV1 on 2026-11-23 (today).
- SO-E prepaid 1 h × 500.00 ordered 2026-09-25; INV4 dated 2026-10-01 (due 2026-10-16):
  500.00 + 105.00 = 605.00, 100.00 paid on 2026-11-01.
Hours (ana and bob are agents)
- ana 2026-09-10 3.00 h Globex SO-A (prepaid)        - bob 2026-10-20 1.25 h Globex SO-B (INV2)
- ana 2026-10-05 2.50 h Globex SO-B (INV2)           - bob 2026-11-03 4.00 h Globex SO-B (unbilled)
- ana 2026-11-10 1.50 h Initech SO-C (unbilled)      - bob 2026-11-12 0.75 h internal (not billable)
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from invoicing import services as invoicing
from sales import services as sales
from tests.clock import on_day
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory, TaxFactory, UserFactory
from timesheets.services import timesheet_log

TODAY = datetime.date(2026, 11, 23)
D = Decimal


@pytest.fixture(autouse=True)
def _report_day():
    with on_day(TODAY):
        yield


@dataclass
class Story:
    globex: object
    initech: object
    ana: object
    bob: object
    orders: dict
    invoices: dict

    @property
    def orders_by_id(self) -> dict:
        return {order.pk: order for order in self.orders.values()}


def _order(customer, product, quantity, *, day, user):
    order = sales.order_create(
        customer=customer, user=user, order_date=day, lines=[{"product": product, "quantity": D(quantity)}]
    )
    sales.order_confirm(order=order, user=user)
    return order, order.lines.get()


def _invoice(order, *, day, user, **period):
    invoice = invoicing.invoice_create_from_order(order=order, user=user, **period)
    invoicing.invoice_update(invoice=invoice, user=user, invoice_date=day)
    return invoicing.invoice_post(invoice=invoice, user=user)


@pytest.fixture
def story(db, seller, accountant):
    vat = TaxFactory(name="VAT 21%", rate=D("21.000"))
    prepaid = ProductFactory(name="Prepaid support", price=D("500.00"), tax=vat)
    hourly = ProductFactory(name="Service on Timesheets", timesheet=True, price=D("100.00"), tax=vat)
    globex = CustomerFactory(name="Globex", payment_term_days=30)
    initech = CustomerFactory(name="Initech", payment_term_days=15)
    ana = UserFactory(username="ana", first_name="Ana", last_name="Agent", roles=["agent"])
    bob = UserFactory(username="bob", first_name="Bob", last_name="Builder", roles=["agent"])
    globex_project = ProjectFactory(name="Globex support", customer=globex)
    initech_project = ProjectFactory(name="Initech support", customer=initech)
    internal = ProjectFactory(name="Internal", customer=None, billable=False)

    so_a, a_line = _order(globex, prepaid, "10", day=datetime.date(2026, 9, 1), user=seller)
    so_b, b_line = _order(globex, hourly, "0", day=datetime.date(2026, 9, 15), user=seller)
    so_c, c_line = _order(initech, hourly, "0", day=datetime.date(2026, 10, 1), user=seller)
    so_d, _ = _order(initech, prepaid, "2", day=datetime.date(2026, 7, 10), user=seller)
    so_e, _ = _order(initech, prepaid, "1", day=datetime.date(2026, 9, 25), user=seller)

    for employee, day, hours, project, line in [
        (ana, (2026, 9, 10), "3.00", globex_project, a_line),
        (ana, (2026, 10, 5), "2.50", globex_project, b_line),
        (bob, (2026, 10, 20), "1.25", globex_project, b_line),
        (bob, (2026, 11, 3), "4.00", globex_project, b_line),
        (ana, (2026, 11, 10), "1.50", initech_project, c_line),
        (bob, (2026, 11, 12), "0.75", internal, None),
    ]:
        timesheet_log(
            employee=employee,
            user=employee,
            date=datetime.date(*day),
            hours=D(hours),
            project=project,
            sale_line=line,
        )

    orders = {"A": so_a, "B": so_b, "C": so_c, "D": so_d, "E": so_e}
    return Story(
        globex=globex,
        initech=initech,
        ana=ana,
        bob=bob,
        orders=orders,
        invoices=_invoices_and_payments(orders, accountant),
    )


def _invoices_and_payments(orders, accountant) -> dict:
    """INV1..INV4, the credit note RINV1 of INV3 and the two payments of the story above."""
    inv1 = _invoice(orders["A"], day=datetime.date(2026, 9, 1), user=accountant)
    inv2 = _invoice(
        orders["B"],
        day=datetime.date(2026, 11, 1),
        user=accountant,
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
    )
    inv3 = _invoice(orders["D"], day=datetime.date(2026, 7, 15), user=accountant)
    inv4 = _invoice(orders["E"], day=datetime.date(2026, 10, 1), user=accountant)
    rinv1 = invoicing.invoice_credit_note(invoice=inv3, user=accountant)
    invoicing.invoice_register_payment(
        invoice=inv1, amount=D("2000.00"), date=datetime.date(2026, 10, 15), user=accountant
    )
    invoicing.invoice_register_payment(
        invoice=inv4, amount=D("100.00"), date=datetime.date(2026, 11, 1), user=accountant
    )
    return {"INV1": inv1, "INV2": inv2, "INV3": inv3, "INV4": inv4, "RINV1": rinv1}
