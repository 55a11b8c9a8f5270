"""Order actions through the engine: create, lines add/edit/delete, confirm, lock, cancel."""

from decimal import Decimal

import pytest
from django.urls import reverse

from sales import services
from sales.models import Order
from tests.factories import CustomerFactory, ProductFactory, TaxFactory, uom

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.fixture
def tax():
    return TaxFactory(rate=Decimal("21.000"))


@pytest.fixture
def timesheet_quotation(seller, tax):
    customer = CustomerFactory(name="Wayne Enterprises")
    product = ProductFactory(name="Service on Timesheets", timesheet=True, tax=tax)
    return services.order_create(
        customer=customer, user=seller, lines=[{"product": product, "quantity": Decimal("10")}]
    )


def test_sales_creates_a_quotation_and_lands_on_its_form(client, seller):
    customer = CustomerFactory(name="Stark Industries")
    client.force_login(seller)
    response = client.post(
        reverse("sales:order_create"),
        {
            "customer": customer.pk,
            "salesperson": seller.pk,
            "order_date": "2026-11-20",
            "client_reference": "PO-42",
        },
    )
    order = Order.objects.get(customer=customer)
    assert response.status_code == 302 and response["Location"] == reverse(
        "sales:order_detail", args=[order.pk]
    )
    assert order.name.startswith("SO") and order.state == "draft" and order.client_reference == "PO-42"


def test_quotation_form_errors_are_shown(client, seller):
    client.force_login(seller)
    response = client.post(reverse("sales:order_create"), {"customer": "", "order_date": "32/13/2026"})
    html = response.content.decode()
    assert response.status_code == 200 and "This field is required" in html
    assert "Enter a date as YYYY-MM-DD" in html
    assert not Order.objects.exists()


def test_add_a_line_with_htmx_updates_lines_and_totals(client, seller, timesheet_quotation, tax):
    product = ProductFactory(name="Onboarding", price=Decimal("250.00"), tax=tax, uom=uom("Units"))
    client.force_login(seller)
    response = client.post(
        reverse("sales:order_line_save", args=[timesheet_quotation.pk]),
        {
            "key": "new",
            "product": product.pk,
            "description": "Onboarding day",
            "quantity": "2",
            "uom": uom("Units").pk,
            "price_unit": "250.00",
            "discount": "0",
            "tax": tax.pk,
        },
        headers=HX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="order-lines"' in html and "Onboarding day" in html
    timesheet_quotation.refresh_from_db()
    assert timesheet_quotation.lines.count() == 2
    assert timesheet_quotation.amount_untaxed == Decimal(
        "1500.00"
    ) and timesheet_quotation.amount_total == Decimal("1815.00")
    assert "1,815.00" in html


def test_unit_of_the_wrong_category_is_refused_next_to_the_unit(client, seller, timesheet_quotation, tax):
    product = ProductFactory(name="Hours product", tax=tax)
    client.force_login(seller)
    response = client.post(
        reverse("sales:order_line_save", args=[timesheet_quotation.pk]),
        {"key": "new", "product": product.pk, "quantity": "2", "uom": uom("Units").pk, "price_unit": "10"},
        headers=HX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="line-row-new"' in html and 'class="error"' in html
    assert timesheet_quotation.lines.count() == 1


def test_edit_and_delete_a_line_of_a_draft(client, seller, timesheet_quotation, tax):
    line = timesheet_quotation.lines.get()
    client.force_login(seller)
    form = client.get(
        reverse("sales:order_line_form", args=[timesheet_quotation.pk]), {"line": line.pk}, headers=HX
    )
    assert f'id="line-row-{line.pk}"' in form.content.decode()
    client.post(
        reverse("sales:order_line_save", args=[timesheet_quotation.pk]),
        {
            "key": line.pk,
            "product": line.product_id,
            "description": "Support",
            "quantity": "12",
            "uom": line.uom_id,
            "price_unit": "100",
            "discount": "10",
            "tax": tax.pk,
        },
        headers=HX,
    )
    line.refresh_from_db()
    assert line.quantity == Decimal("12.00") and line.price_subtotal == Decimal("1080.00")
    client.post(reverse("sales:order_line_delete", args=[timesheet_quotation.pk, line.pk]), headers=HX)
    assert not timesheet_quotation.lines.exists()


def test_confirm_then_lines_show_delivery_columns_and_no_more_editing(client, seller, timesheet_quotation):
    client.force_login(seller)
    response = client.post(reverse("sales:order_confirm", args=[timesheet_quotation.pk]), follow=True)
    html = response.content.decode()
    timesheet_quotation.refresh_from_db()
    assert timesheet_quotation.state == "sale" and f"{timesheet_quotation.name} confirmed" in html
    for column in ("Ordered", "Delivered", "Invoiced", "To invoice", "Remaining hours"):
        assert column in html
    assert "Create invoice" in html and ">Edit<" not in html
    line = timesheet_quotation.lines.get()
    url = reverse("sales:order_line_form", args=[timesheet_quotation.pk]) + f"?line={line.pk}"
    assert client.get(url).status_code == 403


def test_confirming_twice_shows_the_engine_message(client, seller, timesheet_quotation):
    client.force_login(seller)
    client.post(reverse("sales:order_confirm", args=[timesheet_quotation.pk]))
    response = client.post(reverse("sales:order_confirm", args=[timesheet_quotation.pk]), follow=True)
    assert response.status_code == 200 and 'class="msg msg-error"' in response.content.decode()


def test_confirming_a_quotation_without_lines_says_why_and_keeps_it(client, seller):
    empty = services.order_create(customer=CustomerFactory(name="Empty Inc"), user=seller, lines=[])
    client.force_login(seller)
    response = client.post(reverse("sales:order_confirm", args=[empty.pk]), follow=True)
    html = response.content.decode()
    assert 'class="msg msg-error"' in html
    assert f"Quotation {empty.name} has no lines: add at least one line before confirming it." in html
    empty.refresh_from_db()
    assert empty.state == Order.State.DRAFT


def test_lock_and_cancel(client, seller, timesheet_quotation, tax):
    client.force_login(seller)
    client.post(reverse("sales:order_confirm", args=[timesheet_quotation.pk]))
    client.post(reverse("sales:order_lock", args=[timesheet_quotation.pk]))
    timesheet_quotation.refresh_from_db()
    assert timesheet_quotation.state == "done"
    other = services.order_create(customer=timesheet_quotation.customer, user=seller)
    client.post(reverse("sales:order_cancel", args=[other.pk]))
    other.refresh_from_db()
    assert other.state == "cancel"


def test_prepaid_remaining_hours_are_red_when_over_consumed(client, seller, agent, tax):
    from tests.factories import ProjectFactory
    from timesheets.services import timesheet_log

    customer = CustomerFactory()
    block = ProductFactory(name="Prepaid 2 h", tax=tax)
    order = services.order_create(customer=customer, user=seller, lines=[{"product": block, "quantity": 2}])
    services.order_confirm(order=order, user=seller)
    line = order.lines.get()
    project = ProjectFactory(customer=customer)
    timesheet_log(
        employee=agent, date=order.order_date, hours=Decimal("3"), user=agent, project=project, sale_line=line
    )
    client.force_login(seller)
    html = client.get(reverse("sales:order_detail", args=[order.pk])).content.decode()
    assert 'class="num negative">-1.00<' in html
    detail = client.get(reverse("sales:customer_detail", args=[customer.pk])).content.decode()
    assert "Sold <strong>2.00</strong>" in detail and "Used <strong>3.00</strong>" in detail
    assert 'class="negative">-1.00</strong>' in detail


@pytest.mark.parametrize("size", [2, 12])
def test_confirmed_order_detail_query_count_does_not_grow_with_lines(
    client, seller, tax, django_assert_max_num_queries, size
):
    customer = CustomerFactory()
    product = ProductFactory(tax=tax)
    order = services.order_create(
        customer=customer, user=seller, lines=[{"product": product, "quantity": 5} for _ in range(size)]
    )
    services.order_confirm(order=order, user=seller)
    client.force_login(seller)
    client.get(reverse("sales:order_detail", args=[order.pk]))
    with django_assert_max_num_queries(17):  # 16 + the History card
        assert client.get(reverse("sales:order_detail", args=[order.pk])).status_code == 200


def test_confirmed_order_links_its_tickets_tasks_timesheets_and_invoices(
    client, seller, agent, timesheet_quotation
):
    from invoicing.services import invoice_create_from_order
    from tests.factories import ProjectFactory, TaskFactory, TicketFactory
    from timesheets.services import timesheet_log

    services.order_confirm(order=timesheet_quotation, user=seller)
    line = timesheet_quotation.lines.get()
    ticket = TicketFactory(customer=timesheet_quotation.customer, sale_line=line, title="Mail is down")
    task = TaskFactory(
        project=ProjectFactory(customer=timesheet_quotation.customer), sale_line=line, title="Migrate"
    )
    timesheet_log(
        employee=agent,
        date=timesheet_quotation.order_date,
        hours=Decimal("1.5"),
        user=agent,
        project=task.project,
        task=task,
        sale_line=line,
        description="Fixed MX",
    )
    invoice = invoice_create_from_order(order=timesheet_quotation, user=seller)
    client.force_login(seller)
    html = client.get(reverse("sales:order_detail", args=[timesheet_quotation.pk])).content.decode()
    assert f'href="{reverse("helpdesk:ticket_detail", args=[ticket.pk])}"' in html
    assert f'href="{reverse("projects:task_detail", args=[task.pk])}"' in html
    assert f'href="{reverse("invoicing:invoice_detail", args=[invoice.pk])}"' in html
    assert "Fixed MX" in html and "1 line, 1.50 h" in html
