"""Rebuild the summaries the database keeps for the reports (reports.models), from the lines.

The triggers of the `reports` migrations keep them right through every write; only a load that
bypasses triggers (`SET session_replication_role = replica`, as bench/generate.py does) must
call `rebuild_summaries` afterwards. PostgreSQL only; the same statements as the migrations'
backfill.
"""

REBUILD = """
TRUNCATE reports_hoursbyday, reports_unbilledhours;
INSERT INTO reports_hoursbyday (date, employee_id, project_id, billable, on_timesheets, billed, hours, lines)
SELECT t.date, t.employee_id, t.project_id, t.sale_line_id IS NOT NULL,
       COALESCE(l.invoice_policy = 'timesheet', FALSE), t.invoice_id IS NOT NULL, SUM(t.hours), COUNT(*)
FROM timesheets_timesheetline t LEFT JOIN sales_orderline l ON l.id = t.sale_line_id
GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO reports_unbilledhours (sale_line_id, hours, lines, first_date, last_date)
SELECT t.sale_line_id, SUM(t.hours), COUNT(*), MIN(t.date), MAX(t.date)
FROM timesheets_timesheetline t WHERE t.sale_line_id IS NOT NULL AND t.invoice_id IS NULL
GROUP BY t.sale_line_id;
ANALYZE reports_hoursbyday, reports_unbilledhours;
"""


def rebuild_summaries(cursor) -> None:
    cursor.execute(REBUILD)
