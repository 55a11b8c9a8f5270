"""Scale benchmark: the portal at a million timesheet lines, every figure beside its floors.

    scripts/with-services.sh .venv/bin/python bench/scale.py               # make bench (1 M lines)
    scripts/with-services.sh .venv/bin/python bench/scale.py --smoke       # make bench-smoke
    ... bench/scale.py --lines 200000 --repeat 20 --keep                   # keep the database

Builds a throwaway database `bench` on the PostgreSQL of `with-services.sh` (bench/generate.py),
starts gunicorn (2 workers, DEBUG off) on it, runs the load client (bench/load.py) in another
process, counts each request's queries in-process with Django's test client, times the upsell
sweep, and prints one table. Floors measured in the same run: `floor DB` (one INSERT over
psycopg) and `floor API` (a bare authenticated DRF endpoint doing that INSERT).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import generate, report  # noqa: E402


def _database_urls() -> tuple[str, str]:
    """(maintenance URL, bench URL) from the DATABASE_URL of with-services.sh."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Run it on PostgreSQL: scripts/with-services.sh .venv/bin/python bench/scale.py")
    parts = urllib.parse.urlsplit(url)
    return parts._replace(path="/postgres").geturl(), parts._replace(path="/bench").geturl()


def _create_database(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench")
        conn.execute("CREATE DATABASE bench")


def _drop_database(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench WITH (FORCE)")


# Shared by gunicorn and this process: sessions made here must be valid there.
SECRET_KEY = "bench-only-secret-key-" + "x" * 40


def _setup_django(bench_url: str) -> None:
    os.environ["DATABASE_URL"] = bench_url
    os.environ["SECRET_KEY"] = SECRET_KEY
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


BULK_MODELS = (
    "core.User",
    "sales.Customer",
    "sales.Product",
    "projects.Project",
    "sales.Order",
    "sales.OrderLine",
    "helpdesk.Team",
    "helpdesk.Ticket",
    "timesheets.TimesheetLine",
    "invoicing.Invoice",
    "invoicing.InvoiceLine",
    "core.Sequence",
)


def _django_defaults_in_database() -> None:
    """The generator and the floors' INSERT name the columns they know; a column added later with
    a Django default (not a database default) gets it from the database, so both keep working.
    (Left in place: the bench database is thrown away and the portal always sends every value.)"""
    from django.apps import apps
    from django.db import connection

    with connection.schema_editor() as editor:
        for label in BULK_MODELS:
            model = apps.get_model(label)
            for field in model._meta.concrete_fields:
                # Django's default: the field's, or "" for text fields without one.
                value = None if field.primary_key or field.null else field.get_default()
                if value is None:
                    continue
                table, column = editor.quote_name(model._meta.db_table), editor.quote_name(field.column)
                value = field.get_db_prep_save(value, connection)
                default = f"SET DEFAULT {editor.quote_value(value)}"
                editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} {default}")


def build(scale: generate.Scale) -> dict:
    from django.apps import apps
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction

    from sales.models import Order
    from sales.services import order_lines_recompute

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()

    def recompute():
        with connection.cursor() as cur:
            # Statistics first: without them the planner may scan the timesheets per order line.
            cur.execute("ANALYZE")
        with transaction.atomic():  # every order and its lines: the one recompute path
            order_lines_recompute(line_ids=[], order_ids=Order.objects.values_list("pk", flat=True))

    _django_defaults_in_database()
    with connection.cursor() as cur:
        manifest = generate.build(
            cur, scale, password_hash=make_password(generate.PASSWORD), recompute=recompute
        )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    timesheet = apps.get_model("timesheets", "TimesheetLine")
    print(
        f"data: {timesheet.objects.count():,} timesheet lines, {scale.orders:,} orders "
        f"({scale.orders * generate.LINES_PER_ORDER:,} lines), {scale.tickets:,} tickets, "
        f"{scale.customers:,} customers; migrate {migrated - start:.1f} s, "
        f"generate {time.perf_counter() - migrated:.1f} s",
        flush=True,
    )
    return manifest


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_env(bench_url: str, work: Path) -> dict:
    """The environment of gunicorn and the Celery worker: production-like settings on the bench
    database, files in the run's directory, the Redis of with-services.sh as broker when there
    is one (PDFs are rendered after posting by the worker, as in the compose stack)."""
    env = dict(
        os.environ,
        DATABASE_URL=bench_url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="False",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,testserver",
        SECURE_SSL_REDIRECT="False",
        SESSION_COOKIE_SECURE="False",
        CSRF_COOKIE_SECURE="False",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        EMAIL_URL="consolemail://",
        MEDIA_ROOT=str(work / "media"),
    )
    env.pop("CELERY_BROKER_URL", None)
    env.pop("CELERY_RESULT_BACKEND", None)
    if os.environ.get("TEST_REDIS_URL"):
        env["CELERY_BROKER_URL"] = os.environ["TEST_REDIS_URL"] + "/5"
    return env


def start_worker(env: dict, log_path: Path) -> subprocess.Popen | None:
    if "CELERY_BROKER_URL" not in env:
        return None
    cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING"]
    cmd += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT)


def start_gunicorn(env: dict, port: int, log_path: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [str(gunicorn), "config.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    # A long timeout: the benchmark wants the real duration of slow requests, not a killed worker.
    cmd += ["--timeout", "900", "--log-level", "warning"]
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT)
    import http.client

    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/users/me/")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit(f"gunicorn did not start: see {log_path}")


def sessions(usernames) -> dict:
    from django.test import Client

    from core.models import User

    cookies = {}
    for username in usernames:
        client = Client()
        client.force_login(User.objects.get(username=username))
        cookies[username] = client.cookies["sessionid"].value
    return cookies


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="timesheet lines (default 1 M)")
    parser.add_argument("--smoke", action="store_true", help="10 000 lines, few repeats (CI)")
    parser.add_argument("--repeat", type=int, default=0, help="requests per figure (default 30, smoke 5)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument(
        "--invoice-orders", type=int, default=0, help="orders invoiced, posted, printed (default 3, smoke 1)"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--build-only", action="store_true", help="build the bench database, keep it, measure nothing"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the bench database kept by --build-only or --keep instead of building one",
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated figure names (e.g. ts_write,timesheets_page; 'invoicing', 'sweep'): "
        "only these, beside the floors and the bare GET",
    )
    args = parser.parse_args()
    args.lines = 10_000 if args.smoke else args.lines
    args.repeat = args.repeat or (5 if args.smoke else 30)
    args.invoice_orders = args.invoice_orders or (1 if args.smoke else 3)
    args.only = {name.strip() for name in args.only.split(",") if name.strip()}
    if args.reuse:
        args.keep = True
    return args


MANIFEST_TABLE = "bench_manifest"  # in the bench database: what --reuse needs of its build


def _save_manifest(manifest: dict) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {MANIFEST_TABLE} (data text NOT NULL)")
        cur.execute(f"DELETE FROM {MANIFEST_TABLE}")
        cur.execute(f"INSERT INTO {MANIFEST_TABLE} (data) VALUES (%s)", [json.dumps(manifest)])


def _load_manifest() -> dict:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SELECT data FROM {MANIFEST_TABLE}")
        return json.loads(cur.fetchone()[0])


def _forget_earlier_loads(manifest: dict) -> None:
    """--reuse: delete the lines an earlier run's load wrote (the floors' and the timesheet
    write's), so the hot agent's day has room again (24 h a day) and the figures compare."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM timesheets_timesheetline WHERE description IN ('floor', %s) AND date >= %s",
            [report.timesheet_body(manifest)["description"], manifest["today"]],
        )


def _measure(args, manifest: dict, work: Path, bench_url: str) -> dict:
    """Start gunicorn and the worker, run the load client, count the queries, print the table."""
    port = _free_port()
    env = service_env(bench_url, work)
    worker = start_worker(env, work / "worker.log")
    gunicorn = None
    try:
        gunicorn = start_gunicorn(env, port, work / "gunicorn.log")
        manifest.update(
            base_url=f"http://127.0.0.1:{port}",
            dsn=bench_url,
            repeat=args.repeat,
            warmup=4,
            sessions=sessions(["bench-admin", manifest["hot_agent"]]),
            invoicing=not args.only or "invoicing" in args.only,
        )
        manifest["figures"] = report.figures(manifest, smoke=args.smoke, only=args.only)
        (work / "manifest.json").write_text(json.dumps(manifest))
        pdfs = "a Celery worker on Redis" if worker else "in the request (no Redis: tasks run eagerly)"
        print(f"load client: {len(manifest['figures'])} figures x {args.repeat}; PDFs: {pdfs}", flush=True)
        load = [
            sys.executable,
            str(ROOT / "bench" / "load.py"),
            str(work / "manifest.json"),
            str(work / "out.json"),
        ]
        subprocess.run(load, check=True)
    finally:
        for process in (gunicorn, worker):
            if process is not None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
    results = json.loads((work / "out.json").read_text())
    if not args.only or "sweep" in args.only:
        results.update(report.sweep_figures())
    return results


def main() -> int:
    args = _arguments()
    admin_url, bench_url = _database_urls()
    if not args.reuse:
        _create_database(admin_url)
    _setup_django(bench_url)
    work = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    print(f"work directory (logs, PDFs): {work}", flush=True)
    succeeded = False
    try:
        if args.reuse:
            manifest = _load_manifest()
            _forget_earlier_loads(manifest)
        else:
            scale = generate.Scale(timesheets=args.lines, invoice_orders=args.invoice_orders)
            manifest = build(scale)
            manifest["lines"] = args.lines
            _save_manifest(manifest)
        if args.build_only:
            args.keep = True
            return 0
        results = _measure(args, manifest, work, bench_url)
        queries = report.query_counts(manifest, only=args.only)
        print(report.table(results, queries, manifest, lines=manifest.get("lines", args.lines)))
        if args.json:
            Path(args.json).write_text(json.dumps({"results": results, "queries": queries}, indent=1))
        succeeded = True
        return report.exit_status(results)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _drop_database(admin_url)
        if succeeded:  # logs and PDFs stay when something failed (path printed above)
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
