"""Customer portal: a contact sees their customers' tickets, prepaid hours and posted
invoices, and nothing of any other customer (404)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing import services as invoicing_services
from invoicing.models import Invoice
from sales import services as sales_services
from tests.clock import TODAY, frozen_on
from tests.factories import (
    CustomerFactory,
    ProductFactory,
    TaxFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
    uom,
)
from timesheets import services as timesheet_services

pytestmark = [pytest.mark.django_db, frozen_on(TODAY)]


def confirmed_order(customer, seller, product, quantity, unit=None):
    order = sales_services.order_create(
        customer=customer,
        user=seller,
        lines=[{"product": product, "quantity": Decimal(quantity), "uom": unit}],
    )
    return sales_services.order_confirm(order=order, user=seller)


def log(ticket, agent, hours, line=None, day=TODAY):
    extra = {"sale_line": line} if line is not None else {}
    return timesheet_services.timesheet_log(
        employee=agent, user=agent, date=day, hours=Decimal(hours), ticket=ticket, **extra
    )


def posted_invoice(order, user):
    invoice = invoicing_services.invoice_create_from_order(order=order, user=user)
    return invoicing_services.invoice_post(invoice=invoice, user=user)


@pytest.fixture
def portal_world(customer_user, agent, other_seller, accountant):
    """Globex (the contact's customer) and Other Co, each with a prepaid block, tickets, an invoice."""
    tax = TaxFactory(rate=Decimal("21.000"))
    support = ProductFactory(name="Support 50 h", price=Decimal("500.00"), tax=tax)
    globex = CustomerFactory(name="Globex")
    globex.portal_users.add(customer_user)
    other = CustomerFactory(name="Other Co")
    team = TeamFactory(name="Care", members=[agent])

    g_order = confirmed_order(globex, other_seller, support, "50")
    g_line = g_order.lines.get()
    g_ticket = TicketFactory(title="VPN drops", team=team, customer=globex, sale_line=g_line)
    TicketFactory(title="Printer jam", team=team, customer=globex, sale_line=g_line)
    log(g_ticket, agent, "12.50")
    log(g_ticket, agent, "0.25")
    g_invoice = posted_invoice(g_order, accountant)

    o_order = confirmed_order(other, other_seller, support, "10")
    o_ticket = TicketFactory(
        title="Other secret ticket", team=team, customer=other, sale_line=o_order.lines.get()
    )
    log(o_ticket, agent, "2.00")
    o_invoice = posted_invoice(o_order, accountant)
    return {
        "globex": globex,
        "other": other,
        "team": team,
        "support": support,
        "g_invoice": g_invoice,
        "o_invoice": o_invoice,
        "g_order": g_order,
    }


@pytest.fixture
def portal_client(client, customer_user):
    client.force_login(customer_user)
    return client


def test_customer_sees_hours_sold_used_and_left_of_their_prepaid_block(portal_client, portal_world):
    response = portal_client.get(reverse("portal:home"))
    assert response.status_code == 200
    [line] = response.context["prepaid_lines"]
    assert (line.sold, line.used, line.left) == (Decimal("50.00"), Decimal("12.75"), Decimal("37.25"))
    assert line.order == portal_world["g_order"].name
    html = response.content.decode()
    assert "37.25 h" in html and "12.75 h" in html and "50.00 h" in html


def test_customer_sees_their_tickets_with_stage_and_not_others(portal_client, portal_world):
    html = portal_client.get(reverse("portal:home")).content.decode()
    assert "VPN drops" in html and "Printer jam" in html
    assert "New" in html
    assert "Other secret ticket" not in html


def test_customer_sees_their_posted_invoices_with_a_pdf_link_only(portal_client, portal_world, other_seller):
    draft = invoicing_services.invoice_create_from_order(
        order=confirmed_order(portal_world["globex"], other_seller, portal_world["support"], "5"),
        user=other_seller,
    )
    response = portal_client.get(reverse("portal:home"))
    invoices = list(response.context["invoices"])
    assert invoices == [portal_world["g_invoice"]]
    html = response.content.decode()
    assert portal_world["g_invoice"].number in html
    assert reverse("portal:invoice_pdf", args=[portal_world["g_invoice"].pk]) in html
    assert portal_world["o_invoice"].number not in html
    assert reverse("portal:invoice_pdf", args=[draft.pk]) not in html


def test_customer_downloads_the_pdf_of_their_posted_invoice(portal_client, portal_world):
    invoice = portal_world["g_invoice"]
    response = portal_client.get(reverse("portal:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    invoice.refresh_from_db()
    assert invoice.pdf_sha256
    # Served byte-identical every time.
    assert portal_client.get(reverse("portal:invoice_pdf", args=[invoice.pk])).content == response.content


def test_another_customers_invoice_is_404(portal_client, portal_world):
    response = portal_client.get(reverse("portal:invoice_pdf", args=[portal_world["o_invoice"].pk]))
    assert response.status_code == 404


def test_own_draft_invoice_and_unknown_ids_are_404(portal_client, portal_world, other_seller):
    draft = invoicing_services.invoice_create_from_order(
        order=confirmed_order(portal_world["globex"], other_seller, portal_world["support"], "5"),
        user=other_seller,
    )
    assert draft.state == Invoice.State.DRAFT
    assert portal_client.get(reverse("portal:invoice_pdf", args=[draft.pk])).status_code == 404
    assert portal_client.get(reverse("portal:invoice_pdf", args=[999999])).status_code == 404


def test_staff_cannot_use_the_portal(client, portal_world, accountant):
    client.force_login(accountant)
    assert client.get(reverse("portal:home")).status_code == 403
    assert client.get(reverse("portal:invoice_pdf", args=[portal_world["g_invoice"].pk])).status_code == 403


def test_anonymous_is_sent_to_login(client, portal_world):
    for url in (reverse("portal:home"), reverse("portal:invoice_pdf", args=[portal_world["g_invoice"].pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_contact_without_customer_is_told_so(client):
    client.force_login(UserFactory(username="lonely", roles=["customer"]))
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert b"not linked to a customer" in response.content


def test_over_consumed_block_shows_negative_hours_in_red(portal_client, portal_world, agent):
    ticket = portal_world["globex"].tickets.first()
    for days_ago in range(1, 4):  # earlier days: at most 24 h a day
        log(ticket, agent, "13.00", day=TODAY - datetime.timedelta(days=days_ago))
    html = portal_client.get(reverse("portal:home")).content.decode()
    assert "-1.75 h" in html
    assert 'class="num hours-left negative"' in html


def test_block_sold_in_days_shows_hours(portal_client, portal_world, other_seller, agent):
    days_block = ProductFactory(name="Support days", uom=uom("Days"), price=Decimal("800.00"))
    order = confirmed_order(portal_world["globex"], other_seller, days_block, "2")
    log(portal_world["globex"].tickets.first(), agent, "4.00", line=order.lines.get())
    lines = portal_client.get(reverse("portal:home")).context["prepaid_lines"]
    days_line = next(line for line in lines if line.order == order.name)
    assert (days_line.sold, days_line.used, days_line.left) == (
        Decimal("16.00"),
        Decimal("4.00"),
        Decimal("12.00"),
    )


@pytest.mark.parametrize("extra", [0, 6])
def test_portal_page_query_count_does_not_grow_with_data(
    portal_client, portal_world, other_seller, agent, accountant, extra, django_assert_num_queries
):
    for i in range(extra):
        order = confirmed_order(portal_world["globex"], other_seller, portal_world["support"], "10")
        ticket = TicketFactory(title=f"More {i}", team=portal_world["team"], customer=portal_world["globex"])
        log(ticket, agent, "1.00", line=order.lines.get())
        posted_invoice(order, accountant)
    # savepoint, session, user, roles, customers, prepaid lines, burn-down (hours before the
    # window, hours per day), tickets, invoices, portal teams (may the customer open a ticket?), release
    with django_assert_num_queries(12):
        response = portal_client.get(reverse("portal:home"))
    assert len(response.context["prepaid_lines"]) == 1 + extra
