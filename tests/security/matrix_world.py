"""The data of the role matrix: one of every kind of object the URLs take an id of, all of
customer A (Globex) and reachable by the staff roles (the agent is in the ticket's team), plus
customer B's (Initech) for the object-level 404 checks. Built once per test, in its transaction.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from contracts.services import contract_create
from core.models import TaskRecord
from invoicing.documents import invoice_pdf_store
from projects.models import EmployeeRate
from sales.models import Order
from tests.conversation_data import World, conversation_world
from tests.factories import (
    ActivityFactory,
    CustomerFactory,
    PaymentFactory,
    ProductFactory,
    ProjectFactory,
    StockMoveFactory,
    TaskFactory,
    TaxFactory,
    TimerFactory,
    TimesheetLineFactory,
    UserFactory,
    uom,
)

# The roles of the matrix, in the column order of every expectation string.
ROLES = ("anonymous", "customer", "agent", "sales", "accountant", "admin", "superuser")


@dataclass
class MatrixWorld:
    conversation: World
    users: dict
    ids: dict = field(default_factory=dict)

    @property
    def a(self):
        return self.conversation.a

    @property
    def b(self):
        return self.conversation.b


def build_world(*, admin_staff, superuser) -> MatrixWorld:
    conversation = conversation_world()
    a, agent = conversation.a, conversation.agent
    sales = UserFactory(username="matrix-sales", roles=["sales"])
    users = {
        "anonymous": None,
        "customer": a.user,
        "agent": agent,
        "sales": sales,
        "accountant": UserFactory(username="matrix-accountant", roles=["accountant"]),
        "admin": admin_staff,
        "superuser": superuser,
    }
    project = ProjectFactory(name="Globex field work", customer=a.customer)
    task = TaskFactory(project=project, customer=a.customer)
    team_project = conversation.team.project
    ticket_line = TimesheetLineFactory(employee=agent, project=team_project, ticket=a.ticket)
    task_line = TimesheetLineFactory(employee=agent, project=project, task=task)
    contract = contract_create(
        user=sales,
        customer=a.customer,
        product=ProductFactory(name="Matrix support hours", price=Decimal("100.00")),
        hours_per_period=Decimal("10"),
        start_date=datetime.date(2026, 1, 1),
    )
    a.order.is_upsell, a.order.upsell_reason = True, Order.UpsellReason.CONSUMED
    a.order.save(update_fields=["is_upsell", "upsell_reason"])
    # Stored once here, so downloads serve the file instead of rendering it per request.
    invoice_pdf_store(invoice=a.invoice)
    admin_only_rows(agent=agent, invoice=a.invoice)
    ids = {
        "ticket": a.ticket.pk,
        "ticket_line": ticket_line.pk,
        "attachment": a.attachment.pk,
        "order": a.order.pk,
        "customer": a.customer.pk,
        "invoice": a.invoice.pk,
        "project": project.pk,
        "task": task.pk,
        "task_line": task_line.pk,
        "timer": TimerFactory(user=agent, ticket=a.ticket).pk,
        "activity": ActivityFactory(user=sales, order=a.order).pk,
        "contract": contract.pk,
        "team": conversation.team.pk,
        "uom": uom("Hours").pk,
        "tax": TaxFactory(rate=Decimal("6.000")).pk,
        "product": ProductFactory(name="Matrix product").pk,
        "goods": ProductFactory(name="Matrix switch", goods=True).pk,
        "employee_rate": EmployeeRate.objects.create(
            employee=agent, project=team_project, hourly_rate=Decimal("50.00")
        ).pk,
        "portal_user": a.user.pk,
        "agent": agent.pk,
        "other_customer": CustomerFactory(name="Matrix prospect").pk,
    }
    return MatrixWorld(conversation=conversation, users=users, ids=ids)


def admin_only_rows(*, agent, invoice) -> None:
    """One row of each admin-only model, so their admin pages show an object: a background job's
    record (worker mode writes them; the admin lists them), a token, a stock move, a payment."""
    TaskRecord.objects.create(task_id="matrix-job", name="invoicing.tasks.invoice_pdf_render_task")
    Token.objects.create(user=agent)
    StockMoveFactory()
    PaymentFactory(invoice=invoice, amount=Decimal("1.00"))


# What each URL keyword means, by the first part of the route that names the object.
PK_BY_PREFIX = (
    ("sales/customers/", "customer"),
    ("sales/orders/", "order"),
    ("sales/activities/", "activity"),
    ("projects/tasks/", "task"),
    ("projects/stock/", "goods"),
    ("projects/", "project"),
    ("invoicing/invoices/", "invoice"),
    ("invoicing/orders/", "order"),
    ("portal/invoices/", "invoice"),
    ("contracts/", "contract"),
    ("api/v1/uoms/", "uom"),
    ("api/v1/taxes/", "tax"),
    ("api/v1/customers/", "portal_user"),  # only nested: customers/<customer_pk>/portal_users/<pk>
    ("api/v1/products/", "product"),
    ("api/v1/orders/", "order"),
    ("api/v1/upsells/", "order"),
    ("api/v1/employee-rates/", "employee_rate"),
    ("api/v1/projects/", "project"),
    ("api/v1/tasks/", "task"),
    ("api/v1/timesheets/", "ticket_line"),
    ("api/v1/timers/", "timer"),
    ("api/v1/teams/", "team"),
    ("api/v1/tickets/", "ticket"),
    ("api/v1/invoices/", "invoice"),
    ("api/v1/contracts/", "contract"),
)
KEYWORDS = {
    "team_id": "team",
    "ticket_id": "ticket",
    "ticket_pk": "ticket",
    "line_id": "ticket_line",
    "line_pk": "task_line",
    "attachment_id": "attachment",
    "order_id": "order",
    "id": "order",
    "timer_id": "timer",
    "employee_id": "agent",
    "customer_id": "customer",
    "customer_pk": "customer",
    "user_id": "portal_user",
    "product_pk": "goods",
}


def url_kwargs(route: str, keywords, world: MatrixWorld) -> dict:
    """The keyword arguments that make `route` point at the world's object of its kind."""
    values = {}
    for name in keywords:
        if name == "pk":
            if route.startswith("api/v1/customers/") and "portal_users" not in route:
                values[name] = world.ids["customer"]
                continue
            kind = next(kind for prefix, kind in PK_BY_PREFIX if route.startswith(prefix))
            values[name] = world.ids[kind]
        elif name == "action":
            values[name] = "approve"
        elif name == "job_id":
            values[name] = "no-such-job"
        elif name == "uidb64":
            values[name] = urlsafe_base64_encode(force_bytes(world.a.user.pk))
        elif name == "token":
            values[name] = default_token_generator.make_token(world.a.user)
        else:
            values[name] = world.ids[KEYWORDS[name]]
    return values
