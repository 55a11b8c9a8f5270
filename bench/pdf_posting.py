"""Benchmark: posting an invoice with a 10 000-line timesheet appendix, and its PDF.

    scripts/with-services.sh .venv/bin/python bench/pdf_posting.py [--lines 10000] [--table]

Creates a throwaway database (Django's test database, migrated) on the PostgreSQL started by
`with-services.sh`, an order billed on timesheets with `--lines` timesheet lines (bulk), and a
draft invoice from it. Then, with a REAL Celery worker on the Redis of `with-services.sh`:
- the posting request (`POST /invoices/<id>/post/`, Django's test client, one transaction);
- the time from the request's start until the worker has stored the PDF;
- downloading the stored PDF;
- where a rendering spends its time (template, WeasyPrint layout, PDF writing, Factur-X), and
  with `--table` the same appendix laid out as a table (the layout before, for comparison).
Without TEST_REDIS_URL the tasks run in-process and the posting request includes the rendering.
`measure()` returns the figures as a dict (for a harness); the script prints them as a table.
Targets (issue 11): the request answers < 2 s; the stored PDF is ready < 20 s after.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from core.models import User  # noqa: E402
from invoicing import documents  # noqa: E402
from invoicing import facturx as fx  # noqa: E402
from invoicing.models import Invoice  # noqa: E402
from invoicing.services import invoice_create_from_order  # noqa: E402
from projects.models import Project  # noqa: E402
from sales.models import Customer, Product, Uom  # noqa: E402
from sales.services import order_confirm, order_create  # noqa: E402
from timesheets.models import TimesheetLine  # noqa: E402

WORDS = [
    "mailbox",
    "migration",
    "firewall",
    "backup",
    "restore",
    "printer",
    "VPN",
    "laptop",
    "rollout",
    "licence",
    "audit",
]


def build(n_lines: int) -> tuple[Invoice, User]:
    """A draft invoice billing `n_lines` timesheet lines of one order line."""
    hours = Uom.objects.get(name="Hours")
    seller = User.objects.create(username="bench-seller", password="!")
    _grant(seller, "sales")
    accountant = User.objects.create(username="bench-accountant", password="!")
    _grant(accountant, "accountant")
    agents = User.objects.bulk_create(
        [User(username=f"bench-agent-{i}", first_name="Agent", last_name=f"Number {i}") for i in range(12)]
    )
    customer = Customer.objects.create(name="Bench Customer", email="ap@bench.example")
    product = Product.objects.create(
        name="Support on timesheets", invoice_policy="timesheet", uom=hours, price=Decimal("95")
    )
    order = order_create(customer=customer, user=seller, lines=[{"product": product, "quantity": 1}])
    order_confirm(order=order, user=seller)
    line = order.lines.get()
    project = Project.objects.create(name="Bench project", customer=customer)
    start = datetime.date(2026, 1, 1)
    TimesheetLine.objects.bulk_create(
        [
            TimesheetLine(
                date=start + datetime.timedelta(days=i % 300),
                employee=agents[i % len(agents)],
                description=" ".join(WORDS[(i + k) % len(WORDS)] for k in range(3 + i % 17)),
                hours=Decimal("0.25") * (1 + i % 12),
                project=project,
                sale_line=line,
            )
            for i in range(n_lines)
        ],
        batch_size=5000,
    )
    invoice = invoice_create_from_order(order=order, user=seller)
    return invoice, accountant


def _grant(user: User, role: str) -> None:
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name=role))


def rendering_breakdown(invoice: Invoice, *, table: bool) -> dict:
    """Seconds per step of one rendering of the posted invoice's PDF (nothing stored): wall time,
    and the CPU time of this process (what the wall time would be on an idle core)."""
    from weasyprint import HTML

    saved = settings.INVOICE_APPENDIX_TABLE_MAX_ROWS
    if table:
        settings.INVOICE_APPENDIX_TABLE_MAX_ROWS = 10**9
    marks = [(time.perf_counter(), time.process_time())]
    html = documents.render_invoice_html(invoice=invoice)
    marks.append((time.perf_counter(), time.process_time()))
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    marks.append((time.perf_counter(), time.process_time()))
    pdf = document.write_pdf(pdf_variant="pdf/a-3b")
    marks.append((time.perf_counter(), time.process_time()))
    fx.embed_facturx(pdf, fx.invoice_facturx_xml(invoice), title=str(invoice.number), author="bench")
    marks.append((time.perf_counter(), time.process_time()))
    settings.INVOICE_APPENDIX_TABLE_MAX_ROWS = saved
    steps = ("context + template", "WeasyPrint layout", "WeasyPrint write", "Factur-X embed")
    figures: dict = {"pages": len(document.pages)}
    for i, step in enumerate(steps):
        figures[f"{step} (wall)"] = marks[i + 1][0] - marks[i][0]
        figures[f"{step} (CPU)"] = marks[i + 1][1] - marks[i][1]
    figures["total (wall)"] = marks[-1][0] - marks[0][0]
    figures["total (CPU)"] = marks[-1][1] - marks[0][1]
    return figures


def measure(n_lines: int, *, table: bool = False) -> dict:
    """Build the data, post, wait for the stored PDF; the figures (seconds) as a dict."""
    from config.celery import app
    from tests.celery_worker import Worker, _BrokerConf, _database_url

    figures: dict = {"lines": n_lines}
    t = time.perf_counter()
    invoice, accountant = build(n_lines)
    figures["build data + draft invoice"] = time.perf_counter() - t
    redis_url = os.environ.get("TEST_REDIS_URL")
    worker = None
    if redis_url:
        worker = Worker(redis_url.rstrip("/") + "/15", _database_url(connection.settings_dict))
        settings.MEDIA_ROOT = worker.media_root
        worker.start()
    try:
        with _BrokerConf(app, worker.redis_url) if worker else _NoBroker():
            if worker:
                worker.wait_ready(app)
            figures["worker"] = "celery worker (solo pool) on Redis" if worker else "in-process (eager)"
            client = Client()
            client.force_login(accountant)
            client.get(reverse("invoicing:invoice_list"))  # warm-up: first-request imports
            start, cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                response = client.post(reverse("invoicing:invoice_post", args=[invoice.pk]))
            figures["posting request"] = time.perf_counter() - start
            figures["posting request (CPU of the web process)"] = time.process_time() - cpu
            figures["posting queries"] = len(queries.captured_queries)
            assert response.status_code == 302, response.status_code
            while not Invoice.objects.filter(pk=invoice.pk).exclude(pdf_sha256="").exists():
                if time.perf_counter() - start > 300:
                    raise RuntimeError("no stored PDF after 300 s" + (worker.log()[-3000:] if worker else ""))
                time.sleep(0.1)
            figures["PDF stored after (from request start)"] = time.perf_counter() - start
    finally:
        if worker:
            worker.stop()
    invoice.refresh_from_db()
    t = time.perf_counter()
    data = documents.invoice_pdf_bytes(invoice=invoice)
    figures["download stored PDF"] = time.perf_counter() - t
    figures["PDF size (bytes)"] = len(data)
    figures["rendering (listing)"] = rendering_breakdown(invoice, table=False)
    if table:
        figures["rendering (table, before)"] = rendering_breakdown(invoice, table=True)
    return figures


class _NoBroker:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--table", action="store_true", help="also time the appendix as a table")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Run it on PostgreSQL: scripts/with-services.sh .venv/bin/python bench/pdf_posting.py")
        return 2
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        figures = measure(args.lines, table=args.table)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    for key, value in figures.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for step, seconds in value.items():
                shown = f"{seconds:8.2f} s" if isinstance(seconds, float) else f"{seconds:8}"
                print(f"    {step:<36} {shown}")
        elif isinstance(value, float):
            print(f"{key:<40} {value:8.2f} s")
        else:
            print(f"{key:<40} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
