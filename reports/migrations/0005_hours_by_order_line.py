"""All timesheet hours per order line (actual and billed), kept by PostgreSQL triggers.

As `UnbilledHours` (0002, 0003) but for every line, invoiced or not: the prepaid burn-down reads a
line's use from it when the line's dates lie inside the report's period. Statement-level
triggers with transition tables; the rows' orders are locked first (house lock order), then the
summary rows are upserted in order-line order; the date bounds only widen while lines remain,
so each statement is a pure delta. No-op off PostgreSQL.
"""

from django.db import migrations, models

TABLE = "reports_hoursbyorderline"
BILLED = "COALESCE({t}.billed_hours, {t}.hours)"

APPEND = f"""
    INSERT INTO {TABLE} AS s (sale_line_id, hours, billed_hours, lines, first_date, last_date)
    SELECT sale_line_id, SUM(hours), SUM(billed_hours), SUM(lines), MIN(day), MAX(day) FROM (
        %s
    ) delta(sale_line_id, hours, billed_hours, lines, day)
    GROUP BY sale_line_id
    HAVING SUM(hours) <> 0 OR SUM(billed_hours) <> 0 OR SUM(lines) <> 0 OR MIN(day) IS NOT NULL
    ORDER BY sale_line_id
    ON CONFLICT (sale_line_id) DO UPDATE SET
        hours = s.hours + EXCLUDED.hours,
        billed_hours = s.billed_hours + EXCLUDED.billed_hours,
        lines = s.lines + EXCLUDED.lines,
        first_date = CASE WHEN s.lines + EXCLUDED.lines = 0 THEN NULL
                          ELSE LEAST(s.first_date, EXCLUDED.first_date) END,
        last_date = CASE WHEN s.lines + EXCLUDED.lines = 0 THEN NULL
                         ELSE GREATEST(s.last_date, EXCLUDED.last_date) END;
"""
OLD_ROWS = (
    f"SELECT t.sale_line_id, -t.hours, -{BILLED.format(t='t')}, -1, NULL::date "
    "FROM old_rows t WHERE t.sale_line_id IS NOT NULL"
)
NEW_ROWS = (
    f"SELECT t.sale_line_id, t.hours, {BILLED.format(t='t')}, 1, t.date "
    "FROM new_rows t WHERE t.sale_line_id IS NOT NULL"
)
# An update counts only the rows whose order line, hours or date changed.
CHANGED = "(o.sale_line_id, o.hours, o.billed_hours, o.date) IS DISTINCT FROM (n.sale_line_id, n.hours, n.billed_hours, n.date)"
UPDATED_ROWS = f"""
    SELECT o.sale_line_id, -o.hours, -{BILLED.format(t="o")}, -1, NULL::date
    FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.sale_line_id IS NOT NULL AND {CHANGED}
    UNION ALL
    SELECT n.sale_line_id, n.hours, {BILLED.format(t="n")}, 1, n.date
    FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.sale_line_id IS NOT NULL AND {CHANGED}
"""

# House lock order: orders -> order lines -> invoices -> timesheet lines, then summary rows.
LOCK_ORDERS = """
    PERFORM 1 FROM sales_order o
    WHERE o.id IN (SELECT l.order_id FROM sales_orderline l WHERE l.id IN (%s))
    ORDER BY o.id FOR NO KEY UPDATE;  -- the mode of core.locks.lock_rows
"""

CREATE = f"""
CREATE FUNCTION reports_hours_by_order_line_timesheets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {LOCK_ORDERS % "SELECT sale_line_id FROM new_rows"}
        {APPEND % NEW_ROWS}
    ELSIF TG_OP = 'DELETE' THEN
        {LOCK_ORDERS % "SELECT sale_line_id FROM old_rows"}
        {APPEND % OLD_ROWS}
    ELSE
        {LOCK_ORDERS % "SELECT sale_line_id FROM old_rows UNION SELECT sale_line_id FROM new_rows"}
        {APPEND % UPDATED_ROWS}
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER reports_hours_by_order_line_insert AFTER INSERT ON timesheets_timesheetline
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_hours_by_order_line_timesheets();
CREATE TRIGGER reports_hours_by_order_line_update AFTER UPDATE ON timesheets_timesheetline
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reports_hours_by_order_line_timesheets();
CREATE TRIGGER reports_hours_by_order_line_delete AFTER DELETE ON timesheets_timesheetline
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_hours_by_order_line_timesheets();
"""

REBUILD = f"""
TRUNCATE {TABLE};
INSERT INTO {TABLE} (sale_line_id, hours, billed_hours, lines, first_date, last_date)
SELECT t.sale_line_id, SUM(t.hours), SUM({BILLED.format(t="t")}), COUNT(*), MIN(t.date), MAX(t.date)
FROM timesheets_timesheetline t WHERE t.sale_line_id IS NOT NULL
GROUP BY t.sale_line_id;
"""

DROP = """
DROP TRIGGER IF EXISTS reports_hours_by_order_line_insert ON timesheets_timesheetline;
DROP TRIGGER IF EXISTS reports_hours_by_order_line_update ON timesheets_timesheetline;
DROP TRIGGER IF EXISTS reports_hours_by_order_line_delete ON timesheets_timesheetline;
DROP FUNCTION IF EXISTS reports_hours_by_order_line_timesheets();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE + REBUILD)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_hours_by_customer_month"),
    ]

    operations = [
        migrations.CreateModel(
            name="HoursByOrderLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sale_line_id", models.IntegerField(unique=True)),
                ("hours", models.DecimalField(decimal_places=2, max_digits=14)),
                ("billed_hours", models.DecimalField(decimal_places=2, max_digits=14)),
                ("lines", models.IntegerField()),
                ("first_date", models.DateField(null=True)),
                ("last_date", models.DateField(null=True)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
