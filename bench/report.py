"""What the scale benchmark measures (figures, targets), the in-process parts (query counts, upsell
sweep) and the printed table. Runs inside bench/scale.py after `django.setup()`."""

from __future__ import annotations

import datetime
import statistics
import time

PAGE_TARGET_MS = 150
# The machine is shared: absolute times swing 2-4x with its load. Pages are also judged against
# the bare authenticated GET of the same run: the issue measured it at 7.5 ms, so 150 ms is 20x.
PAGE_TARGET_X_BARE = 20

# (name, label, path, auth user key, target) of every read figure; "{...}" filled from the manifest.
READS = [
    ("ticket_page_small", "ticket page (10 lines)", "/helpdesk/tickets/{small_ticket}/", "admin"),
    ("ticket_page_hot", "ticket page ({hot_ticket_lines} lines)", "/helpdesk/tickets/{hot_ticket}/", "admin"),
    ("ticket_list", "ticket list page", "/helpdesk/", "admin"),
    ("order_page", "order page", "/sales/orders/{plain_order}/", "admin"),
    ("order_list", "order list page", "/sales/orders/", "admin"),
    ("timesheets_page", "timesheets page (admin)", "/timesheets/", "admin"),
    ("timesheets_page_agent", "timesheets page (agent)", "/timesheets/", "agent"),
    ("invoice_list", "invoice list page", "/invoicing/invoices/", "admin"),
    # Sorted lists: the date order both ways is the index; a costly sort past the count cap keeps
    # the date order (core.listing); the other lists sort their few thousand rows.
    ("timesheets_oldest", "timesheets page, oldest first", "/timesheets/?sort=date", "admin"),
    ("timesheets_by_hours", "timesheets page ?sort=-hours", "/timesheets/?sort=-hours", "admin"),
    ("ticket_list_sorted", "ticket list ?sort=customer", "/helpdesk/?sort=customer", "admin"),
    ("order_list_sorted", "order list ?sort=-total", "/sales/orders/?sort=-total", "admin"),
    ("invoice_list_sorted", "invoice list ?sort=customer", "/invoicing/invoices/?sort=customer", "admin"),
    ("home_admin", "home page (every section)", "/", "admin"),
    ("api_timesheets", "GET /api/v1/timesheets/", "/api/v1/timesheets/", "admin"),
    (
        "api_timesheets_ticket",
        "GET /api/v1/timesheets/?ticket=",
        "/api/v1/timesheets/?ticket={hot_ticket}",
        "admin",
    ),
    ("api_tickets", "GET /api/v1/tickets/", "/api/v1/tickets/", "admin"),
    ("api_orders", "GET /api/v1/orders/", "/api/v1/orders/", "admin"),
    ("api_invoices", "GET /api/v1/invoices/", "/api/v1/invoices/", "admin"),
]
LABELS = {
    "floor_db": "floor DB: one INSERT over psycopg",
    "floor_db_4": "floor DB, 4 clients",
    "floor_api": "floor API: bare DRF POST, one INSERT",
    "floor_api_4": "floor API, 4 clients",
    "users_me": "GET /api/v1/users/me/ (bare GET)",
    "ts_write": "POST /api/v1/timesheets/ (hot line)",
    "ts_write_4": "POST /api/v1/timesheets/, 4 clients",
    "invoice_create": "invoice from {invoice_lines} lines",
    "invoice_post": "post that invoice",
    "invoice_pdf": "GET its PDF (after posting)",
    "invoice_pdf_ready": "PDF stored, after posting",
    "upsell_sweep_first": "upsell sweep (first run)",
    "upsell_sweep_steady": "upsell sweep (steady)",
}
FIXED_TARGETS = {
    "invoice_post": 2000,
    "invoice_pdf_ready": 20000,
    "upsell_sweep_steady": 1000,
}


def _user_id(username: str) -> int:
    from core.models import User

    return User.objects.get(username=username).pk


def _users(m: dict) -> dict:
    return {"admin": "bench-admin", "agent": m["hot_agent"]}


def _path(path: str, m: dict) -> str:
    return path.format(**m)


def timesheet_body(m: dict) -> dict:
    # Tomorrow, 0.01 h: the generated history fills the hot agent's days up to today, and one
    # employee's day holds at most 24 h (a 400 past that) while the load repeats this write.
    tomorrow = datetime.date.fromisoformat(m["today"]) + datetime.timedelta(days=1)
    return {
        "date": tomorrow.isoformat(),
        "hours": "0.01",
        "ticket": m["hot_ticket"],
        "description": "Bench call",
    }


# Always measured, also with --only: every figure is read against them.
FLOORS = ("floor_db", "floor_db_4", "floor_api", "floor_api_4", "users_me")


def _wanted(name: str, only: set) -> bool:
    return not only or name in only or name in FLOORS


def figures(m: dict, *, smoke: bool, only: set = frozenset()) -> list[dict]:
    """The load client's figures; `only` (names) keeps those and the floors."""
    return [figure for figure in _all_figures(m) if _wanted(figure["name"], only)]


def _all_figures(m: dict) -> list[dict]:
    agent = m["hot_agent"]
    db = {"kind": "db", "employee": _user_id(agent), "project": 1}
    floor = {"kind": "http", "auth": "token", "user": agent, "method": "POST", "path": "/bench/floor/"}
    write = {"kind": "http", "auth": "token", "user": agent, "method": "POST", "path": "/api/v1/timesheets/"}
    four = {"clients": 4, "n": max(5, m["repeat"] // 2)}
    result = [
        {"name": "floor_db", **db, "n": m["repeat"] * 3},
        {"name": "floor_db_4", **db, **four},
        {"name": "floor_api", **floor, "body": {"project": 1}},
        {"name": "floor_api_4", **floor, "body": {"project": 1}, **four},
        {
            "name": "users_me",
            "kind": "http",
            "auth": "token",
            "user": agent,
            "method": "GET",
            "path": "/api/v1/users/me/",
        },
        {"name": "ts_write", **write, "body": timesheet_body(m)},
        {"name": "ts_write_4", **write, "body": timesheet_body(m), **four},
    ]
    users = _users(m)
    for name, _label, path, who in READS:
        auth = "token" if path.startswith("/api/") else "session"
        result.append(
            {
                "name": name,
                "kind": "http",
                "auth": auth,
                "user": users[who],
                "method": "GET",
                "path": _path(path, m),
            }
        )
    return result


def sweep_figures() -> dict:
    """The upsell sweep over every prepaid line, in-process: first run, then the steady state."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from upsell.sweep import upsell_sweep

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    results = {}
    for name in ("upsell_sweep_first", "upsell_sweep_steady"):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            upsell_sweep()
            elapsed = (time.perf_counter() - start) * 1000
        results[name] = {
            "ms": [elapsed],
            "wall": elapsed / 1000,
            "clients": 1,
            "statuses": [200],
            "queries": len(queries.captured_queries),
        }
    return results


def query_counts(m: dict, only: set = frozenset()) -> dict:
    """Queries of one request of each figure, counted in-process with Django's test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from core.models import User

    counts = {}
    users = _users(m)
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        clients = {}
        for who, username in users.items():
            clients[who] = Client()
            clients[who].force_login(User.objects.get(username=username))
        token = {"HTTP_AUTHORIZATION": f"Token {m['tokens'][m['hot_agent']]}"}
        requests = [
            (
                "floor_api",
                lambda: Client().post(
                    "/bench/floor/", {"project": 1}, content_type="application/json", **token
                ),
            ),
            ("users_me", lambda: Client().get("/api/v1/users/me/", **token)),
            (
                "ts_write",
                lambda: Client().post(
                    "/api/v1/timesheets/", timesheet_body(m), content_type="application/json", **token
                ),
            ),
        ]
        for name, _label, path, who in READS:
            requests.append((name, lambda path=path, who=who: clients[who].get(_path(path, m))))
        for name, call in requests:
            if not _wanted(name, only) and not _wanted(f"{name}_4", only):
                continue
            with CaptureQueriesContext(connection) as queries:
                response = call()
            assert response.status_code in (200, 201), (name, response.status_code)
            counts[name] = len(queries.captured_queries)
    for name in ("floor_api_4", "ts_write_4"):
        if name.removesuffix("_4") in counts:
            counts[name] = counts[name.removesuffix("_4")]
    counts["floor_db"] = counts["floor_db_4"] = 1
    return counts


def _median(values):
    return statistics.median(values) if values else None


def _p95(values):
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def _rate(result) -> float:
    """Requests per second: all clients' requests over the slowest client's wall time."""
    return len(result["ms"]) / result["wall"] if result["wall"] else 0.0


def _target(name: str, results: dict) -> tuple[str, str]:
    """(target text, status) of one figure."""
    result = results[name]
    median = _median(result["ms"])
    if name in ("ts_write", "ts_write_4"):
        floor = results.get("floor_api" + name.removeprefix("ts_write"))
        if not floor:
            return "", ""
        share = _rate(result) / _rate(floor)
        return f">= 50 % of floor API rate ({share:.0%})", "ok" if share >= 0.5 else "MISS"
    if name in FIXED_TARGETS:
        limit = FIXED_TARGETS[name]
        return f"< {limit:,} ms", "ok" if median is not None and median < limit else "MISS"
    if any(name == read[0] for read in READS):
        bare = _median(results["users_me"]["ms"]) if "users_me" in results else None
        relative = median / bare if bare else None
        status = "ok" if median < PAGE_TARGET_MS else "MISS"
        if status == "MISS" and relative is not None and relative <= PAGE_TARGET_X_BARE:
            status = f"MISS abs.; ok <= {PAGE_TARGET_X_BARE}x bare GET"
        return f"< {PAGE_TARGET_MS} ms", status
    return "", ""


def table(results: dict, queries: dict, m: dict, *, lines: int) -> str:
    labels = dict(LABELS)
    labels.update({name: label for name, label, _path, _who in READS})
    head = (
        f"Scale benchmark: {lines:,} timesheet lines, gunicorn 2 workers; ms per request "
        "(median, p95 over the repeats); x bare GET = median / median of GET users/me/ (same run); "
        "req/s = all clients' requests / wall time\n"
    )
    rows = [
        "| figure | clients | n | median ms | p95 ms | x bare GET | req/s | queries | target | status |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    bare = _median(results["users_me"]["ms"]) if "users_me" in results else None
    for name, result in results.items():
        label = labels.get(name, name).format(**m)
        median, p95 = _median(result["ms"]), _p95(result["ms"])
        count = queries.get(name, result.get("queries", ""))
        target, status = _target(name, results)
        bad = [s for s in result["statuses"] if s not in (0, 200, 201)]
        if bad:
            status = f"HTTP {bad}"
        relative = f"{median / bare:,.1f}" if bare and median is not None else ""
        rows.append(
            f"| {label} | {result['clients']} | {len(result['ms'])} | "
            f"{'' if median is None else f'{median:,.1f}'} | {'' if p95 is None else f'{p95:,.1f}'} | "
            f"{relative} | {_rate(result):,.1f} | {count} | {target} | {status} |"
        )
    return head + "\n".join(rows)


def exit_status(results: dict) -> int:
    """1 when a request failed (the harness is broken), 0 otherwise: misses are reported, not fatal."""
    return int(any(s not in (0, 200, 201) for r in results.values() for s in r["statuses"]))
