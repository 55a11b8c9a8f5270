"""Hours per day, employee, project and billing state, kept by PostgreSQL triggers.

Statement-level triggers with transition tables: one grouped upsert per statement, so that
invoicing 10 000 lines at once is one statement on the summary, not 10 000. The delta of a
statement is -old rows + new rows grouped by the summary key; groups whose delta is zero (an
edited description, an approval) are not written. Rows are upserted in key order, so that two
statements lock summary rows in the same order. A timesheet write touches the one row of its
employee and day, which the timesheet services already serialise (advisory lock per employee
and day). Order lines: a change of invoice policy moves that line's hours between groups.
A no-op on other databases (the reports aggregate the timesheet lines directly there).
"""

from django.db import migrations, models

KEY = "date, employee_id, project_id, billable, on_timesheets, billed"

# The summary key of timesheet rows `t` joined to their order line `l`.
ROW_KEY = """t.date, t.employee_id, t.project_id, t.sale_line_id IS NOT NULL,
    COALESCE(l.invoice_policy = 'timesheet', FALSE), t.invoice_id IS NOT NULL"""

APPLY_DELTA = f"""
    INSERT INTO reports_hoursbyday AS s ({KEY}, hours, lines)
    SELECT {KEY}, SUM(hours), SUM(lines) FROM (
        %s
    ) delta(date, employee_id, project_id, billable, on_timesheets, billed, hours, lines)
    GROUP BY {KEY}
    HAVING SUM(hours) <> 0 OR SUM(lines) <> 0
    ORDER BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE SET hours = s.hours + EXCLUDED.hours, lines = s.lines + EXCLUDED.lines;
"""
OLD_ROWS = (
    f"SELECT {ROW_KEY}, -t.hours, -1 FROM old_rows t LEFT JOIN sales_orderline l ON l.id = t.sale_line_id"
)
NEW_ROWS = (
    f"SELECT {ROW_KEY}, t.hours, 1 FROM new_rows t LEFT JOIN sales_orderline l ON l.id = t.sale_line_id"
)

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
CREATE FUNCTION reports_hours_by_day_timesheets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {LOCK_ORDERS % "SELECT sale_line_id FROM new_rows"}
        {APPLY_DELTA % NEW_ROWS}
    ELSIF TG_OP = 'DELETE' THEN
        {LOCK_ORDERS % "SELECT sale_line_id FROM old_rows"}
        {APPLY_DELTA % OLD_ROWS}
    ELSE
        {LOCK_ORDERS % "SELECT sale_line_id FROM old_rows UNION SELECT sale_line_id FROM new_rows"}
        {APPLY_DELTA % (OLD_ROWS + " UNION ALL " + NEW_ROWS)}
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER reports_hours_by_day_insert AFTER INSERT ON timesheets_timesheetline
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_hours_by_day_timesheets();
CREATE TRIGGER reports_hours_by_day_update AFTER UPDATE ON timesheets_timesheetline
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reports_hours_by_day_timesheets();
CREATE TRIGGER reports_hours_by_day_delete AFTER DELETE ON timesheets_timesheetline
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_hours_by_day_timesheets();

CREATE FUNCTION reports_hours_by_day_policy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {
    APPLY_DELTA
    % '''
        SELECT t.date, t.employee_id, t.project_id, TRUE, COALESCE(OLD.invoice_policy = 'timesheet', FALSE),
               t.invoice_id IS NOT NULL, -t.hours, -1
        FROM timesheets_timesheetline t WHERE t.sale_line_id = NEW.id
        UNION ALL
        SELECT t.date, t.employee_id, t.project_id, TRUE, COALESCE(NEW.invoice_policy = 'timesheet', FALSE),
               t.invoice_id IS NOT NULL, t.hours, 1
        FROM timesheets_timesheetline t WHERE t.sale_line_id = NEW.id
    '''
}
    RETURN NULL;
END $$;

CREATE TRIGGER reports_hours_by_day_policy AFTER UPDATE OF invoice_policy ON sales_orderline
    FOR EACH ROW WHEN (OLD.invoice_policy IS DISTINCT FROM NEW.invoice_policy)
    EXECUTE FUNCTION reports_hours_by_day_policy();

INSERT INTO reports_hoursbyday ({KEY}, hours, lines)
SELECT {ROW_KEY}, SUM(t.hours), COUNT(*)
FROM timesheets_timesheetline t LEFT JOIN sales_orderline l ON l.id = t.sale_line_id
GROUP BY 1, 2, 3, 4, 5, 6;
"""

DROP = """
DROP TRIGGER IF EXISTS reports_hours_by_day_policy ON sales_orderline;
DROP TRIGGER IF EXISTS reports_hours_by_day_insert ON timesheets_timesheetline;
DROP TRIGGER IF EXISTS reports_hours_by_day_update ON timesheets_timesheetline;
DROP TRIGGER IF EXISTS reports_hours_by_day_delete ON timesheets_timesheetline;
DROP FUNCTION IF EXISTS reports_hours_by_day_policy();
DROP FUNCTION IF EXISTS reports_hours_by_day_timesheets();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("timesheets", "0005_employee_rates"),
        ("sales", "0008_activity_moves_to_upsell"),
    ]

    operations = [
        migrations.CreateModel(
            name="HoursByDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField()),
                ("employee_id", models.IntegerField()),
                ("project_id", models.IntegerField()),
                ("billable", models.BooleanField()),
                ("on_timesheets", models.BooleanField()),
                ("billed", models.BooleanField()),
                ("hours", models.DecimalField(decimal_places=2, max_digits=14)),
                ("lines", models.IntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("date", "employee_id", "project_id", "billable", "on_timesheets", "billed"),
                        name="reports_hours_by_day_key",
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
