"""Projects writes. CONTRACT: other apps code against these signatures.

Rules (SPEC Projects and tasks):
- confirming an order creates tasks / projects per the product's service tracking (idempotent);
- materials added to a task of an order add (or increase) a goods line on that order;
- marking a task done delivers its materials and moves the stock, all or nothing;
- the customer signs the worksheet; the signed PDF is rendered and e-mailed after commit.
"""

import base64
import binascii
import io
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.background import enqueue_after_commit
from core.errors import ConflictError, DomainError
from core.models import User
from core.money import quantize_qty, to_decimal
from core.units import convert_quantity
from sales import services as sales_services
from sales.models import Order, OrderLine, Product

from .models import Project, StockMove, Task, TaskMaterial

TRACKED = (Product.ServiceTracking.TASK, Product.ServiceTracking.PROJECT)
SIGNATURE_MAX_BYTES = 1_500_000


# --- Projects --------------------------------------------------------------------------------


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


# --- Tasks -----------------------------------------------------------------------------------

TASK_FIELDS = {"title", "description", "assignee", "stage", "planned_date", "worksheet_notes", "customer"}


def _check_sale_line(*, sale_line, customer):
    if sale_line is None:
        return
    if customer is not None and sale_line.order.customer_id != customer.pk:
        raise DomainError("This order line belongs to another customer.", field="sale_line")
    if sale_line.order.state not in (Order.State.SALE, Order.State.DONE):
        raise DomainError("Pick a line of a confirmed order.", field="sale_line")


def _check_one_task_per_line(*, sale_line, project, exclude_pk=None):
    if sale_line is None:
        return
    clash = Task.objects.filter(sale_line=sale_line, project=project)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError("This order line already has a task in this project.", field="sale_line")


@transaction.atomic
def task_create(
    *,
    title: str,
    project: Project,
    user: User | None = None,
    customer=None,
    sale_line=None,
    assignee=None,
    description: str = "",
    planned_date=None,
) -> Task:
    title = (title or "").strip()
    if not title:
        raise DomainError("A task needs a title.", field="title")
    if customer is None:
        customer = sale_line.order.customer if sale_line is not None else project.customer
    if sale_line is None and project.sale_line_id:
        sale_line = project.sale_line
        if customer is not None and sale_line.order.customer_id != customer.pk:
            sale_line = None
    _check_sale_line(sale_line=sale_line, customer=customer)
    _check_one_task_per_line(sale_line=sale_line, project=project)
    task = Task(
        title=title[:200],
        project=project,
        customer=customer,
        sale_line=sale_line,
        assignee=assignee,
        description=description,
        planned_date=planned_date,
    )
    task.full_clean()
    task.save()
    audit.record(actor=user, action="task_create", obj=task)
    return task


@transaction.atomic
def task_update(*, task: Task, user: User | None = None, **fields) -> Task:
    """Change title/description/assignee/stage/planned date/notes/customer/order line/project."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    allowed = TASK_FIELDS | {"sale_line", "project"}
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(f"Cannot change {', '.join(sorted(unknown))}.")
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()
        if not fields["title"]:
            raise DomainError("A task needs a title.", field="title")
    if "stage" in fields:
        stage = fields["stage"]
        if stage not in Task.Stage.values:
            raise DomainError("Unknown stage.", field="stage")
        if stage == Task.Stage.DONE and not task.is_done:
            raise DomainError(
                "Use “Mark as done” to close the task (it delivers the materials).", field="stage"
            )
        if task.is_done and stage != Task.Stage.DONE:
            raise ConflictError("This task is done; it cannot go back to another stage.", field="stage")
    if (
        "sale_line" in fields
        and fields["sale_line"] != task.sale_line
        and task.materials.filter(delivered=True).exists()
    ):
        raise ConflictError(
            "Materials were delivered on this task's order: its order line stays.", field="sale_line"
        )
    for key, value in fields.items():
        setattr(task, key, value)
    _check_sale_line(sale_line=task.sale_line, customer=task.customer)
    _check_one_task_per_line(sale_line=task.sale_line, project=task.project, exclude_pk=task.pk)
    task.full_clean()
    task.save()
    return task


def task_order(task: Task) -> Order | None:
    """The order the task's materials are sold on: its line's order, else its project's."""
    if task.sale_line_id:
        return task.sale_line.order
    project = task.project
    if project.sale_order_id:
        return project.sale_order
    if project.sale_line_id:
        return project.sale_line.order
    return None


def _deliver_material(*, material: TaskMaterial, task: Task, user, quantity: Decimal) -> None:
    """Set the material's order line delivered, then consume `quantity` of stock (locks: order first)."""
    if material.sale_line_id:
        line = OrderLine.objects.select_related("uom", "order").get(pk=material.sale_line_id)
        delivered = convert_quantity(material.quantity, material.product.uom, line.uom)
        sales_services.order_line_set_delivered(line=line, quantity=delivered, user=user)
    allow_negative = getattr(settings, "STOCK_ALLOW_NEGATIVE", False)
    sales_services.product_stock_move(
        product=material.product, quantity=-quantity, allow_negative=allow_negative
    )
    StockMove.objects.create(
        kind=StockMove.Kind.CONSUMPTION,
        date=timezone.localdate(),
        product=material.product,
        quantity=-quantity,
        task=task,
        note=f"Task #{task.pk}: {task.title}"[:200],
        user=user if getattr(user, "is_authenticated", False) else None,
    )
    material.delivered = True
    material.save(update_fields=["delivered"])


@transaction.atomic
def task_material_add(*, task: Task, product: Product, quantity, user: User | None = None) -> TaskMaterial:
    """Add goods used on a task (or more of them). On a task of an order, adds or increases a goods
    line on that order. On a task already done, the stock moves and the delivery happen at once."""
    try:
        quantity = quantize_qty(to_decimal(quantity))
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise DomainError("Enter a quantity.", field="quantity") from exc
    if quantity <= 0:
        raise DomainError("The quantity must be more than zero.", field="quantity")
    if product is None:
        raise DomainError("Choose a product.", field="product")
    if product.type != Product.Type.GOODS:
        raise DomainError("Only goods can be added as materials.", field="product")
    if not product.active:
        raise DomainError("This product is archived.", field="product")
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("project__sale_order", "project__sale_line__order", "sale_line__order")
        .get(pk=task.pk)
    )
    if task.stage == Task.Stage.CANCELLED:
        raise ConflictError("This task is cancelled.")
    material = TaskMaterial.objects.select_for_update().filter(task=task, product=product).first()
    order = task_order(task)
    if order is not None and order.state not in (Order.State.SALE, Order.State.DRAFT):
        raise ConflictError(
            f"Order {order.name} is {order.get_state_display().lower()}: no material can be added."
        )
    if material is None:
        material = TaskMaterial(task=task, product=product, quantity=quantity)
        if order is not None:
            material.sale_line = sales_services.order_line_add(
                order=order, product=product, user=user, quantity=quantity
            )
        material.save()
    else:
        material.quantity = material.quantity + quantity
        if order is not None:
            line = (
                OrderLine.objects.filter(pk=material.sale_line_id).first() if material.sale_line_id else None
            )
            if line is None:
                material.sale_line = sales_services.order_line_add(
                    order=order, product=product, user=user, quantity=material.quantity
                )
            else:
                added = convert_quantity(quantity, product.uom, line.uom)
                sales_services.order_line_update(line=line, user=user, quantity=line.quantity + added)
        material.save(update_fields=["quantity", "sale_line"])
    if task.is_done:
        _deliver_material(material=material, task=task, user=user, quantity=quantity)
    audit.record(actor=user, action="task_material_add", obj=task, product=product.pk, quantity=str(quantity))
    return material


@transaction.atomic
def task_mark_done(*, task: Task, user: User | None = None) -> Task:
    """Close the task: delivers its materials (order lines) and records a stock move for each.

    ConflictError if already done; DomainError (nothing written) when stock would go below zero
    and settings.STOCK_ALLOW_NEGATIVE is off.
    """
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.is_done:
        raise ConflictError("This task is already done.")
    if task.stage == Task.Stage.CANCELLED:
        raise ConflictError("A cancelled task cannot be marked as done.")
    # Fixed lock order (product id) so two tasks consuming the same goods cannot deadlock.
    materials = list(
        task.materials.select_related("product__uom").filter(delivered=False).order_by("product_id", "id")
    )
    for material in materials:
        _deliver_material(material=material, task=task, user=user, quantity=material.quantity)
    task.is_done = True
    task.stage = Task.Stage.DONE
    task.done_at = timezone.now()
    task.save(update_fields=["is_done", "stage", "done_at", "updated_at"])
    audit.record(actor=user, action="task_done", obj=task, materials=len(materials))
    return task


# --- Worksheet signature -----------------------------------------------------------------------


def _decode_signature(data_url: str) -> bytes:
    prefix = "data:image/png;base64,"
    if not data_url or not data_url.startswith(prefix):
        raise DomainError("Please sign in the box before saving.", field="signature")
    try:
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DomainError("The signature could not be read. Please sign again.", field="signature") from exc
    if len(raw) > SIGNATURE_MAX_BYTES:
        raise DomainError("The signature image is too large.", field="signature")
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise DomainError("The signature could not be read. Please sign again.", field="signature")
    try:
        from PIL import Image

        image = Image.open(io.BytesIO(raw))
        image.load()
        if image.width * image.height > 4_000_000:
            raise DomainError("The signature image is too large.", field="signature")
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        paper.alpha_composite(rgba)
        # Blank = no ink: nothing darker than light grey on a white sheet.
        blank = paper.convert("L").point(lambda v: 255 if v < 200 else 0).getbbox() is None
    except DomainError:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoding failure is bad input
        raise DomainError("The signature could not be read. Please sign again.", field="signature") from exc
    if blank:
        raise DomainError("Please sign in the box before saving.", field="signature")
    return raw


@transaction.atomic
def task_sign(*, task: Task, signature: str, signed_by: str, user: User | None = None) -> Task:
    """Store the customer's signature (PNG data URL) and name; the signed worksheet PDF is then
    rendered, stored in `worksheet_pdf` and e-mailed to the customer (Celery, after commit)."""
    signed_by = (signed_by or "").strip()
    if not signed_by:
        raise DomainError("Enter the name of the person signing.", field="signed_by")
    raw = _decode_signature(signature)
    task = Task.objects.select_for_update().get(pk=task.pk)
    task.signature.save(f"task-{task.pk}.png", ContentFile(raw), save=False)
    task.signed_by = signed_by[:200]
    task.signed_at = timezone.now()
    task.worksheet_pdf = ""
    task.worksheet_sent_at = None
    task.save(
        update_fields=[
            "signature",
            "signed_by",
            "signed_at",
            "worksheet_pdf",
            "worksheet_sent_at",
            "updated_at",
        ]
    )
    audit.record(actor=user, action="task_sign", obj=task, signed_by=task.signed_by)
    worksheet_send_later(task=task)
    return task


def worksheet_send_later(*, task: Task) -> None:
    """Render + store + e-mail the signed worksheet after the transaction commits."""
    from . import tasks as celery_tasks

    enqueue_after_commit(celery_tasks.worksheet_send_task, task.pk, subject=f"projects.task:{task.pk}")


@transaction.atomic
def task_worksheet_store(*, task: Task) -> Task:
    """Render the worksheet PDF of a signed task and store it (called from the Celery job)."""
    from .worksheet import render_worksheet_pdf

    task = Task.objects.select_for_update().get(pk=task.pk)
    if not task.signature:
        raise DomainError("The worksheet is not signed yet.")
    pdf = render_worksheet_pdf(task)
    task.worksheet_pdf.save(f"worksheet-task-{task.pk}.pdf", ContentFile(pdf), save=False)
    task.save(update_fields=["worksheet_pdf", "updated_at"])
    return task
