"""Every staff and portal page fits a phone (390 px) and a laptop (1366 px): no horizontal page
scroll, tables scroll inside their card. Built on the demo company (`seed_demo`), visited as each
role; a screenshot of every page at both widths lands in test-artifacts/screenshots/narrow-*."""

from django.core.management import call_command
from django.urls import reverse

from contracts.models import Contract
from core.models import User
from helpdesk.models import Team, Ticket
from invoicing.models import Invoice
from projects.models import Project, Task
from sales.models import Customer, Order, Product
from tests.factories import CustomerFactory, ProjectFactory, TaskFactory

WIDTHS = (390, 1366)
REPORTS = ("hours", "unbilled", "revenue", "receivables", "burndown")
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def demo_company():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    globex = Customer.objects.get(name="Globex Corporation")
    # A field-service task with a long name, so the task pages have something to lay out.
    project = Project.objects.filter(customer=globex).first() or ProjectFactory(customer=globex)
    if not Task.objects.exists():
        TaskFactory(
            project=project,
            customer=globex,
            title="Replace the UPS batteries in the second floor server room",
        )
    CustomerFactory(name="Very Long Customer Name Holding International Services Group")


def pages_for(role: str) -> list[str]:
    ticket = Ticket.objects.order_by("pk").first()
    order = Order.objects.order_by("pk").first()
    invoice = Invoice.objects.order_by("pk").first()
    task = Task.objects.order_by("pk").first()
    team = Team.objects.order_by("pk").first()
    contract = Contract.objects.order_by("pk").first()
    globex = Customer.objects.get(name="Globex Corporation")
    pages = {
        "agent": [
            "/",
            reverse("helpdesk:ticket_list"),
            reverse("helpdesk:ticket_detail", args=[ticket.pk]),
            reverse("helpdesk:pipeline", args=[team.pk]),
            reverse("timesheets:line_list"),
            reverse("timesheets:week"),
            reverse("projects:project_list"),
            reverse("projects:task_list"),
            reverse("projects:task_detail", args=[task.pk]),
        ],
        "sales": [
            reverse("sales:customer_list"),
            reverse("sales:customer_detail", args=[globex.pk]),
            reverse("sales:order_list"),
            reverse("sales:order_create"),
            reverse("sales:order_detail", args=[order.pk]),
            reverse("sales:upsell_list"),
            reverse("projects:stock_list"),
            reverse("projects:product_stock", args=[Product.objects.filter(type="goods").first().pk]),
            reverse("projects:to_invoice"),
            reverse("contracts:contract_list"),
            reverse("contracts:contract_new"),
            *([reverse("contracts:contract_detail", args=[contract.pk])] if contract else []),
        ],
        "accountant": [
            reverse("invoicing:invoice_list"),
            reverse("invoicing:invoice_detail", args=[invoice.pk]),
            reverse("reports:index"),
            *[reverse(f"reports:{slug}") for slug in REPORTS],
        ],
        "customer": [
            reverse("portal:home"),
            reverse("portal:ticket_create"),
            reverse("portal:ticket_detail", args=[Ticket.objects.filter(customer=globex).first().pk]),
            reverse("contracts:portal_contracts"),
        ],
    }
    return pages[role]


def test_every_page_fits_a_phone_and_a_laptop(page, login, shot, transactional_db):
    demo_company()
    overflowing = []
    for role in ("agent", "sales", "accountant", "customer"):
        page.set_viewport_size({"width": 1366, "height": 900})
        login(page, User.objects.get(username=role), password="demo1234")
        for url in pages_for(role):
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 844 if width < 800 else 900})
                response = page.goto(url)
                assert response.ok, f"{role} {url}: HTTP {response.status}"
                page.wait_for_load_state("networkidle")
                excess = page.evaluate(OVERFLOW)
                if excess > 0:
                    overflowing.append(f"{role} {url} at {width} px: {excess} px too wide")
                name = url.strip("/").replace("/", "-") or "home"
                shot(page, f"narrow-{role}-{name}-{width}")
        page.context.clear_cookies()
    assert not overflowing, "\n".join(overflowing)
