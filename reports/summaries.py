"""Rebuild and compact the summaries the database keeps for the reports (reports.models).

The triggers of the `reports` migrations keep them right through every write; only a load that
bypasses triggers (`SET session_replication_role = replica`, as bench/generate.py does) must
call `rebuild_summaries` afterwards. `compact` folds the customer-month log (one row per key and
write) into one row per key: run by beat ("compact-report-summaries"). PostgreSQL only; the
same statements as the migrations' backfill.
"""

import importlib

from django.db import connection, transaction

_BILLED = importlib.import_module("reports.migrations.0003_billed_hours")
_CUSTOMER_MONTH = importlib.import_module("reports.migrations.0004_hours_by_customer_month")
_ORDER_LINE = importlib.import_module("reports.migrations.0005_hours_by_order_line")

REBUILD = f"""
{_BILLED.REBUILD}
TRUNCATE {_CUSTOMER_MONTH.TABLE};
INSERT INTO {_CUSTOMER_MONTH.TABLE} ({_CUSTOMER_MONTH.KEY}, hours, billed_hours, lines)
SELECT {_CUSTOMER_MONTH.row_key()}, SUM(t.hours), SUM(COALESCE(t.billed_hours, t.hours)), COUNT(*)
FROM timesheets_timesheetline t {_CUSTOMER_MONTH.JOINS}
GROUP BY 1, 2, 3, 4, 5;
{_ORDER_LINE.REBUILD}
ANALYZE reports_hoursbyday, reports_unbilledhours, {_CUSTOMER_MONTH.TABLE}, {_ORDER_LINE.TABLE};
"""

# Keys with more than one row (or one empty row): their rows deleted and summed back as one.
# Rows a concurrent writer appends after this statement's snapshot are neither deleted nor
# counted, so nothing is lost; the advisory lock keeps two compactions from doing the work twice.
KEY = _CUSTOMER_MONTH.KEY
COMPACT = f"""
WITH keys AS (
    SELECT {KEY} FROM {_CUSTOMER_MONTH.TABLE} GROUP BY {KEY}
    HAVING COUNT(*) > 1 OR (SUM(lines) = 0 AND SUM(hours) = 0 AND SUM(billed_hours) = 0)
), folded AS (
    DELETE FROM {_CUSTOMER_MONTH.TABLE} s USING keys k
    WHERE (s.month, s.customer_id, s.billable, s.policy, s.billed)
        = (k.month, k.customer_id, k.billable, k.policy, k.billed)
    RETURNING s.*
)
INSERT INTO {_CUSTOMER_MONTH.TABLE} ({KEY}, hours, billed_hours, lines)
SELECT {KEY}, SUM(hours), SUM(billed_hours), SUM(lines) FROM folded GROUP BY {KEY}
HAVING SUM(lines) <> 0 OR SUM(hours) <> 0 OR SUM(billed_hours) <> 0
"""


def rebuild_summaries(cursor) -> None:
    cursor.execute(REBUILD)


def compact() -> int:
    """Fold the customer-month log; the number of rows removed (0 when another run holds it)."""
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [_CUSTOMER_MONTH.TABLE])
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(f"SELECT COUNT(*) FROM {_CUSTOMER_MONTH.TABLE}")
        before = cursor.fetchone()[0]
        cursor.execute(COMPACT)
        cursor.execute(f"SELECT COUNT(*) FROM {_CUSTOMER_MONTH.TABLE}")
        return before - cursor.fetchone()[0]
