"""Benchmark: the upsell sweep over 100 000 prepaid order lines on PostgreSQL.

    scripts/with-services.sh .venv/bin/python bench/upsell_sweep.py [--lines 100000]

Creates a throwaway database (Django's test database, migrated), fills it with bulk_create,
times the sweep (first run: flags and creates activities; second run: nothing new) and prints
the figures and query counts. The database is dropped at the end. Target: < 1 s per sweep.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
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
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from core.models import User  # noqa: E402
from projects.models import Project  # noqa: E402
from sales.models import Customer, Order, OrderLine, Product, Uom  # noqa: E402
from timesheets.models import TimesheetLine  # noqa: E402
from upsell.models import Activity  # noqa: E402
from upsell.sweep import upsell_sweep  # noqa: E402

LINES_PER_ORDER = 2


def _reference_rows():
    """Sellers, the agent, 2 000 customers, the five prepaid products (thresholds none / 80 / 90 /
    75 / none) and the project."""
    hours = Uom.objects.get(name="Hours")
    sellers = User.objects.bulk_create(
        [User(username=f"bench-seller-{i}", email=f"seller{i}@example.com", password="!") for i in range(20)]
    )
    agent = User.objects.create(username="bench-agent", password="!")
    customers = Customer.objects.bulk_create([Customer(name=f"Customer {i:05d}") for i in range(2000)])
    products = Product.objects.bulk_create(
        [
            Product(
                name=f"Prepaid {t}",
                invoice_policy="prepaid",
                uom=hours,
                price=Decimal("90"),
                upsell_threshold=t,
            )
            for t in (None, Decimal("80"), Decimal("90"), Decimal("75"), None)
        ]
    )
    project = Project.objects.create(name="Bench support")
    return hours, sellers, agent, customers, products, project


def _orders(n_orders: int, customers, sellers, rnd: random.Random) -> list:
    today = timezone.localdate()
    states = ["sale"] * 8 + ["done", "draft"]
    return Order.objects.bulk_create(
        [
            Order(
                name=f"SOB{i:07d}",
                customer=customers[i % len(customers)],
                salesperson=sellers[i % len(sellers)],
                state=rnd.choice(states),
                order_date=today - datetime.timedelta(days=rnd.randint(0, 365)),
            )
            for i in range(n_orders)
        ],
        batch_size=5000,
    )


def _prepaid_lines(orders, products, hours, rnd: random.Random) -> list:
    lines = []
    for order in orders:
        for j in range(LINES_PER_ORDER):
            quantity = Decimal(rnd.choice([10, 20, 50, 100]))
            # ~6 % at or past the threshold / used up, the rest well below.
            used = Decimal(rnd.uniform(0.92, 1.1) if rnd.random() < 0.06 else rnd.uniform(0, 0.7))
            lines.append(
                OrderLine(
                    order=order,
                    sequence=10 * (j + 1),
                    product=products[(order.pk + j) % len(products)],
                    description="Prepaid support",
                    quantity=quantity,
                    uom=hours,
                    price_unit=Decimal("90"),
                    invoice_policy="prepaid",
                    qty_delivered=(quantity * used).quantize(Decimal("0.01")),
                )
            )
    return OrderLine.objects.bulk_create(lines, batch_size=5000)


def build(n_lines: int, n_timesheets: int, rnd: random.Random) -> None:
    hours, sellers, agent, customers, products, project = _reference_rows()
    orders = _orders(n_lines // LINES_PER_ORDER, customers, sellers, rnd)
    lines = _prepaid_lines(orders, products, hours, rnd)
    today = timezone.localdate()
    TimesheetLine.objects.bulk_create(
        [
            TimesheetLine(
                date=today - datetime.timedelta(days=rnd.randint(0, 59)),
                employee=agent,
                hours=Decimal(rnd.choice(["0.25", "0.5", "1", "2", "4"])),
                project=project,
                sale_line=lines[rnd.randrange(len(lines))],
            )
            for _ in range(n_timesheets)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed_sweep(label: str) -> float:
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = upsell_sweep()
        elapsed = time.perf_counter() - start
    print(
        f"{label}: {elapsed * 1000:8.1f} ms, {len(queries.captured_queries):2d} queries — "
        f"{result.flagged} newly flagged, {result.total} flagged, {result.cleared} cleared, "
        f"{result.activities} activities"
    )
    if os.environ.get("BENCH_VERBOSE"):
        for q in queries.captured_queries:
            print(f"   {float(q['time']) * 1000:8.1f} ms  {q['sql'][:150]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--timesheets", type=int, default=60_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Run it on PostgreSQL: scripts/with-services.sh .venv/bin/python bench/upsell_sweep.py")
        return 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        start = time.perf_counter()
        build(args.lines, args.timesheets, random.Random(args.seed))
        print(
            f"data: {OrderLine.objects.count()} order lines, {Order.objects.count()} orders, "
            f"{TimesheetLine.objects.count()} timesheet lines ({time.perf_counter() - start:.1f} s to build)"
        )
        if os.environ.get("BENCH_EXPLAIN"):
            from upsell.groups import _groups_sql

            sql, params = _groups_sql(order_ids=None, today=timezone.localdate())
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + sql, params)
                print("\n".join(row[0] for row in cursor.fetchall()))
        first = timed_sweep("sweep 1 (flags, activities)")
        second = timed_sweep("sweep 2 (nothing new)   ")
        third = timed_sweep("sweep 3 (nothing new)   ")
        print(f"activities: {Activity.objects.count()}")
        print(f"RESULT: {args.lines} lines — first {first:.3f} s, steady {min(second, third):.3f} s")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
