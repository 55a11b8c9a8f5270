"""The load client of the scale benchmark: a separate process that times HTTP requests against the
benchmark's gunicorn and the database floor over psycopg. Standard library + psycopg only.

    python bench/load.py MANIFEST.json RESULTS.json

The manifest (written by bench/scale.py) gives the base URL, tokens, session cookies, ids and
repeat counts; the results are, per figure, every latency in ms, the wall time and the clients.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import sys
import time
import urllib.parse

import psycopg

FLOOR_INSERT = (
    "INSERT INTO timesheets_timesheetline (created_at, updated_at, date, description, hours, "
    "employee_id, project_id) VALUES (now(), now(), current_date, 'floor', 1, %s, %s) RETURNING id"
)


class Http:
    """One request per connection, as a browser behind gunicorn's sync workers gets."""

    def __init__(self, base_url: str, *, token: str = "", session: str = ""):
        url = urllib.parse.urlsplit(base_url)
        self.host, self.port = url.hostname, url.port
        self.headers = {"Accept": "application/json, text/html"}
        if token:
            self.headers["Authorization"] = f"Token {token}"
        if session:
            self.headers["Cookie"] = f"sessionid={session}"

    def call(self, method: str, path: str, body=None, timeout: float = 900) -> tuple[int, float, bytes]:
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        return response.status, (time.perf_counter() - start) * 1000, content


def _http_worker(args) -> dict:
    base_url, auth, method, path, body, n, warmup = args
    client = Http(base_url, **auth)
    for _ in range(warmup):
        client.call(method, path, body)
    latencies, statuses = [], set()
    start = time.perf_counter()
    for _ in range(n):
        status, ms, _ = client.call(method, path, body)
        latencies.append(ms)
        statuses.add(status)
    return {"ms": latencies, "wall": time.perf_counter() - start, "statuses": sorted(statuses)}


def _db_worker(args) -> dict:
    dsn, employee, project, n, warmup = args
    with psycopg.connect(dsn, autocommit=True) as conn:
        for _ in range(warmup):
            conn.execute(FLOOR_INSERT, (employee, project)).fetchone()
        latencies = []
        start = time.perf_counter()
        for _ in range(n):
            t0 = time.perf_counter()
            conn.execute(FLOOR_INSERT, (employee, project)).fetchone()
            latencies.append((time.perf_counter() - t0) * 1000)
    return {"ms": latencies, "wall": time.perf_counter() - start, "statuses": [0]}


def _run(worker, job_args: list, clients: int) -> dict:
    """Run `clients` copies of a job at once; merge their latencies. Wall = slowest client."""
    if clients == 1:
        parts = [worker(job_args[0])]
    else:
        with multiprocessing.Pool(clients) as pool:
            parts = pool.map(worker, job_args)
    return {
        "ms": [ms for part in parts for ms in part["ms"]],
        "wall": max(part["wall"] for part in parts),
        "clients": clients,
        "statuses": sorted({s for part in parts for s in part["statuses"]}),
    }


def measure_figures(m: dict) -> dict:
    results = {}
    for figure in m["figures"]:
        clients = figure.get("clients", 1)
        n = figure.get("n", m["repeat"])
        warmup = figure.get("warmup", m["warmup"])
        if figure["kind"] == "db":
            args = [(m["dsn"], figure["employee"], figure["project"], n, warmup)] * clients
            results[figure["name"]] = _run(_db_worker, args, clients)
            continue
        auth = {"token": m["tokens"][figure["user"]]} if figure["auth"] == "token" else {}
        if figure["auth"] == "session":
            auth = {"session": m["sessions"][figure["user"]]}
        args = [
            (m["base_url"], auth, figure["method"], figure["path"], figure.get("body"), n, warmup)
        ] * clients
        results[figure["name"]] = _run(_http_worker, args, clients)
        print(f"  {figure['name']}: done", file=sys.stderr, flush=True)
    return results


def _poll_pdf(dsn: str, invoice_id: int, started: float, limit_s: float) -> float | None:
    """Seconds from `started` until the invoice's PDF is stored (its SHA-256 recorded, SPEC
    Invoicing), whether posting rendered it or a task after commit; None past `limit_s`."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        while time.perf_counter() - started < limit_s:
            row = conn.execute(
                "SELECT pdf_sha256 FROM invoicing_invoice WHERE id = %s", (invoice_id,)
            ).fetchone()
            if row and row[0]:
                return time.perf_counter() - started
            time.sleep(0.25)
    return None


def measure_invoicing(m: dict) -> dict:
    """Create, post and print an invoice of each invoice order (one each: posting is final)."""
    client = Http(m["base_url"], token=m["tokens"]["bench-admin"])
    created, posted, pdf, ready = [], [], [], []
    statuses = set()
    for order_id in m["invoice_orders"]:
        status, ms, content = client.call(
            "POST", f"/api/v1/orders/{order_id}/invoice/", {"method": "regular"}
        )
        statuses.add(status)
        created.append(ms)
        if status != 201:
            print(f"  invoice of order {order_id}: {status} {content[:300]!r}", file=sys.stderr)
            continue
        invoice_id = json.loads(content)["id"]
        started = time.perf_counter()
        status, ms, content = client.call("POST", f"/api/v1/invoices/{invoice_id}/post/")
        statuses.add(status)
        posted.append(ms)
        if status == 200:
            seconds = _poll_pdf(m["dsn"], invoice_id, started, limit_s=300)
            if seconds is not None:
                ready.append(seconds * 1000)
        status, ms, _ = client.call("GET", f"/api/v1/invoices/{invoice_id}/pdf/")
        statuses.add(status)
        pdf.append(ms)
        print(f"  invoice of order {order_id}: done", file=sys.stderr, flush=True)

    def result(values):
        return {"ms": values, "wall": sum(values) / 1000, "clients": 1, "statuses": sorted(statuses)}

    results = {"invoice_create": result(created), "invoice_post": result(posted), "invoice_pdf": result(pdf)}
    if ready:
        results["invoice_pdf_ready"] = result(ready)
    return results


def main() -> int:
    manifest_path, results_path = sys.argv[1], sys.argv[2]
    with open(manifest_path) as fh:
        manifest = json.load(fh)
    results = measure_figures(manifest)
    if manifest.get("invoicing", True):
        results.update(measure_invoicing(manifest))
    with open(results_path, "w") as fh:
        json.dump(results, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
