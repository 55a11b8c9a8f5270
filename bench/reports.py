"""Benchmark: the report pages at a million timesheet lines (target < 500 ms each).

    scripts/with-services.sh .venv/bin/python bench/reports.py                 # 1 000 000 lines
    scripts/with-services.sh .venv/bin/python bench/reports.py --lines 100000 --repeat 5
    BENCH_EXPLAIN=1 ...   # EXPLAIN ANALYZE of each report's queries (first run)

Builds the throwaway `bench` database with the scale generator (bench/generate.py: 2 000
customers, 20 000 orders, 9 000 posted invoices, three years of dates at 1 M lines), then
requests each report page in-process (Django test client, an admin and an agent session) over
the whole three years (the worst case: every line aggregated) and over the default range (the
last 12 months), and prints a table: median and worst time, queries, target and status.

The first row is the floor: the reports' index page (session, user, roles, navigation, a
template; no report query), measured in the same run. On a loaded machine every figure grows
with it: a report's own cost is roughly its time minus the floor (the "over floor" column); the
load average before and after is printed too. The database is dropped at the end (--keep).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import generate, scale  # noqa: E402

TARGET_MS = 500


def figures(manifest: dict) -> list[tuple[str, str, str]]:
    """(label, who, path) of every figure; "whole" = all three years of data."""
    whole = f"date_from=2000-01-01&date_to={manifest['today']}"
    return [
        ("floor: reports index (no report query)", "admin", "/reports/"),
        ("hours by customer", "admin", f"/reports/hours/?by=customer&{whole}"),
        ("hours by customer, last 12 months", "admin", "/reports/hours/?by=customer"),
        ("hours by employee", "admin", f"/reports/hours/?by=employee&{whole}"),
        ("hours by project", "admin", f"/reports/hours/?by=project&{whole}"),
        ("hours by month", "admin", f"/reports/hours/?by=month&{whole}"),
        ("hours, one customer", "admin", f"/reports/hours/?by=month&customer=7&{whole}"),
        ("hours of an agent", "agent", f"/reports/hours/?by=month&{whole}"),
        ("unbilled work", "admin", f"/reports/unbilled/?{whole}"),
        ("unbilled work, one customer", "admin", f"/reports/unbilled/?customer=7&{whole}"),
        ("revenue by month", "admin", f"/reports/revenue/?{whole}"),
        ("aged receivables", "admin", f"/reports/receivables/?{whole}"),
        ("prepaid burn-down", "admin", f"/reports/burndown/?{whole}"),
        ("prepaid burn-down, last 12 months", "admin", "/reports/burndown/"),
        ("hours CSV", "admin", f"/reports/hours/?by=customer&format=csv&{whole}"),
    ]


# A few employee rates (SPEC Time policy) on post-paid lines and projects with time to invoice,
# added after the other figures: the unbilled statement then prices the rated lines' time per
# employee and rate.
RATES = """
INSERT INTO projects_employeerate (employee_id, sale_line_id, project_id, hourly_rate)
SELECT employee_id, sale_line_id, NULL, 150.00 FROM (
    SELECT DISTINCT ON (t.sale_line_id) t.employee_id, t.sale_line_id
    FROM timesheets_timesheetline t JOIN sales_orderline l ON l.id = t.sale_line_id
    WHERE t.invoice_id IS NULL AND l.invoice_policy = 'timesheet'
    ORDER BY t.sale_line_id, t.employee_id LIMIT %(line_rates)s
) picked
ON CONFLICT DO NOTHING;
INSERT INTO projects_employeerate (employee_id, sale_line_id, project_id, hourly_rate)
SELECT employee_id, NULL, project_id, 120.00 FROM (
    SELECT DISTINCT t.employee_id, t.project_id
    FROM timesheets_timesheetline t JOIN sales_orderline l ON l.id = t.sale_line_id
    WHERE t.invoice_id IS NULL AND l.invoice_policy = 'timesheet'
    ORDER BY t.project_id, t.employee_id LIMIT %(project_rates)s
) picked
ON CONFLICT DO NOTHING;
ANALYZE projects_employeerate;
"""


def add_employee_rates(*, line_rates: int = 50, project_rates: int = 20) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(RATES, {"line_rates": line_rates, "project_rates": project_rates})


def rated_figures(manifest: dict) -> list[tuple[str, str, str]]:
    whole = f"date_from=2000-01-01&date_to={manifest['today']}"
    return [
        ("unbilled work, 50 line + 20 project employee rates", "admin", f"/reports/unbilled/?{whole}"),
        ("unbilled work, employee rates, last 12 months", "admin", "/reports/unbilled/"),
    ]


def measure(manifest: dict, repeat: int, figure_list: list | None = None) -> list[dict]:
    from django.db import connection
    from django.test import Client

    from core.models import User

    clients = {}
    for who, username in (("admin", "bench-admin"), ("agent", manifest["hot_agent"])):
        clients[who] = Client()
        clients[who].force_login(User.objects.get(username=username))
    results = []
    for label, who, path in figure_list or figures(manifest):
        times, captured = [], []

        def record(execute, sql, params, many, context, captured=captured):
            captured.append({"sql": sql, "params": params})
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            response = clients[who].get(path)
        if os.environ.get("BENCH_EXPLAIN"):
            explain(captured)
        for _ in range(repeat):
            start = time.perf_counter()
            clients[who].get(path)
            times.append((time.perf_counter() - start) * 1000)
        results.append(
            {
                "label": label,
                "status": response.status_code,
                "queries": len(captured),
                "median": statistics.median(times),
                "worst": max(times),
            }
        )
        print(f"  {label}: {results[-1]['median']:.0f} ms", flush=True)
    return results


def explain(captured) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        for query in captured:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")) or "django_session" in sql:
                continue
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, query["params"])
            print("\n".join(row[0] for row in cur.fetchall()), "\n", flush=True)


def load_average() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def table(results: list[dict], lines: int, load: str) -> str:
    floor = results[0]["median"]
    rows = [
        f"Reports at {lines:,} timesheet lines (in-process, ms per request; load average {load})",
        "| report | median ms | worst ms | over floor ms | queries | target | status |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if r["status"] != 200:
            status = f"ERROR ({r['status']})"
        else:
            status = "ok" if r["median"] < TARGET_MS else "MISS"
        over = "" if r is results[0] else f"{r['median'] - floor:,.0f}"
        figures_ms = f"{r['median']:,.0f} | {r['worst']:,.0f} | {over}"
        rows.append(f"| {r['label']} | {figures_ms} | {r['queries']} | < {TARGET_MS} ms | {status} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args()
    admin_url, bench_url = scale._database_urls()
    scale._create_database(admin_url)
    scale._setup_django(bench_url)
    try:
        from django.test.utils import override_settings

        manifest = scale.build(generate.Scale(timesheets=args.lines))
        before = load_average()
        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            results = measure(manifest, args.repeat)
            add_employee_rates()
            results += measure(manifest, args.repeat, rated_figures(manifest))
        print(table(results, args.lines, f"{before} before, {load_average()} after (1/5/15 min)"))
        return 0 if all(r["status"] == 200 for r in results) else 1
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            scale._drop_database(admin_url)


if __name__ == "__main__":
    sys.exit(main())
