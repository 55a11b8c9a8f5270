"""Django admin: every registered model's list (and a record's page) opens for the admin role;
other roles are sent to the admin login."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from audit.models import AuditEvent
from invoicing.models import Invoice
from tests.factories import (
    ActivityFactory,
    AuditEventFactory,
    CustomerFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    OrderLineFactory,
    PaymentFactory,
    ProductFactory,
    SequenceFactory,
    StockMoveFactory,
    TaskMaterialFactory,
    TaxFactory,
    TicketFactory,
    TimerFactory,
    TimesheetLineFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda m: m._meta.label)
MODEL_IDS = [m._meta.label for m in REGISTERED]


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def one_of_everything(db):
    """At least one row of every registered model, linked the way the portal links them."""
    customer = CustomerFactory(name="Admin Test Customer")
    customer.portal_users.add(UserFactory(username="portal-contact", roles=["customer"]))
    tax = TaxFactory(rate=Decimal("21.000"))
    line = OrderLineFactory(order__customer=customer, product=ProductFactory(tax=tax))
    ticket = TicketFactory(customer=customer, sale_line=line)
    TimesheetLineFactory(ticket=ticket, project=ticket.team.project, sale_line=line)
    TimerFactory(ticket=ticket)
    TaskMaterialFactory()
    StockMoveFactory()
    ActivityFactory(order=line.order)
    invoice = InvoiceFactory(customer=customer, order=line.order, number="INV/2026/00001", state="posted")
    InvoiceLineFactory(invoice=invoice, sale_line=line)
    PaymentFactory(invoice=invoice)
    SequenceFactory(code="sale.order", year=0, prefix="SO")
    AuditEventFactory()
    Token.objects.create(user=UserFactory(username="api-user"))


def test_admin_role_is_staff(admin_staff):
    assert admin_staff.is_staff and not admin_staff.is_superuser


@pytest.mark.parametrize("model", REGISTERED, ids=MODEL_IDS)
def test_admin_role_opens_the_list_search_and_a_record_of_every_model(
    model, admin_staff_client, one_of_everything
):
    response = admin_staff_client.get(changelist_url(model))
    assert response.status_code == 200, model._meta.label
    if admin.site._registry[model].search_fields:
        assert admin_staff_client.get(changelist_url(model), {"q": "a"}).status_code == 200
    obj = admin.site._registry[model].get_queryset(response.wsgi_request).first()
    if obj is not None:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
        if model._meta.label == "authtoken.TokenProxy":  # DRF maps its admin URLs to the user id
            url = reverse("admin:authtoken_tokenproxy_change", args=[obj.user_id])
        assert admin_staff_client.get(url).status_code == 200, model._meta.label


@pytest.mark.parametrize("model", REGISTERED, ids=MODEL_IDS)
def test_agent_is_sent_to_the_admin_login(model, client, agent):
    client.force_login(agent)
    response = client.get(changelist_url(model))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_is_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_user_list_shows_roles_and_filters_by_role(admin_staff_client, agent, seller):
    response = admin_staff_client.get(reverse("admin:core_user_changelist"))
    content = response.content.decode()
    assert "roles" in content.lower()
    assert '<td class="field-role_list">agent</td>' in content
    sales_group_id = seller.groups.get().pk
    filtered = admin_staff_client.get(
        reverse("admin:core_user_changelist"), {"groups__id__exact": sales_group_id}
    )
    assert list(filtered.context["cl"].result_list) == [seller]


def test_product_list_shows_policy_unit_price_tax_and_threshold(admin_staff_client):
    ProductFactory(name="Support 50 h", price=Decimal("500.00"), tax=TaxFactory(), upsell_threshold=80)
    content = admin_staff_client.get(reverse("admin:sales_product_changelist")).content.decode()
    for column in ("field-type", "field-invoice_policy", "field-uom", "field-sale_price", "field-tax"):
        assert column in content
    assert "Prepaid / fixed price" in content
    assert "500.00 EUR" in content
    assert "80.00" in content


def test_posted_invoice_is_read_only_in_admin(admin_staff_client, admin_staff, one_of_everything):
    invoice = Invoice.objects.get(number="INV/2026/00001")
    url = reverse("admin:invoicing_invoice_change", args=[invoice.pk])
    page = admin_staff_client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    response = admin_staff_client.post(url, {"payment_reference": "changed"})
    assert response.status_code == 403
    invoice.refresh_from_db()
    assert invoice.payment_reference == ""


def test_audit_events_cannot_be_added_or_deleted_in_admin(admin_staff_client, one_of_everything):
    event = AuditEvent.objects.first()
    assert admin_staff_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert (
        admin_staff_client.post(
            reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_admin_changes_a_product_price(admin_staff_client):
    product = ProductFactory(name="Support block", price=Decimal("500.00"))
    url = reverse("admin:sales_product_change", args=[product.pk])
    data = {
        "name": product.name,
        "default_code": "",
        "description": "",
        "type": "service",
        "active": "on",
        "invoice_policy": "prepaid",
        "uom": product.uom_id,
        "price": "550.00",
        "tax": "",
        "upsell_threshold": "",
        "service_tracking": "none",
        "project": "",
        "qty_on_hand": "0",
    }
    response = admin_staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    product.refresh_from_db()
    assert product.price == Decimal("550.00")


def test_admin_role_gives_roles_but_cannot_make_anyone_superuser(admin_staff_client, admin_staff, agent):
    url = reverse("admin:core_user_change", args=[agent.pk])
    form = admin_staff_client.get(url).context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields
    sales_group = Group.objects.get(name="sales")
    data = {
        "username": agent.username,
        "first_name": agent.first_name,
        "last_name": agent.last_name,
        "email": agent.email,
        "is_active": "on",
        "is_superuser": "on",
        "groups": [sales_group.pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
    }
    response = admin_staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    agent.refresh_from_db()
    assert not agent.is_superuser
    assert agent.roles == ["sales"]


def changelist_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "model_label",
    ["core.User", "sales.Product", "sales.Order", "timesheets.TimesheetLine", "invoicing.Invoice"],
)
def test_admin_lists_do_not_query_per_row(admin_staff_client, model_label):
    def add_rows():
        customer = CustomerFactory()
        customer.portal_users.add(UserFactory(roles=["customer"]))
        line = OrderLineFactory(order__customer=customer, product=ProductFactory(tax=TaxFactory()))
        TimesheetLineFactory(sale_line=line, ticket=TicketFactory(customer=customer))
        InvoiceFactory(customer=customer, order=line.order)

    app_label, model_name = model_label.lower().split(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    add_rows()
    few = changelist_queries(admin_staff_client, url)
    for _ in range(4):
        add_rows()
    assert changelist_queries(admin_staff_client, url) == few
