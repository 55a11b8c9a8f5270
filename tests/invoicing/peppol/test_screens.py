"""Screens: the e-invoice card on the invoice page, its download and re-send, the list badge, the
portal's XML download and the customer form's Peppol fields."""

import hashlib

import pytest
from django.urls import reverse

from invoicing.models import PeppolDocument
from tests.factories import CustomerFactory, UserFactory
from tests.invoicing.peppol.conftest import line

pytestmark = pytest.mark.django_db
Status = PeppolDocument.Status


@pytest.fixture
def failed_invoice(post_order, be_customer, taxes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        invoice = post_order(be_customer, [line("Consulting", "3", "95.00", taxes["21"])])
    PeppolDocument.objects.filter(invoice=invoice).update(
        status=Status.FAILED, attempts=5, status_message="The access point answered 422: unknown receiver"
    )
    return invoice


@pytest.mark.parametrize("who", ["accountant", "superuser"])
def test_invoice_page_shows_the_einvoice_and_resends_it(client, who, accountant_user, failed_invoice):
    user = accountant_user if who == "accountant" else UserFactory(username="page-root", is_superuser=True)
    client.force_login(user)
    url = reverse("invoicing:invoice_detail", args=[failed_invoice.pk])
    page = client.get(url).content.decode()
    assert "E-invoice" in page and "Failed" in page and "unknown receiver" in page
    assert reverse("invoicing:invoice_ubl", args=[failed_invoice.pk]) in page
    assert "Send again" in page

    download = client.get(reverse("invoicing:invoice_ubl", args=[failed_invoice.pk]))
    assert download["Content-Type"] == "application/xml"
    assert hashlib.sha256(download.content).hexdigest() == failed_invoice.peppol_document.xml_sha256

    client.post(reverse("invoicing:invoice_send_einvoice", args=[failed_invoice.pk]))
    document = PeppolDocument.objects.get(invoice=failed_invoice)
    assert document.status in (Status.QUEUED, Status.SENT)  # in-process Celery may have sent it

    listing = client.get(reverse("invoicing:invoice_list")).content.decode()
    assert "Peppol:" in listing


@pytest.mark.parametrize("role", ["agent", "sales"])
def test_ubl_download_and_resend_are_for_accounting(client, role, failed_invoice):
    client.force_login(UserFactory(username=f"ubl-{role}", roles=[role]))
    assert client.get(reverse("invoicing:invoice_ubl", args=[failed_invoice.pk])).status_code == 403
    assert (
        client.post(reverse("invoicing:invoice_send_einvoice", args=[failed_invoice.pk])).status_code == 403
    )
    assert PeppolDocument.objects.get(invoice=failed_invoice).status == Status.FAILED


def test_portal_contact_downloads_the_xml_of_own_invoices_only(client, failed_invoice, be_customer):
    contact = UserFactory(username="dupont-portal", roles=["customer"])
    be_customer.portal_users.add(contact)
    stranger = UserFactory(username="stranger-portal", roles=["customer"])
    CustomerFactory().portal_users.add(stranger)
    url = reverse("portal:invoice_ubl", args=[failed_invoice.pk])

    client.force_login(contact)
    assert url in client.get(reverse("portal:home")).content.decode()
    assert client.get(url).content.startswith(b"<?xml")
    client.force_login(stranger)
    assert client.get(url).status_code == 404


def test_customer_form_has_the_peppol_fields(client):
    client.force_login(UserFactory(username="form-sales", roles=["sales"]))
    page = client.get(reverse("sales:customer_create")).content.decode()
    assert 'name="delivery_channel"' in page and 'name="peppol_id"' in page
