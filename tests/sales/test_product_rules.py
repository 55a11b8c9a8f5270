"""SPEC Products: a product's settings follow one set of rules (`Product.clean`), enforced alike by
the Django admin, the API and the database: the invoicing policy suits the type, and tracking as
tasks needs the project to create them in."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sales.models import Product
from tests.factories import ProductFactory, ProjectFactory, UserFactory, uom

pytestmark = pytest.mark.django_db

ADD_PRODUCT = reverse("admin:sales_product_add")


@pytest.fixture
def admin_browser(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def product_form(**fields):
    """The admin's add form, filled in as a user would (a service in hours by default)."""
    return {
        "name": "Network cable",
        "type": Product.Type.SERVICE,
        "invoice_policy": Product.InvoicePolicy.PREPAID,
        "uom": uom("Hours").pk,
        "price": "3.00",
        "service_tracking": Product.ServiceTracking.NONE,
        "billable_rounding_minutes": "",
        "billable_minimum_minutes": "",
        "active": "on",
        **fields,
    }


def test_the_admin_refuses_goods_on_a_prepaid_policy_on_the_policy_field(admin_browser):
    response = admin_browser.post(
        ADD_PRODUCT, product_form(type=Product.Type.GOODS, uom=uom("Units").pk), follow=True
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["invoice_policy"] == [
        "The invoicing policy “Prepaid / fixed price” does not apply to goods products."
    ]
    assert "__all__" not in form.errors  # the field error only, not the constraint's as well
    assert not Product.objects.filter(name="Network cable").exists()


def test_the_admin_refuses_task_tracking_without_a_project_on_the_project_field(admin_browser):
    response = admin_browser.post(ADD_PRODUCT, product_form(service_tracking=Product.ServiceTracking.TASK))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["project"]
    assert not Product.objects.filter(name="Network cable").exists()


def test_the_admin_saves_a_product_that_follows_the_rules(admin_browser):
    project = ProjectFactory()
    response = admin_browser.post(
        ADD_PRODUCT, product_form(service_tracking=Product.ServiceTracking.TASK, project=project.pk)
    )

    assert response.status_code == 302
    assert Product.objects.get(name="Network cable").project == project


def test_the_model_and_the_api_give_the_same_field_errors(api_as):
    product = ProductFactory.build(
        type=Product.Type.GOODS, service_tracking=Product.ServiceTracking.TASK, project=None
    )
    with pytest.raises(ValidationError) as refused:
        product.clean()
    assert set(refused.value.message_dict) == {"invoice_policy", "project"}

    response = api_as(UserFactory(username="admin", roles=["admin"])).post(
        "/api/v1/products/",
        {
            "name": "Cable",
            "type": "goods",
            "invoice_policy": "prepaid",
            "service_tracking": "task",
            "uom": uom("Units").pk,
            "price": "3",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["invoice_policy"] == refused.value.message_dict["invoice_policy"]
    assert response.json()["project"] == refused.value.message_dict["project"]
