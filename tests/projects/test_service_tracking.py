"""SPEC: confirming an order creates tasks / projects per the product's service tracking."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from core.errors import ConflictError
from projects.models import Project, Task
from projects.services import order_service_tracking_apply
from sales.models import Order, Product
from sales.signals import order_confirmed
from tests.factories import OrderFactory, OrderLineFactory, ProductFactory, ProjectFactory, TaskFactory

pytestmark = pytest.mark.django_db


def _confirmed_order(customer, *products):
    order = OrderFactory(customer=customer, state=Order.State.SALE, name="SO00042")
    lines = [OrderLineFactory(order=order, product=p, sequence=10 * (i + 1)) for i, p in enumerate(products)]
    return order, lines


def test_task_tracking_creates_one_task_per_line_in_the_products_project(customer, field_product, agent):
    order, lines = _confirmed_order(customer, field_product, field_product)

    order_confirmed.send(sender=Order, order=order, user=agent)

    tasks = list(Task.objects.order_by("id"))
    assert len(tasks) == 2
    assert {t.sale_line_id for t in tasks} == {lines[0].pk, lines[1].pk}
    assert all(t.project == field_product.project for t in tasks)
    assert all(t.customer == customer for t in tasks)
    assert tasks[0].title.startswith("SO00042 - ")
    assert not Project.objects.filter(sale_order=order).exists()


def test_task_tracking_without_a_product_project_creates_a_project_for_the_order(customer, agent):
    product = ProductFactory(timesheet=True, service_tracking=Product.ServiceTracking.TASK, project=None)
    order, (line,) = _confirmed_order(customer, product)

    order_confirmed.send(sender=Order, order=order, user=agent)

    project = Project.objects.get(sale_order=order)
    assert project.name == f"SO00042 - {customer.name}"
    assert Task.objects.get().project == project
    assert Task.objects.get().sale_line == line


def test_project_tracking_creates_a_billable_project_for_the_order_with_a_task_per_line(customer, agent):
    product = ProductFactory(timesheet=True, service_tracking=Product.ServiceTracking.PROJECT)
    plain = ProductFactory(name="No tracking")
    order, lines = _confirmed_order(customer, plain, product, product)

    order_confirmed.send(sender=Order, order=order, user=agent)

    project = Project.objects.get()
    assert project.name == f"SO00042 - {customer.name}"
    assert project.customer == customer
    assert project.billable is True
    assert project.sale_order == order
    assert project.sale_line == lines[1]  # the first line tracked by project
    assert sorted(project.tasks.values_list("sale_line_id", flat=True)) == [lines[1].pk, lines[2].pk]
    assert not Task.objects.filter(sale_line=lines[0]).exists()


def test_confirming_twice_creates_nothing_twice(customer, field_product, agent):
    product = ProductFactory(timesheet=True, service_tracking=Product.ServiceTracking.PROJECT)
    order, _ = _confirmed_order(customer, field_product, product)

    order_confirmed.send(sender=Order, order=order, user=agent)
    order_confirmed.send(sender=Order, order=order, user=agent)
    order_service_tracking_apply(order=order, user=agent)

    assert Task.objects.count() == 2
    assert Project.objects.filter(sale_order=order).count() == 1


def test_the_database_refuses_a_second_task_for_the_same_line_and_project(field_task):
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskFactory(project=field_task.project, sale_line=field_task.sale_line)


def test_an_order_without_tracked_services_creates_nothing(customer, agent):
    order, _ = _confirmed_order(customer, ProductFactory(), ProductFactory(goods=True))
    order_confirmed.send(sender=Order, order=order, user=agent)
    assert Task.objects.count() == 0
    assert Project.objects.filter(sale_order=order).count() == 0


def test_order_confirm_service_creates_the_tasks(customer, field_product, seller):
    """Through the real sales service (not just the signal)."""
    from sales.services import order_confirm

    order = OrderFactory(customer=customer, state=Order.State.DRAFT)
    line = OrderLineFactory(order=order, product=field_product, quantity=Decimal("3"))
    order_confirm(order=order, user=seller)
    with pytest.raises(ConflictError):
        order_confirm(order=Order.objects.get(pk=order.pk), user=seller)
    assert list(Task.objects.values_list("sale_line_id", flat=True)) == [line.pk]


def test_project_create_defaults_the_customer_from_the_line_and_refuses_another_customers_line(
    customer, confirmed_field_order
):
    from core.errors import DomainError
    from projects.services import project_create
    from tests.factories import CustomerFactory

    _, line = confirmed_field_order
    project = project_create(name="  Boilers  ", sale_line=line)
    assert project.name == "Boilers"
    assert project.customer == customer
    with pytest.raises(DomainError) as err:
        project_create(name="Other", customer=CustomerFactory(), sale_line=line)
    assert err.value.field == "sale_line"
    with pytest.raises(DomainError) as err:
        project_create(name=" ")
    assert err.value.field == "name"
    assert ProjectFactory._meta.model.objects.filter(name="Other").count() == 0


def test_a_projects_default_line_bills_its_tasks_time_only_when_billable(
    customer, confirmed_field_order, agent
):
    import datetime

    from projects.services import project_create, project_update, task_create
    from timesheets.services import timesheet_log

    _, line = confirmed_field_order
    project = project_create(name="Maintenance", customer=customer, sale_line=line, user=agent)
    task = task_create(title="Check", project=project, user=agent)
    assert task.sale_line == line  # the project's default order line
    loose = Task.objects.create(title="No line", project=project, customer=customer)
    today = datetime.date.today()
    billed = timesheet_log(employee=agent, date=today, hours=Decimal("1"), task=loose, user=agent)
    assert billed.sale_line == line
    project_update(project=project, billable=False, user=agent)
    loose.refresh_from_db()
    not_billed = timesheet_log(employee=agent, date=today, hours=Decimal("1"), task=loose, user=agent)
    assert not_billed.sale_line is None
