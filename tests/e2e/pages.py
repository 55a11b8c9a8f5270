"""Every browser page of the site, for the narrow-screen and accessibility runs (issue 14 items
1, 11, 12): each page is visited as a role that opens it, on the demo company, at both widths.

The list is checked against Django's URL resolver (`tests/security/matrix_urls.py`, as the role
matrix does): every browser route is either a page here (`PAGE_ROUTES`, `DIALOGS`) or named in
`NOT_PAGES` with the reason it has no screen of its own, so a page added later without its visit
fails `missing_routes()`. Dialogs (htmx fragments swapped into `#modal`) are opened over the page
they belong to. The admin: its index, and the changelist and change form of the main models.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from contracts.models import Contract
from contracts.services import contract_create
from core.models import User
from demo.management.commands.seed_demo import POSTPAID_REF
from helpdesk.models import Team, Ticket
from invoicing.models import Invoice
from projects.models import Project, Task
from sales.models import Customer, Order, Product
from tests.factories import CustomerFactory, ProjectFactory, TaskFactory
from tests.security.matrix_urls import site_routes
from timesheets import timers

WIDTHS = (390, 1366)
ROLES = ("agent", "sales", "accountant", "admin", "customer")

# Browser routes without a screen of their own, and why.
POST_ONLY = "POST only (an action; its outcome page is visited)"
FRAGMENT = "htmx fragment of a page listed here (visited inside it)"
FILE = "a file download (PDF, XML, CSV, image), no HTML"
NOT_PAGES = {
    "helpdesk:ticket_move": POST_ONLY,
    "helpdesk:ticket_message_post": POST_ONLY,
    "helpdesk:ticket_timesheet_delete": POST_ONLY,
    "helpdesk:ticket_item_field": FRAGMENT,
    "helpdesk:ticket_timesheets": FRAGMENT,
    "helpdesk:ticket_timesheet_edit": FRAGMENT,
    "helpdesk:attachment_download": FILE,
    "sales:customer_search": "the matches of a customer field (an htmx fragment), opened by typing in "
    "it: tests/e2e/test_customer_picker.py",
    "sales:order_confirm": POST_ONLY,
    "sales:order_lock": POST_ONLY,
    "sales:order_cancel": POST_ONLY,
    "sales:order_lines": FRAGMENT,
    "sales:order_line_form": FRAGMENT,
    "sales:order_line_product": POST_ONLY,
    "sales:order_line_compute": POST_ONLY,
    "sales:order_line_save": POST_ONLY,
    "sales:order_line_delete": POST_ONLY,
    "sales:upsell_add_hours": POST_ONLY,
    "sales:upsell_lock": POST_ONLY,
    "sales:activity_count": FRAGMENT,
    "sales:activity_done": POST_ONLY,
    "sales:activity_undone": POST_ONLY,
    "timesheets:week_submit": POST_ONLY,
    "timesheets:approvals_count": FRAGMENT,
    "timesheets:week_review": POST_ONLY,
    "timesheets:timer_widget": FRAGMENT,
    "timesheets:timer_panel": FRAGMENT,
    "timesheets:timer_start": POST_ONLY,
    "timesheets:timer_pause": POST_ONLY,
    "timesheets:timer_resume": POST_ONLY,
    "timesheets:timer_discard": POST_ONLY,
    "projects:task_material_add": POST_ONLY,
    "projects:task_done": POST_ONLY,
    "projects:task_move": POST_ONLY,
    "projects:task_signature": FILE,
    "projects:task_worksheet_pdf": FILE,
    "projects:task_worksheet_send": POST_ONLY,
    "projects:task_timesheets": FRAGMENT,
    "projects:task_timesheet_edit": FRAGMENT,
    "projects:task_timesheet_delete": POST_ONLY,
    "projects:invoice_job": "the progress page of a batch started in the session: "
    "tests/e2e/test_field_service.py and test_waiting_jobs.py look at it",
    "projects:invoice_job_status": FRAGMENT,
    "invoicing:invoice_export": FILE,
    "invoicing:invoice_post": POST_ONLY,
    "invoicing:invoice_cancel": POST_ONLY,
    "invoicing:invoice_credit_note": POST_ONLY,
    "invoicing:invoice_send": POST_ONLY,
    "invoicing:invoice_pdf": FILE,
    "invoicing:invoice_ubl": FILE,
    "invoicing:invoice_send_einvoice": POST_ONLY,
    "invoicing:invoice_pdf_status": FRAGMENT,
    "contracts:contract_cancel": POST_ONLY,
    "portal:ticket_reply": POST_ONLY,
    "portal:invoice_pdf": FILE,
    "portal:invoice_ubl": FILE,
    "portal:customer_user_invite": POST_ONLY,
    "portal:customer_user_deactivate": POST_ONLY,
    "logout": POST_ONLY,
}
# The main models of the admin: their changelist and one change form each (+ the index).
ADMIN_MODELS = (
    "core.user",
    "sales.customer",
    "sales.product",
    "sales.order",
    "invoicing.invoice",
    "helpdesk.team",
    "helpdesk.ticket",
    "timesheets.timesheetline",
    "projects.task",
    "contracts.contract",
)


@dataclass(frozen=True)
class Visit:
    role: str  # a demo login, or "anonymous"
    route: str  # url name ("admin" for the admin's pages)
    url: str
    dialog: str = ""  # an htmx dialog opened over `url`
    status: int = 200

    @property
    def name(self) -> str:
        if self.route == "portal:set_password":  # its URL holds a token
            return f"{self.role}-portal-set-password"
        path = (self.dialog or self.url).split("?")[0].strip("/").replace("/", "-") or "home"
        return f"{self.role}-{path}"


def demo_company():
    """The demo company plus a task with a long name and a customer with a long name."""
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    globex = Customer.objects.get(name="Globex Corporation")
    project = Project.objects.filter(customer=globex).first() or ProjectFactory(customer=globex)
    if not Task.objects.exists():
        TaskFactory(
            project=project,
            customer=globex,
            title="Replace the UPS batteries in the second floor server room",
        )
    CustomerFactory(name="Very Long Customer Name Holding International Services Group")


def every_page_company():
    """The demo company and what the remaining pages need to show something: a contract and the
    agent's running timer (its stop dialog)."""
    demo_company()
    globex = Customer.objects.get(name="Globex Corporation")
    if not Contract.objects.exists():
        contract_create(
            user=None,
            customer=globex,
            product=Product.objects.filter(uom__name="Hours").order_by("pk").first(),
            hours_per_period=Decimal("10"),
            start_date=timezone.localdate().replace(day=1),
        )
    agent = User.objects.get(username="agent")
    ticket = Ticket.objects.filter(team__members=agent).order_by("pk").first()
    if not agent.timers.exists():
        timers.timer_start(user=agent, ticket=ticket)


def _admin_visits() -> list[Visit]:
    from django.apps import apps

    visits = [Visit("admin", "admin", reverse("admin:index"))]
    for label in ADMIN_MODELS:
        model = apps.get_model(label)
        info = (model._meta.app_label, model._meta.model_name)
        visits.append(Visit("admin", "admin", reverse("admin:{}_{}_changelist".format(*info))))
        obj = model.objects.order_by("pk").first()
        if obj is not None:
            visits.append(Visit("admin", "admin", reverse("admin:{}_{}_change".format(*info), args=[obj.pk])))
    visits.append(Visit("admin", "admin", reverse("admin:sales_product_add")))
    return visits


def _v(role, route, *args, dialog=False, host=None, status=200, query="") -> Visit:
    """A page (its URL), or a dialog (its URL opened over the page `host`)."""
    if dialog:
        return Visit(role, route, host, dialog=reverse(route, args=args), status=status)
    return Visit(role, route, reverse(route, args=args) + query, status=status)


def _anonymous_visits(customer_user) -> list[Visit]:
    uid = urlsafe_base64_encode(force_bytes(customer_user.pk))
    token = default_token_generator.make_token(customer_user)
    return [
        Visit("anonymous", "login", reverse("login")),
        Visit("anonymous", "portal:set_password", reverse("portal:set_password", args=[uid, token])),
        _v("anonymous", "portal:set_password_done"),
    ]


def _agent_visits() -> list[Visit]:
    ticket = Ticket.objects.order_by("pk").first()
    team = Team.objects.order_by("pk").first()
    project = Project.objects.order_by("pk").first()
    task = Task.objects.order_by("pk").first()
    timer = User.objects.get(username="agent").timers.order_by("pk").first()
    timer_host = reverse("helpdesk:ticket_detail", args=[timer.ticket_id])
    return [
        _v("agent", "helpdesk:ticket_list"),
        _v("agent", "helpdesk:pipeline", team.pk),
        _v("agent", "helpdesk:ticket_create"),
        _v("agent", "helpdesk:ticket_detail", ticket.pk),
        _v("agent", "timesheets:timer_stop", timer.pk, dialog=True, host=timer_host),
        _v("agent", "timesheets:line_list"),
        _v("agent", "timesheets:week"),
        _v("agent", "projects:project_list"),
        _v("agent", "projects:project_detail", project.pk),
        _v("agent", "projects:task_list"),
        _v("agent", "projects:task_detail", task.pk),
        _v("agent", "projects:task_sign", task.pk),
        _v("agent", "reports:index"),
        _v("agent", "reports:hours"),
        _v("agent", "sales:activity_list"),
    ]


def _sales_visits() -> list[Visit]:
    globex = Customer.objects.get(name="Globex Corporation")
    order = Order.objects.order_by("pk").first()
    postpaid = Order.objects.get(client_reference=POSTPAID_REF)
    goods = Product.objects.filter(type="goods").order_by("pk").first()
    contract = Contract.objects.order_by("pk").first()
    postpaid_host = reverse("sales:order_detail", args=[postpaid.pk])
    return [
        _v("sales", "sales:customer_list"),
        _v("sales", "sales:customer_create"),
        _v("sales", "sales:customer_detail", globex.pk),
        _v("sales", "sales:customer_edit", globex.pk),
        _v("sales", "portal:customer_users", globex.pk),
        _v("sales", "sales:order_list"),
        _v("sales", "sales:order_create"),
        _v("sales", "sales:order_detail", order.pk),
        _v("sales", "invoicing:order_invoice_create", postpaid.pk, dialog=True, host=postpaid_host),
        _v("sales", "sales:upsell_list"),
        _v("sales", "projects:stock_list"),
        _v("sales", "projects:product_stock", goods.pk),
        _v("sales", "projects:to_invoice"),
        _v("sales", "contracts:contract_list"),
        _v("sales", "contracts:contract_new"),
        _v("sales", "contracts:contract_detail", contract.pk),
    ]


def _accountant_visits() -> list[Visit]:
    invoice = Invoice.objects.filter(state=Invoice.State.POSTED).order_by("pk").first()
    host = reverse("invoicing:invoice_detail", args=[invoice.pk])
    return [
        _v("accountant", "invoicing:invoice_list"),
        _v("accountant", "invoicing:invoice_detail", invoice.pk),
        _v("accountant", "invoicing:invoice_pay", invoice.pk, dialog=True, host=host),
        _v("accountant", "invoicing:invoice_credit_note_partial", invoice.pk, dialog=True, host=host),
        *(_v("accountant", f"reports:{slug}") for slug in ("unbilled", "revenue", "receivables", "burndown")),
    ]


def _customer_visits(customer_user) -> list[Visit]:
    portal_ticket = Ticket.objects.filter(customer__in=customer_user.customers.all()).order_by("pk").first()
    return [
        _v("customer", "portal:home"),
        _v("customer", "portal:ticket_create"),
        _v("customer", "portal:ticket_detail", portal_ticket.pk),
        _v("customer", "contracts:portal_contracts"),
    ]


def visits() -> list[Visit]:
    """Every page and dialog of the demo company, each with the role that opens it."""
    customer_user = User.objects.get(username="customer")
    return [
        *_anonymous_visits(customer_user),
        *(_v(role, "home") for role in ("agent", "sales", "accountant", "admin")),
        *_agent_visits(),
        *_sales_visits(),
        *_accountant_visits(),
        _v("admin", "timesheets:approvals"),
        *_admin_visits(),
        *_customer_visits(customer_user),
        # The error pages, in the site's layout: a refusal and a page that does not exist.
        Visit("customer", "403", reverse("helpdesk:ticket_list"), status=403),
        Visit("agent", "404", "/no-such-page/", status=404),
    ]


def missing_routes(found: list[Visit]) -> list[str]:
    """Browser routes of the resolver with neither a visit nor a reason in NOT_PAGES."""
    visited = {visit.route for visit in found}
    return sorted(
        route.key
        for route in site_routes()
        if not route.is_api and not route.is_admin and route.key not in visited and route.key not in NOT_PAGES
    )


def open_visit(page, visit: Visit):
    """Go to the visit's page (and open its dialog); the response of the page."""
    response = page.goto(visit.url)
    page.wait_for_load_state("networkidle")
    if visit.dialog:
        page.evaluate("url => htmx.ajax('GET', url, {target: '#modal', swap: 'innerHTML'})", visit.dialog)
        page.wait_for_selector("#modal > *")
        page.wait_for_load_state("networkidle")
    return response


def by_role(found: list[Visit]) -> dict[str, list[Visit]]:
    grouped: dict[str, list[Visit]] = {}
    for visit in found:
        grouped.setdefault(visit.role, []).append(visit)
    return grouped


def login_as(page, role: str) -> None:
    page.context.clear_cookies()
    if role == "anonymous":
        return
    page.goto("/login/")
    page.fill("input[name=username]", role)
    page.fill("input[name=password]", "demo1234")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
