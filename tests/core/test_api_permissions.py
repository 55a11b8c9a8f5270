"""Who may do what, role by role, and object-level visibility (404 for what one may not see).

These checks run before any service is called, so they hold whatever the billing engine does.
"""

import pytest

from invoicing.models import Invoice
from tests.factories import (
    CustomerFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    TaxFactory,
    TicketFactory,
    TimesheetLineFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# "superuser" is a real createsuperuser account (no group): it may do what any staff role may.
ROLES = ("agent", "sales", "accountant", "admin", "customer", "superuser")
STAFF = {"agent", "sales", "accountant", "admin"}


def _expect(allowed: set[str], role: str, ok: int = 200) -> int:
    if role == "superuser":
        return ok if allowed & STAFF else 403
    return ok if role in allowed else 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("path", "payload", "writers"),
    [
        ("/api/v1/taxes/", {"name": "T", "rate": "5"}, {"admin"}),
        ("/api/v1/customers/", {"name": "New customer"}, {"sales", "admin"}),
    ],
)
def test_create_access_per_role(client_for, users, role, path, payload, writers):
    response = client_for(users[role]).post(path, payload, format="json")
    assert response.status_code == _expect(writers, role, ok=201)


@pytest.mark.parametrize("role", ROLES)
def test_only_admin_creates_products(client_for, users, role):
    from tests.factories import uom

    payload = {"name": "P", "uom": uom("Hours").pk, "price": "1.00"}
    response = client_for(users[role]).post("/api/v1/products/", payload, format="json")
    assert response.status_code == _expect({"admin"}, role, ok=201)


def test_superuser_runs_sales_and_accounting_actions(client_for, users):
    line = OrderLineFactory(order=OrderFactory(salesperson=users["sales"]))
    client = client_for(users["superuser"])
    assert client.post(f"/api/v1/orders/{line.order_id}/confirm/").status_code == 200
    invoice = InvoiceFactory(customer=line.order.customer)
    InvoiceLineFactory(invoice=invoice)
    response = client.post(f"/api/v1/invoices/{invoice.pk}/post/")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "posted"


def test_unauthenticated_requests_get_401(api_client, db):
    for path in ("/api/v1/orders/", "/api/v1/invoices/", "/api/v1/timesheets/", "/api/v1/uoms/"):
        assert api_client.get(path).status_code == 401


def test_token_authentication_works_end_to_end(api_client, seller):
    response = api_client.post("/api/v1/auth/token/", {"username": seller.username, "password": "pass-1234"})
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api_client.get("/api/v1/orders/").status_code == 200


# --- Order actions are for sales ----------------------------------------------------------


@pytest.mark.parametrize("role", ("agent", "accountant", "admin"))
@pytest.mark.parametrize("verb", ("confirm", "lock", "cancel"))
def test_only_sales_run_order_actions(client_for, users, role, verb):
    order = OrderFactory()
    response = client_for(users[role]).post(f"/api/v1/orders/{order.pk}/{verb}/")
    assert response.status_code == 403


@pytest.mark.parametrize("role", ("agent", "admin", "customer"))
def test_agents_admins_and_customers_cannot_create_invoices_from_orders(
    client_for, users, portal_customer, role
):
    order = OrderFactory(customer=portal_customer)
    response = client_for(users[role]).post(f"/api/v1/orders/{order.pk}/invoice/", {"method": "regular"})
    assert response.status_code == 403


@pytest.mark.parametrize("role", ("agent", "accountant", "admin", "customer"))
def test_only_sales_create_and_edit_orders(client_for, users, portal_customer, role):
    order = OrderFactory(customer=portal_customer)
    client = client_for(users[role])
    assert client.post("/api/v1/orders/", {"customer": portal_customer.pk}, format="json").status_code == 403
    assert client.patch(f"/api/v1/orders/{order.pk}/", {"note": "x"}, format="json").status_code == 403


def test_orders_cannot_be_deleted_through_the_api(client_for, seller):
    order = OrderFactory()
    assert client_for(seller).delete(f"/api/v1/orders/{order.pk}/").status_code == 405


# --- Invoice actions are for accountants --------------------------------------------------


@pytest.mark.parametrize("role", ("sales", "admin", "customer"))
@pytest.mark.parametrize("verb", ("post", "cancel", "credit_note", "pay"))
def test_only_accountants_post_cancel_credit_and_pay(client_for, users, portal_customer, role, verb):
    invoice = InvoiceFactory(customer=portal_customer, state=Invoice.State.POSTED, number="INV/2026/00001")
    response = client_for(users[role]).post(
        f"/api/v1/invoices/{invoice.pk}/{verb}/", {"amount": "1.00", "date": "2026-11-01"}, format="json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize("role", ("sales", "admin", "customer"))
def test_only_accountants_edit_invoice_dates(client_for, users, portal_customer, role):
    invoice = InvoiceFactory(customer=portal_customer, state=Invoice.State.POSTED, number="INV/2026/00002")
    response = client_for(users[role]).patch(
        f"/api/v1/invoices/{invoice.pk}/", {"due_date": "2026-12-31"}, format="json"
    )
    assert response.status_code == 403


def test_agent_is_refused_every_invoice_endpoint(client_for, agent):
    invoice = InvoiceFactory(state=Invoice.State.POSTED, number="INV/2026/00003")
    client = client_for(agent)
    assert client.get("/api/v1/invoices/").status_code == 403
    assert client.get(f"/api/v1/invoices/{invoice.pk}/").status_code == 403
    assert client.get(f"/api/v1/invoices/{invoice.pk}/pdf/").status_code == 403
    assert client.post(f"/api/v1/invoices/{invoice.pk}/post/").status_code == 403


# --- Portal customers see only their own documents ----------------------------------------


def test_portal_user_lists_only_their_customers_orders(client_for, portal_customer, other_customer):
    mine = OrderFactory(customer=portal_customer)
    OrderFactory(customer=other_customer)
    response = client_for(portal_customer.contact).get("/api/v1/orders/")
    assert [o["id"] for o in response.json()["results"]] == [mine.pk]


def test_portal_user_gets_404_for_another_customers_order(client_for, portal_customer, other_customer):
    theirs = OrderFactory(customer=other_customer)
    client = client_for(portal_customer.contact)
    assert client.get(f"/api/v1/orders/{theirs.pk}/").status_code == 404


def test_portal_user_lists_only_their_posted_invoices(client_for, portal_customer, other_customer):
    mine = InvoiceFactory(customer=portal_customer, state=Invoice.State.POSTED, number="INV/2026/00010")
    InvoiceFactory(customer=portal_customer, state=Invoice.State.DRAFT)
    InvoiceFactory(customer=other_customer, state=Invoice.State.POSTED, number="INV/2026/00011")
    response = client_for(portal_customer.contact).get("/api/v1/invoices/")
    assert [i["id"] for i in response.json()["results"]] == [mine.pk]


def test_portal_user_gets_404_for_another_customers_invoice_and_its_pdf(
    client_for, portal_customer, other_customer
):
    theirs = InvoiceFactory(customer=other_customer, state=Invoice.State.POSTED, number="INV/2026/00012")
    client = client_for(portal_customer.contact)
    assert client.get(f"/api/v1/invoices/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/invoices/{theirs.pk}/pdf/").status_code == 404


def test_portal_user_of_two_customers_sees_both(client_for, portal_customer, other_customer):
    other_customer.portal_users.add(portal_customer.contact)
    OrderFactory(customer=portal_customer)
    OrderFactory(customer=other_customer)
    OrderFactory(customer=CustomerFactory())
    assert client_for(portal_customer.contact).get("/api/v1/orders/").json()["count"] == 2


def test_portal_user_reads_units_taxes_and_products_but_nothing_else(client_for, portal_customer):
    TaxFactory()
    ProductFactory()
    client = client_for(portal_customer.contact)
    for path in ("/api/v1/uoms/", "/api/v1/taxes/", "/api/v1/products/"):
        assert client.get(path).status_code == 200
    for path in ("/api/v1/customers/", "/api/v1/timesheets/"):
        assert client.get(path).status_code == 403


def test_user_without_any_role_is_refused(client_for, db):
    nobody = UserFactory(username="nobody")
    for path in ("/api/v1/orders/", "/api/v1/uoms/", "/api/v1/invoices/"):
        assert client_for(nobody).get(path).status_code == 403


# --- Timesheets: agents change only their own lines ---------------------------------------


def test_agent_cannot_change_or_delete_a_colleagues_line(client_for, agent):
    ticket = TicketFactory()
    ticket.team.members.add(agent)  # the colleague's line is on a ticket of the agent's team
    colleague_line = TimesheetLineFactory(ticket=ticket)
    client = client_for(agent)
    assert client.get(f"/api/v1/timesheets/{colleague_line.pk}/").status_code == 200
    response = client.patch(f"/api/v1/timesheets/{colleague_line.pk}/", {"hours": "2"}, format="json")
    assert response.status_code == 403
    assert client.delete(f"/api/v1/timesheets/{colleague_line.pk}/").status_code == 403


@pytest.mark.parametrize("role", ("sales", "accountant", "admin"))
def test_staff_read_timesheets_but_cannot_log_or_change_them(client_for, users, role):
    line = TimesheetLineFactory()
    client = client_for(users[role])
    assert client.get(f"/api/v1/timesheets/{line.pk}/").status_code == 200
    payload = {"date": "2026-11-02", "hours": "1.00", "project": line.project_id}
    # Admins log time, as in the browser (core.policy "timesheet.log"); nobody changes another's line.
    logged = client.post("/api/v1/timesheets/", payload, format="json").status_code
    assert logged == (201 if role == "admin" else 403)
    assert client.patch(f"/api/v1/timesheets/{line.pk}/", {"hours": "2"}, format="json").status_code == 403
    assert client.delete(f"/api/v1/timesheets/{line.pk}/").status_code == 403
