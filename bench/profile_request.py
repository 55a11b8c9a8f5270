"""Profile one request of the portal in-process (pyinstrument) and print its SQL with timings.

    DATABASE_URL=postgres://.../bench .venv/bin/python bench/profile_request.py /timesheets/ [--user NAME]
    ... --explain      # EXPLAIN (ANALYZE, BUFFERS) of the slowest statements

Run it on a database kept by `bench/scale.py --build-only` (or --keep).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import DatabaseError, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from core.models import User  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--user", default="bench-admin")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--json", help="request body (JSON) for POST")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) every SELECT")
    parser.add_argument("--full-plans", action="store_true")
    parser.add_argument("--top", type=int, default=5, help="statements to show (slowest first)")
    args = parser.parse_args()
    user = User.objects.get(username=args.user)
    client = Client()
    client.force_login(user)
    token = getattr(user, "auth_token", None)
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"} if token and args.path.startswith("/api/") else {}

    def call():
        if args.method == "GET":
            return client.get(args.path, **headers)
        return client.generic(args.method, args.path, args.json or "", "application/json", **headers)

    with override_settings(ALLOWED_HOSTS=["testserver"]):
        call()  # warm caches, imports
        profiler = Profiler(interval=0.001)
        with CaptureQueriesContext(connection) as queries:
            profiler.start()
            response = call()
            profiler.stop()
    print(f"{args.method} {args.path} -> {response.status_code}, {len(queries.captured_queries)} queries")
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    # Server-side cursors (form choices iterate them) run at FETCH time, not at DECLARE: the
    # time shown for them is not theirs. EXPLAIN ANALYZE gives the real cost of every SELECT.
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[: args.top]
    for q in slowest if not args.explain else queries.captured_queries:
        sql = re.sub(r'^DECLARE "[^"]+" NO SCROLL CURSOR (WITH HOLD )?FOR ', "", q["sql"])
        print(f"{float(q['time']) * 1000:8.1f} ms  {sql[:300]}")
        if args.explain and sql.lstrip().upper().startswith("SELECT"):
            try:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan = [row[0] for row in cursor.fetchall()]
            except DatabaseError as exc:  # the logged SQL does not always re-parse (quoting)
                print(f"      (no plan: {str(exc).splitlines()[0]})")
                continue
            print("      " + "\n      ".join(plan if args.full_plans else plan[:1] + plan[-2:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
