"""Product settings and their rules (SPEC Products): the choices, which invoicing policies each
type may use, and the field errors of a product. `Product.clean()` (so the Django admin and the
forms), the API's product serializer and the database constraint all read them from here."""

from django.db import models


class ProductType(models.TextChoices):
    SERVICE = "service", "Service"
    GOODS = "goods", "Goods"


class InvoicePolicy(models.TextChoices):
    PREPAID = "prepaid", "Prepaid / fixed price"
    TIMESHEET = "timesheet", "Based on timesheets"
    MANUAL = "manual", "Based on delivered quantity (manual)"
    DELIVERED = "delivered", "Based on delivered quantity (goods)"


class ServiceTracking(models.TextChoices):
    NONE = "none", "Nothing"
    TASK = "task", "Create a task in the product's project"
    PROJECT = "project", "Create a project and a task per line"


# The invoicing policies each product type may use.
POLICIES_BY_TYPE = {
    ProductType.SERVICE: [InvoicePolicy.PREPAID, InvoicePolicy.TIMESHEET, InvoicePolicy.MANUAL],
    ProductType.GOODS: [InvoicePolicy.DELIVERED, InvoicePolicy.MANUAL],
}


def product_rule_errors(*, type, invoice_policy, service_tracking, project_id) -> dict[str, str]:
    """Field errors of a product's settings (SPEC Products), for the model's clean() and the API:
    the invoicing policy must suit the type; tracking as tasks needs the project to create them in."""
    errors = {}
    product_type = type or ProductType.SERVICE
    policy = invoice_policy or InvoicePolicy.PREPAID
    if policy not in POLICIES_BY_TYPE.get(product_type, ()):
        errors["invoice_policy"] = (
            f"The invoicing policy “{dict(InvoicePolicy.choices).get(policy, policy)}” does not apply "
            f"to {dict(ProductType.choices).get(product_type, product_type).lower()} products."
        )
    if service_tracking == ServiceTracking.TASK and project_id is None:
        errors["project"] = "Service tracking “task” needs the project to create the tasks in."
    return errors
