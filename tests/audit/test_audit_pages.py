"""The History card on the order, invoice, ticket and task pages; the read-only admin; nothing
of it in the customer portal."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audit import services as audit
from audit.models import AuditEvent
from invoicing import services as inv
from sales import services as sales
from tests.clock import TODAY, frozen_on
from tests.factories import TaskFactory, UserFactory
from timesheets import services as ts

pytestmark = [pytest.mark.django_db, frozen_on(TODAY)]

D = Decimal


def history_of(response) -> str:
    html = response.content.decode()
    assert response.status_code == 200
    start = html.index('id="history"')
    return html[start : html.index("</section>", start)]


def test_order_page_shows_its_history_newest_first(client, make_order, prepaid_product, seller):
    order, line = make_order(prepaid_product, "50", confirm=False)
    sales.order_line_update(line=line, user=seller, quantity=D("60"))
    sales.order_confirm(order=order, user=seller)
    client.force_login(seller)
    card = history_of(client.get(reverse("sales:order_detail", args=[order.pk])))
    assert card.index("Confirmed") < card.index("Line edited") < card.index("Quotation created")
    assert "<del>50.00</del>" in card and "<ins>60.00</ins>" in card
    assert "<del>draft</del>" in card and "<ins>sale</ins>" in card
    assert "seller" in card


def test_invoice_page_shows_posting_and_payment(client, make_order, prepaid_product, seller, accountant):
    order, _ = make_order(prepaid_product, "2")
    invoice = inv.invoice_post(invoice=inv.invoice_create_from_order(order=order, user=seller), user=seller)
    inv.invoice_register_payment(invoice=invoice, amount=D("250.50"), date=TODAY, user=accountant)
    client.force_login(accountant)
    card = history_of(client.get(reverse("invoicing:invoice_detail", args=[invoice.pk])))
    assert card.index("Payment registered") < card.index("Posted") < card.index("Draft created")
    assert "<ins>250.50</ins>" in card and f"<ins>{invoice.number}</ins>" in card
    assert "accountant" in card


def test_ticket_page_shows_its_timesheet_lines_history(client, ticket, agent):
    line = ts.timesheet_log(employee=agent, user=agent, date=TODAY, hours=D("1.5"), ticket=ticket)
    ts.timesheet_update(line=line, user=agent, hours=D("2.25"))
    ts.timesheet_delete(line=line, user=agent)
    client.force_login(agent)
    card = history_of(client.get(reverse("helpdesk:ticket_detail", args=[ticket.pk])))
    assert card.index("Time line deleted") < card.index("Time line edited") < card.index("Time logged")
    assert "<del>1.50</del>" in card and "<ins>2.25</ins>" in card


def test_task_page_shows_its_timesheet_lines_history(client, project, agent):
    task = TaskFactory(project=project, title="Install the printer")
    ts.timesheet_log(employee=agent, user=agent, date=TODAY, hours=D("3"), task=task, project=project)
    client.force_login(agent)
    card = history_of(client.get(reverse("projects:task_detail", args=[task.pk])))
    assert "Time logged" in card and "<ins>3.00</ins>" in card


def test_system_actions_show_as_system(client, make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "1")
    audit.record(actor=None, action="order.upsell_flag", obj=order)
    client.force_login(seller)
    card = history_of(client.get(reverse("sales:order_detail", args=[order.pk])))
    assert "Upsell flag" in card and "System" in card


def test_history_card_is_capped_with_a_link_to_the_admin(client, make_order, prepaid_product, admin_user):
    order, _ = make_order(prepaid_product, "1")
    audit.record_many(actor=None, action="order.test", entries=[{"obj": order}] * 25)
    client.force_login(admin_user)
    card = history_of(client.get(reverse("sales:order_detail", args=[order.pk])))
    assert card.count('class="history-event"') == 20
    assert f"object_type=sales.order&amp;object_id={order.pk}" in card


def test_admin_lists_events_read_only_and_filters_them(client, make_order, prepaid_product, seller):
    order, _ = make_order(prepaid_product, "1")
    event = AuditEvent.objects.get(action="order.sale", object_id=order.pk)
    admin_role = UserFactory(username="auditor", roles=["admin"], is_staff=True)
    client.force_login(admin_role)
    changelist = reverse("admin:audit_auditevent_changelist")
    page = client.get(changelist, {"action": "order.sale"})
    assert page.status_code == 200 and order.name in page.content.decode()
    assert client.get(changelist, {"object_type": "sales.order", "object_id": order.pk}).status_code == 200
    detail = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200 and b'name="_save"' not in detail.content
    assert b"draft" in detail.content and b"sale" in detail.content
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {}).status_code == 403
    delete = client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk, action="order.sale").exists()


def test_a_portal_customer_never_sees_the_internal_history(
    client, customer, ticket, agent, make_order, prepaid_product, seller
):
    order, _ = make_order(prepaid_product, "2")
    inv.invoice_post(invoice=inv.invoice_create_from_order(order=order, user=seller), user=seller)
    ts.timesheet_log(employee=agent, user=agent, date=TODAY, hours=D("1"), ticket=ticket, description="x")
    contact = UserFactory(username="contact", roles=["customer"])
    customer.portal_users.add(contact)
    client.force_login(contact)
    for url in (reverse("portal:home"), reverse("portal:ticket_detail", args=[ticket.pk])):
        html = client.get(url).content.decode()
        assert 'id="history"' not in html
        assert "Time logged" not in html and "seller" not in html
    for url in (
        reverse("sales:order_detail", args=[order.pk]),
        reverse("helpdesk:ticket_detail", args=[ticket.pk]),
        reverse("admin:audit_auditevent_changelist"),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403, 404)
        assert b'id="history"' not in response.content
