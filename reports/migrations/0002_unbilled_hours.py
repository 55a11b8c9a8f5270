"""Not yet invoiced timesheet hours per order line, kept by PostgreSQL triggers.

Statement-level triggers with transition tables, like 0001: the delta of a statement (-old
uninvoiced rows + new uninvoiced rows per order line) is upserted in order-line order. The date
bounds only widen (LEAST / GREATEST with the new rows) until no line is left, so the upsert
stays a pure delta and concurrent writers need no recount; the unbilled report trusts the total
only when the bounds lie inside its period. A timesheet write touches the row of its order
line, which the timesheet services lock already (delivered quantities). No-op off PostgreSQL.
"""

from django.db import migrations, models

APPLY_DELTA = """
    INSERT INTO reports_unbilledhours AS s (sale_line_id, hours, lines, first_date, last_date)
    SELECT sale_line_id, SUM(hours), SUM(lines), MIN(day), MAX(day) FROM (
        %s
    ) delta(sale_line_id, hours, lines, day)
    GROUP BY sale_line_id
    HAVING SUM(hours) <> 0 OR SUM(lines) <> 0 OR MIN(day) IS NOT NULL
    ORDER BY sale_line_id
    ON CONFLICT (sale_line_id) DO UPDATE SET
        hours = s.hours + EXCLUDED.hours,
        lines = s.lines + EXCLUDED.lines,
        first_date = CASE WHEN s.lines + EXCLUDED.lines = 0 THEN NULL
                          ELSE LEAST(s.first_date, EXCLUDED.first_date) END,
        last_date = CASE WHEN s.lines + EXCLUDED.lines = 0 THEN NULL
                         ELSE GREATEST(s.last_date, EXCLUDED.last_date) END;
"""
UNINVOICED = "t.sale_line_id IS NOT NULL AND t.invoice_id IS NULL"
OLD_ROWS = f"SELECT t.sale_line_id, -t.hours, -1, NULL::date FROM old_rows t WHERE {UNINVOICED}"
NEW_ROWS = f"SELECT t.sale_line_id, t.hours, 1, t.date FROM new_rows t WHERE {UNINVOICED}"
# An update counts only the rows whose order line, hours, date or invoiced state changed.
CHANGED = """(o.sale_line_id, o.hours, o.date, o.invoice_id IS NULL)
    IS DISTINCT FROM (n.sale_line_id, n.hours, n.date, n.invoice_id IS NULL)"""
UPDATED_ROWS = f"""
    SELECT o.sale_line_id, -o.hours, -1, NULL::date
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE o.sale_line_id IS NOT NULL AND o.invoice_id IS NULL AND {CHANGED}
    UNION ALL
    SELECT n.sale_line_id, n.hours, 1, n.date
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.sale_line_id IS NOT NULL AND n.invoice_id IS NULL AND {CHANGED}
"""

# The house lock order is orders -> order lines -> invoices -> timesheet lines, then these
# summary rows. The services lock the orders before they change timesheet lines, except the
# INSERT of a new line (its order is locked by the recompute after it): so the trigger locks
# the orders of the rows itself first (a no-op when the service holds them), else a logger
# holding a summary row would wait for the order an invoicer holds while waiting for that row.
LOCK_ORDERS = """
    PERFORM 1 FROM sales_order o
    WHERE o.id IN (SELECT l.order_id FROM sales_orderline l WHERE l.id IN (%s))
    ORDER BY o.id FOR NO KEY UPDATE;  -- the mode of core.locks.lock_rows
"""

CREATE = f"""
CREATE FUNCTION reports_unbilled_hours_timesheets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {LOCK_ORDERS % "SELECT sale_line_id FROM new_rows"}
        {APPLY_DELTA % NEW_ROWS}
    ELSIF TG_OP = 'DELETE' THEN
        {LOCK_ORDERS % "SELECT sale_line_id FROM old_rows"}
        {APPLY_DELTA % OLD_ROWS}
    ELSE
        {LOCK_ORDERS % "SELECT sale_line_id FROM old_rows UNION SELECT sale_line_id FROM new_rows"}
        {APPLY_DELTA % UPDATED_ROWS}
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER reports_unbilled_hours_insert AFTER INSERT ON timesheets_timesheetline
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_unbilled_hours_timesheets();
CREATE TRIGGER reports_unbilled_hours_update AFTER UPDATE ON timesheets_timesheetline
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reports_unbilled_hours_timesheets();
CREATE TRIGGER reports_unbilled_hours_delete AFTER DELETE ON timesheets_timesheetline
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_unbilled_hours_timesheets();

INSERT INTO reports_unbilledhours (sale_line_id, hours, lines, first_date, last_date)
SELECT t.sale_line_id, SUM(t.hours), COUNT(*), MIN(t.date), MAX(t.date)
FROM timesheets_timesheetline t WHERE {UNINVOICED}
GROUP BY t.sale_line_id;
"""

DROP = """
DROP TRIGGER IF EXISTS reports_unbilled_hours_insert ON timesheets_timesheetline;
DROP TRIGGER IF EXISTS reports_unbilled_hours_update ON timesheets_timesheetline;
DROP TRIGGER IF EXISTS reports_unbilled_hours_delete ON timesheets_timesheetline;
DROP FUNCTION IF EXISTS reports_unbilled_hours_timesheets();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_hours_by_day"),
    ]

    operations = [
        migrations.CreateModel(
            name="UnbilledHours",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sale_line_id", models.IntegerField(unique=True)),
                ("hours", models.DecimalField(decimal_places=2, max_digits=14)),
                ("lines", models.IntegerField()),
                ("first_date", models.DateField(null=True)),
                ("last_date", models.DateField(null=True)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
