"""factory-boy factories for every model. Related rows stay consistent (one customer per chain)."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from audit.models import AuditEvent
from core.models import Sequence, User
from helpdesk.models import Stage, Team, Ticket
from invoicing.models import Invoice, InvoiceLine, Payment
from projects.models import Project, StockMove, Task, TaskMaterial
from sales.models import Customer, Order, OrderLine, Product, Tax, Uom, UomCategory
from timesheets.models import Timer, TimesheetLine
from upsell.models import Activity


def uom(name: str) -> Uom:
    """The units created by the data migration: Hours, Days, Units."""
    return Uom.objects.get(name=name)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pass-1234")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))
            if "admin" in extracted:
                self.is_staff = True
                self.save(update_fields=["is_staff"])


class UomCategoryFactory(DjangoModelFactory):
    class Meta:
        model = UomCategory
        django_get_or_create = ("kind",)

    kind = UomCategory.Kind.TIME
    name = "Time"


class UomFactory(DjangoModelFactory):
    class Meta:
        model = Uom
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Unit {n}")
    category = factory.LazyFunction(lambda: UomCategory.objects.get(kind="time"))
    ratio = Decimal("1")


class TaxFactory(DjangoModelFactory):
    class Meta:
        model = Tax
        django_get_or_create = ("name",)

    name = factory.LazyAttribute(lambda t: f"VAT {t.rate}%")
    rate = Decimal("21.000")


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("company")
    email = factory.Sequence(lambda n: f"billing{n}@customer.example")
    vat = factory.Sequence(lambda n: f"BE0{n:09d}")
    street = factory.Faker("street_address")
    city = factory.Faker("city")
    zip = factory.Faker("postcode")
    country = "BE"


class ProductFactory(DjangoModelFactory):
    """A prepaid support block sold in hours by default."""

    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Support block {n}")
    type = Product.Type.SERVICE
    invoice_policy = Product.InvoicePolicy.PREPAID
    uom = factory.LazyFunction(lambda: uom("Hours"))
    price = Decimal("500.00")
    tax = None

    class Params:
        timesheet = factory.Trait(invoice_policy=Product.InvoicePolicy.TIMESHEET, price=Decimal("100.00"))
        manual = factory.Trait(invoice_policy=Product.InvoicePolicy.MANUAL)
        goods = factory.Trait(
            type=Product.Type.GOODS,
            invoice_policy=Product.InvoicePolicy.DELIVERED,
            uom=factory.LazyFunction(lambda: uom("Units")),
            price=Decimal("12.50"),
            qty_on_hand=Decimal("100.00"),
        )


class OrderFactory(DjangoModelFactory):
    class Meta:
        model = Order

    name = factory.Sequence(lambda n: f"SOT{n:05d}")
    customer = factory.SubFactory(CustomerFactory)
    salesperson = factory.SubFactory(UserFactory, roles=["sales"])
    order_date = factory.LazyFunction(datetime.date.today)
    state = Order.State.DRAFT


class OrderLineFactory(DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    description = factory.LazyAttribute(lambda line: line.product.name if line.product else "Line")
    quantity = Decimal("50.00")
    uom = factory.LazyAttribute(lambda line: line.product.uom)
    price_unit = factory.LazyAttribute(lambda line: line.product.price)
    tax = factory.LazyAttribute(lambda line: line.product.tax)
    invoice_policy = factory.LazyAttribute(lambda line: line.product.invoice_policy)


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    summary = "Follow up"
    user = factory.SubFactory(UserFactory, roles=["sales"])
    due_date = factory.LazyFunction(datetime.date.today)


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")
    customer = None
    billable = True


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = Task

    title = factory.Sequence(lambda n: f"Task {n}")
    project = factory.SubFactory(ProjectFactory)
    customer = factory.LazyAttribute(lambda t: t.project.customer)


class TaskMaterialFactory(DjangoModelFactory):
    class Meta:
        model = TaskMaterial

    task = factory.SubFactory(TaskFactory)
    product = factory.SubFactory(ProductFactory, goods=True)
    quantity = Decimal("1.00")


class StockMoveFactory(DjangoModelFactory):
    class Meta:
        model = StockMove

    product = factory.SubFactory(ProductFactory, goods=True)
    quantity = Decimal("-1.00")


class StageFactory(DjangoModelFactory):
    class Meta:
        model = Stage
        django_get_or_create = ("name",)

    name = "New"
    sequence = 10


class TeamFactory(DjangoModelFactory):
    """A team with timesheets and billing, its project and the default stages."""

    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Support team {n}")
    use_timesheets = True
    use_billing = True
    project = factory.LazyAttribute(lambda t: ProjectFactory(name=t.name) if t.use_timesheets else None)

    @factory.post_generation
    def default_stages(self, create, extracted, **kwargs):
        if create:
            self.stages.set(Stage.objects.all())

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)


class TicketFactory(DjangoModelFactory):
    class Meta:
        model = Ticket

    title = factory.Sequence(lambda n: f"Ticket {n}")
    team = factory.SubFactory(TeamFactory)
    stage = factory.LazyFunction(lambda: Stage.objects.order_by("sequence").first())
    customer = factory.SubFactory(CustomerFactory)


class TimesheetLineFactory(DjangoModelFactory):
    class Meta:
        model = TimesheetLine

    date = factory.LazyFunction(datetime.date.today)
    employee = factory.SubFactory(UserFactory, roles=["agent"])
    description = "Work"
    hours = Decimal("1.00")
    project = factory.SubFactory(ProjectFactory)


class TimerFactory(DjangoModelFactory):
    class Meta:
        model = Timer

    user = factory.SubFactory(UserFactory, roles=["agent"])
    ticket = factory.SubFactory(TicketFactory)
    state = Timer.State.RUNNING
    # 90 minutes before now: a random date of "this month" could lie ahead of a frozen test clock,
    # or make a stop log more than a day's hours, and flip the answer of a stop.
    running_since = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=90))


class InvoiceFactory(DjangoModelFactory):
    class Meta:
        model = Invoice

    customer = factory.SubFactory(CustomerFactory)
    state = Invoice.State.DRAFT


class InvoiceLineFactory(DjangoModelFactory):
    class Meta:
        model = InvoiceLine

    invoice = factory.SubFactory(InvoiceFactory)
    description = "Line"
    quantity = Decimal("1.00")
    price_unit = Decimal("100.00")
    subtotal = Decimal("100.00")
    total = Decimal("100.00")


class PaymentFactory(DjangoModelFactory):
    class Meta:
        model = Payment

    invoice = factory.SubFactory(InvoiceFactory)
    amount = Decimal("10.00")
    date = factory.LazyFunction(datetime.date.today)


class SequenceFactory(DjangoModelFactory):
    class Meta:
        model = Sequence
        django_get_or_create = ("code", "year")

    code = factory.Sequence(lambda n: f"seq{n}")
    prefix = "X"


class AuditEventFactory(DjangoModelFactory):
    class Meta:
        model = AuditEvent

    action = "test"
    object_type = "sales.order"
    object_id = 1


# --- Sales & accounting UI (invoice documents) ------------------------------------------------


def invoice_with_lines(*, posted: bool = True, customer=None, number: str = "INV/2026/00042", **fields):
    """A realistic invoice built row by row (no service): a timesheet line billed for a period
    with its timesheet lines, a prepaid line with 21 % tax. Totals are the sums of the lines."""
    tax = TaxFactory(rate=Decimal("21.000"))
    customer = customer or CustomerFactory(name="Globex Corporation", email="ap@globex.example")
    order = OrderFactory(customer=customer, state=Order.State.SALE, client_reference="PO-778")
    today = datetime.date(2026, 11, 20)
    defaults = {
        "customer": customer,
        "order": order,
        "state": Invoice.State.POSTED if posted else Invoice.State.DRAFT,
        "number": number if posted else None,
        "invoice_date": today if posted else None,
        "due_date": today + datetime.timedelta(days=30) if posted else None,
        "period_start": datetime.date(2026, 11, 1),
        "period_end": datetime.date(2026, 11, 15),
        "amount_untaxed": Decimal("850.00"),
        "amount_tax": Decimal("178.50"),
        "amount_total": Decimal("1028.50"),
    }
    defaults.update(fields)
    invoice = InvoiceFactory(**defaults)
    ts_line = _billed_timesheet_line(invoice, order, tax)
    _billed_prepaid_line(invoice, order, tax)
    project = ProjectFactory(customer=customer)
    agent = UserFactory(username="ts-agent", first_name="Ada", last_name="Lovelace", roles=["agent"])
    for day, hours, text in ((3, "1.50", "Mail server migration"), (12, "2.00", "Backup restore test")):
        TimesheetLineFactory(
            date=datetime.date(2026, 11, day),
            employee=agent,
            description=text,
            hours=Decimal(hours),
            project=project,
            sale_line=ts_line,
            invoice=invoice,
        )
    return invoice


def _billed_timesheet_line(invoice, order, tax):
    """Invoice line 1: 3.50 h of Service on Timesheets at 100.00 for 1-15 November; → its order line."""
    ts_product = ProductFactory(timesheet=True, name="Service on Timesheets", tax=tax)
    ts_line = OrderLineFactory(order=order, product=ts_product, quantity=Decimal("10.00"))
    InvoiceLineFactory(
        invoice=invoice,
        sequence=1,
        sale_line=ts_line,
        product=ts_product,
        description="Service on Timesheets",
        quantity=Decimal("3.50"),
        uom=uom("Hours"),
        price_unit=Decimal("100.00"),
        tax=tax,
        tax_rate=Decimal("21.000"),
        subtotal=Decimal("350.00"),
        tax_amount=Decimal("73.50"),
        total=Decimal("423.50"),
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 11, 15),
    )
    return ts_line


def _billed_prepaid_line(invoice, order, tax):
    """Invoice line 2: one prepaid block of 10 h at 500.00."""
    block = ProductFactory(name="Prepaid support 10 h", tax=tax)
    block_line = OrderLineFactory(order=order, product=block, quantity=Decimal("1.00"), uom=uom("Units"))
    InvoiceLineFactory(
        invoice=invoice,
        sequence=2,
        sale_line=block_line,
        product=block,
        description="Prepaid support 10 h",
        quantity=Decimal("1.00"),
        uom=uom("Units"),
        price_unit=Decimal("500.00"),
        tax=tax,
        tax_rate=Decimal("21.000"),
        subtotal=Decimal("500.00"),
        tax_amount=Decimal("105.00"),
        total=Decimal("605.00"),
    )


# --- Upsell ---------------------------------------------------------------------------------


class SaleOrderFactory(OrderFactory):
    """A confirmed sales order (state `sale`)."""

    state = Order.State.SALE
    confirmed_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))


class PrepaidLineFactory(OrderLineFactory):
    """A prepaid line of hours on a confirmed order; set `qty_delivered` to simulate consumption."""

    order = factory.SubFactory(SaleOrderFactory)
    quantity = Decimal("50.00")
