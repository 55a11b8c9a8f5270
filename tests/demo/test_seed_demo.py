"""`manage.py seed_demo`: a coherent demo, created once; a second run changes nothing."""

import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Max
from django.urls import reverse

from core.models import User
from helpdesk.models import Team, Ticket
from invoicing import documents
from invoicing import services as invoicing_services
from invoicing.models import Invoice
from sales.models import Customer, Order, Product
from sales.selectors import customer_default_sale_line, order_line_remaining_hours
from timesheets.models import TimesheetLine

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

LOGINS = {
    "agent": "agent",
    "sales": "sales",
    "accountant": "accountant",
    "admin": "admin",
    "customer": "customer",
}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


def snapshot() -> dict:
    """Row count and last change of every table the portal owns."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label not in {
            "core",
            "sales",
            "projects",
            "timesheets",
            "helpdesk",
            "invoicing",
            "auth",
        }:
            continue
        qs = model.objects.all()
        fields = {f.name for f in model._meta.concrete_fields}
        last = qs.aggregate(m=Max("updated_at"))["m"] if "updated_at" in fields else None
        state[model._meta.label] = (qs.count(), last)
    state["passwords"] = tuple(User.objects.order_by("username").values_list("password", flat=True))
    return state


@pytest.fixture
def seeded(db):
    return seed()


def test_seed_creates_a_user_per_role_whose_demo_login_works_and_prints_them(seeded, client):
    for username, role in LOGINS.items():
        user = User.objects.get(username=username)
        assert user.roles == [role]
        assert f"| {username} " in seeded
        client.logout()
        response = client.post(reverse("login"), {"username": username, "password": "demo1234"})
        assert response.status_code == 302, username
        assert client.get(reverse("home"), follow=True).status_code == 200
    assert User.objects.get(username="admin").is_staff
    assert not User.objects.get(username="agent").is_staff
    assert "demo1234" in seeded
    assert "http://127.0.0.1:8000/" in seeded


def test_seed_catalogue_and_team(seeded):
    support = Product.objects.get(name="Support 50 h")
    assert (support.type, support.invoice_policy, support.uom.name) == ("service", "prepaid", "Hours")
    assert support.price == Decimal("90.00")  # an hourly price: the block is 50 × Hours
    assert support.tax.rate == Decimal("21.000")
    assert support.upsell_threshold == Decimal("80.00")
    service = Product.objects.get(name="Service on Timesheets")
    assert (service.invoice_policy, service.uom.name, service.price) == (
        "timesheet",
        "Hours",
        Decimal("100.00"),
    )
    assert Product.objects.filter(uom__name="Days").exists()
    assert Product.objects.filter(type="goods").exists()
    team = Team.objects.get(name="Customer Care")
    assert team.use_timesheets and team.use_billing
    assert team.project is not None
    assert set(team.stages.values_list("name", flat=True)) >= {"New", "In progress", "Solved"}
    assert team.members.filter(username="agent").exists()


def test_seed_orders_tickets_and_timesheets_fit_together(seeded):
    orders = Order.objects.filter(state="sale")
    assert orders.count() >= 2
    prepaid = orders.get(lines__invoice_policy="prepaid")
    line = prepaid.lines.get()
    assert line.quantity == Decimal("50.00")
    logged = sum(TimesheetLine.objects.filter(sale_line=line).values_list("hours", flat=True))
    assert logged > 0
    assert line.qty_delivered == logged
    assert order_line_remaining_hours(line=line) == Decimal("50.00") - logged
    assert prepaid.is_upsell  # 41 h of 50 h used, threshold 80 %: on the upsell list at once
    postpaid = orders.get(lines__invoice_policy="timesheet")
    assert postpaid.invoice_status == "to_invoice"

    customer = User.objects.get(username="customer")
    globex = Customer.objects.get(portal_users=customer)
    assert prepaid.customer == globex
    tickets = Ticket.objects.filter(customer=globex)
    assert tickets.count() >= 2
    assert TimesheetLine.objects.filter(ticket__in=tickets).count() >= 3
    assert customer_default_sale_line(customer=globex) == line
    assert Invoice.objects.filter(customer=globex, order=prepaid, state="posted").exists()


def test_demo_invoices_read_right_block_by_the_hour_and_no_estimate_printed(seeded, tmp_path):
    """The prepaid block reads "50.00 Hours × 90.00 = 4,500.00"; the post-paid line's estimate
    (its ordered 20 h) is nowhere on the customer's invoice, neither in the PDF nor the page."""
    block = Invoice.objects.get(order__client_reference="DEMO-PREPAID-50H", state="posted")
    line = block.lines.get()
    assert (line.quantity, line.price_unit, line.subtotal) == (
        Decimal("50.00"),
        Decimal("90.00"),
        Decimal("4500.00"),
    )
    path = tmp_path / "block.pdf"
    path.write_bytes(documents.invoice_pdf_bytes(invoice=block))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    assert "Support 50 h" in text.stdout and "4,500.00" in text.stdout and "5,445.00" in text.stdout
    assert "25,000" not in text.stdout

    postpaid = Order.objects.get(client_reference="DEMO-POSTPAID")
    draft = invoicing_services.invoice_create_from_order(
        order=postpaid, user=User.objects.get(username="sales")
    )
    path.write_bytes(documents.invoice_pdf_bytes(invoice=draft))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    assert "Support on timesheets" in text.stdout
    assert "estimate" not in text.stdout.lower()
    assert "estimate" not in documents.render_invoice_html(invoice=draft).lower()


def test_second_run_changes_nothing_and_is_fast(seeded, django_assert_max_num_queries):
    before = snapshot()
    with django_assert_max_num_queries(30):
        out = seed()
    assert "nothing changed" in out
    assert snapshot() == before


def test_embedded_sqlite_setup_migrates_and_seeds(tmp_path):
    """`make run` path: a fresh SQLite database, migrate, seed_demo — no PostgreSQL involved."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    assert "| customer " in result.stdout
