"""Bad Peppol data is refused field by field; the UBL download and the Peppol fields of the API."""

import hashlib

import pytest
from django.urls import reverse

from invoicing import services as invoicing
from invoicing.models import Invoice, PeppolDocument
from invoicing.peppol.references import is_structured_communication, structured_communication
from sales import services as sales
from sales.identifiers import belgian_enterprise_number, peppol_id_from_vat, peppol_id_problem
from sales.models import Customer
from tests.factories import CustomerFactory, UserFactory
from tests.invoicing.peppol.conftest import TODAY, line, valid_be_vat, with_documents

pytestmark = pytest.mark.django_db


def test_structured_communication_is_modulo_97():
    assert structured_communication("1234567890") == "+++123/4567/89002+++"  # SPEC's example
    assert structured_communication("0000000097") == "+++000/0000/09797+++"  # remainder 0 → 97
    assert is_structured_communication("+++123/4567/89002+++")
    assert not is_structured_communication("+++123/4567/89003+++")


def test_belgian_enterprise_numbers_and_peppol_ids():
    assert belgian_enterprise_number("BE 0123.456.749") == "0123456749"
    assert belgian_enterprise_number("BE0123456789") is None  # wrong check digits
    assert peppol_id_from_vat("BE0123456749") == "0208:0123456749"
    assert peppol_id_from_vat("NL123456789B01") == "9944:NL123456789B01"
    assert peppol_id_problem("0208:0123456749") is None
    assert "modulo 97" in peppol_id_problem("0208:0123456789")
    assert "scheme:identifier" in peppol_id_problem("0123456749")
    assert "not a Peppol participant scheme" in peppol_id_problem("1234:0123456749")


def _draft(customer, user, *lines):
    order = sales.order_create(customer=customer, user=user, order_date=TODAY, lines=list(lines))
    sales.order_confirm(order=order, user=user)
    return invoicing.invoice_create_from_order(order=order, user=user)


def test_posting_for_a_peppol_customer_names_the_missing_data(api_as, accountant_user, nl_customer):
    # Data that went bad after the customer was saved: no VAT number, an invalid Peppol id.
    Customer.objects.filter(pk=nl_customer.pk).update(vat="", peppol_id="0208:0123456789")
    nl_customer.refresh_from_db()
    draft = _draft(nl_customer, accountant_user, line("Remote administration", "4", "85.00"))

    response = api_as(accountant_user).post(f"/api/v1/invoices/{draft.pk}/post/")

    assert response.status_code == 400
    body = response.json()
    assert "modulo 97" in body["customer.peppol_id"][0]
    assert body["customer.vat"] == ["The customer has no VAT number, which reverse charge requires"]
    assert "the customer has no VAT number" in body["detail"][0]
    draft.refresh_from_db()
    assert draft.state == Invoice.State.DRAFT and draft.number is None and not draft.pdf
    assert not PeppolDocument.objects.exists()


def test_posting_refuses_an_invalid_company_vat_on_the_invoice_page(
    client, settings, accountant_user, be_customer
):
    settings.COMPANY = {**settings.COMPANY, "vat": "BE0123456789", "peppol_id": ""}
    draft = _draft(be_customer, accountant_user, line("Consulting", "2", "95.00"))
    client.force_login(accountant_user)

    response = client.post(reverse("invoicing:invoice_post", args=[draft.pk]), follow=True)

    page = response.content.decode()
    assert "cannot be sent over Peppol" in page and "company&#x27;s VAT number is not valid" in page
    draft.refresh_from_db()
    assert draft.state == Invoice.State.DRAFT


def test_email_customers_are_not_refused_but_the_problems_are_kept(accountant_user, taxes):
    customer = CustomerFactory(vat="", country="BE")
    invoice = with_documents(
        invoicing.invoice_post(
            invoice=_draft(customer, accountant_user, line("Consulting", "1", "95.00", taxes["21"])),
            user=accountant_user,
        )
    )
    document = invoice.peppol_document
    assert document.status == PeppolDocument.Status.NOT_SENT
    assert "no Peppol id" in document.status_message


def test_ubl_download_through_the_api_by_role(api_as, accountant_user, be_customer, post_order, taxes):
    invoice = post_order(be_customer, [line("Consulting", "3", "95.00", taxes["21"])])
    document = PeppolDocument.objects.get(invoice=invoice)
    contact = UserFactory(username="dupont-ap", roles=["customer"])
    be_customer.portal_users.add(contact)
    stranger = UserFactory(username="stranger", roles=["customer"])
    CustomerFactory().portal_users.add(stranger)
    agent = UserFactory(username="ubl-agent", roles=["agent"])
    superuser = UserFactory(username="ubl-root", is_superuser=True)

    for user, expected in (
        (accountant_user, 200),
        (contact, 200),
        (superuser, 200),
        (stranger, 404),
        (agent, 403),
    ):
        response = api_as(user).get(f"/api/v1/invoices/{invoice.pk}/ubl/")
        assert response.status_code == expected, user.username
        if expected == 200:
            assert response["Content-Type"] == "application/xml"
            assert hashlib.sha256(response.content).hexdigest() == document.xml_sha256

    body = api_as(accountant_user).get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert body["einvoice"]["status"] in ("queued", "sent")
    assert body["einvoice"]["sha256"] == document.xml_sha256


def test_ubl_of_a_draft_is_a_conflict(api_as, accountant_user, be_customer):
    draft = _draft(be_customer, accountant_user, line("Consulting", "2", "95.00"))
    response = api_as(accountant_user).get(f"/api/v1/invoices/{draft.pk}/ubl/")
    assert response.status_code == 409
    assert api_as(accountant_user).get(f"/api/v1/invoices/{draft.pk}/").json()["einvoice"] is None


def test_customer_api_peppol_id(api_as, admin_staff):
    client = api_as(admin_staff)
    vat = valid_be_vat(7654321)
    created = client.post(
        "/api/v1/customers/",
        {"name": "Derived SA", "vat": vat, "country": "BE", "delivery_channel": "peppol"},
    )
    assert created.status_code == 201, created.json()
    assert created.json()["peppol_id"] == f"0208:{vat[2:]}"

    plain = client.post("/api/v1/customers/", {"name": "Mail only", "country": "BE"})
    assert plain.json()["peppol_id"] is None

    bad = client.post("/api/v1/customers/", {"name": "Typo", "peppol_id": "0208:0123456789"})
    assert bad.status_code == 400 and "modulo 97" in bad.json()["peppol_id"][0]
    missing = client.post("/api/v1/customers/", {"name": "No id", "delivery_channel": "peppol"})
    assert missing.status_code == 400 and "peppol_id" in missing.json()
    patched = client.patch(f"/api/v1/customers/{plain.json()['id']}/", {"peppol_id": "9925:BE0123456749"})
    assert patched.status_code == 200 and patched.json()["peppol_id"] == "9925:BE0123456749"


def test_tax_category_must_agree_with_the_rate(api_as, admin_staff):
    client = api_as(admin_staff)
    bad = client.post("/api/v1/taxes/", {"name": "Exempt 21", "rate": "21.000", "vat_category": "E"})
    assert bad.status_code == 400 and "rate" in bad.json()
    good = client.post(
        "/api/v1/taxes/",
        {"name": "Exempt", "rate": "0", "vat_category": "E", "exemption_reason": "Article 44"},
    )
    assert good.status_code == 201, good.json()


def test_customer_form_shows_peppol_field_errors(client):
    sales_user = UserFactory(username="peppol-sales", roles=["sales"])
    client.force_login(sales_user)
    data = {"name": "Form SA", "country": "BE", "payment_term_days": 30, "delivery_channel": "peppol"}
    response = client.post(reverse("sales:customer_create"), {**data, "peppol_id": "0208:0123456789"})
    assert response.status_code == 200
    assert "modulo 97" in response.context["form"].errors["peppol_id"][0]
    response = client.post(reverse("sales:customer_create"), {**data, "vat": "BE0123456749", "peppol_id": ""})
    assert response.status_code == 302
    assert Customer.objects.get(name="Form SA").peppol_id == "0208:0123456749"
