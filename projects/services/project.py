"""Projects, and the tasks and projects an order's tracked services get when it is confirmed."""

from django.db import transaction

from audit import services as audit
from core.errors import DomainError
from core.models import User
from sales.models import Order, OrderLine, Product

from ..models import Project, Task

TRACKED = (Product.ServiceTracking.TASK, Product.ServiceTracking.PROJECT)


@transaction.atomic
def project_create(
    *,
    name: str,
    user: User | None = None,
    customer=None,
    billable: bool = True,
    sale_line=None,
    requires_approval: bool = False,
) -> Project:
    """Create a project (e.g. the project of a helpdesk team with timesheets)."""
    name = (name or "").strip()
    if not name:
        raise DomainError("A project needs a name.", field="name")
    if sale_line is not None:
        if customer is None:
            customer = sale_line.order.customer
        elif sale_line.order.customer_id != customer.pk:
            raise DomainError("This order line belongs to another customer.", field="sale_line")
    project = Project(
        name=name[:200],
        customer=customer,
        billable=billable,
        sale_line=sale_line,
        requires_approval=requires_approval,
    )
    project.full_clean()
    project.save()
    audit.record(actor=user, action="project_create", obj=project, name=project.name)
    return project


@transaction.atomic
def project_update(*, project: Project, user: User | None = None, **fields) -> Project:
    allowed = {"name", "customer", "billable", "sale_line", "active", "requires_approval"}
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(f"Cannot change {', '.join(sorted(unknown))}.")
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise DomainError("A project needs a name.", field="name")
    for key, value in fields.items():
        setattr(project, key, value)
    if (
        project.sale_line_id
        and project.customer_id
        and project.sale_line.order.customer_id != project.customer_id
    ):
        raise DomainError("This order line belongs to another customer.", field="sale_line")
    project.full_clean()
    project.save()
    return project


# --- Service tracking on order confirmation ----------------------------------------------------


def _order_project(*, order: Order, first_line: OrderLine, user) -> Project:
    """The project created for this order (one per order, reused on a second confirmation)."""
    project = Project.objects.filter(sale_order=order).order_by("id").first()
    if project is None:
        project = Project.objects.create(
            name=f"{order.name} - {order.customer.name}"[:200],
            customer=order.customer,
            billable=True,
            sale_line=first_line,
            sale_order=order,
        )
        audit.record(actor=user, action="project_create", obj=project, order=order.name)
    return project


@transaction.atomic
def order_service_tracking_apply(*, order: Order, user: User | None = None) -> list[Task]:
    """Create the tasks (and the order's project) of the tracked service lines of a confirmed order.

    `task` products: one task per line in the product's project (the order's project if none);
    `project` products: one project for the order, one task per line. Idempotent: a line that
    already has its task in that project gets nothing new (also a DB constraint).
    """
    lines = list(
        OrderLine.objects.filter(order=order, is_downpayment=False, product__service_tracking__in=TRACKED)
        .select_related("product", "product__project")
        .order_by("sequence", "id")
    )
    if not lines:
        return []
    order = Order.objects.select_related("customer").get(pk=order.pk)
    existing = set(Task.objects.filter(sale_line__order=order).values_list("sale_line_id", "project_id"))
    needs_order_project = [
        line
        for line in lines
        if line.product.service_tracking == Product.ServiceTracking.PROJECT or line.product.project_id is None
    ]
    order_project = None
    if needs_order_project:
        first = next(
            (
                ln
                for ln in needs_order_project
                if ln.product.service_tracking == Product.ServiceTracking.PROJECT
            ),
            needs_order_project[0],
        )
        order_project = _order_project(order=order, first_line=first, user=user)
    created = []
    for line in lines:
        if line.product.service_tracking == Product.ServiceTracking.TASK and line.product.project_id:
            project = line.product.project
        else:
            project = order_project
        if (line.pk, project.pk) in existing:
            continue
        title = line.description or line.product.name
        created.append(
            Task(
                title=f"{order.name} - {title}"[:200],
                description=line.description if len(line.description) > 200 else "",
                project=project,
                customer=order.customer,
                sale_line=line,
            )
        )
        existing.add((line.pk, project.pk))
    Task.objects.bulk_create(created)
    if created:
        audit.record(actor=user, action="service_tracking", obj=order, tasks=[t.pk for t in created])
    return created
