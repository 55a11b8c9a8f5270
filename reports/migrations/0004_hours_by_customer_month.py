"""Hours per month and customer, kept by PostgreSQL triggers as a log of deltas.

The customer of a timesheet line is its ticket's, else its task's, else its project's (0: none);
`policy` is its order line's invoice policy ('' when not billable).
Unlike the per-day and per-order-line summaries, this one is written by INSERTs only: each
statement appends its grouped delta (-old rows + new rows) and nothing is updated, so writers
take no row lock on it and cannot wait on each other here, whatever their statements' order
(a customer-month row is shared by every employee and order of that customer, which no lock of
the services serialises). The reports sum the rows of a key; `reports.summaries.compact`
(a beat job) folds each key's rows into one.

Triggers: timesheet lines (insert, update, delete: statement level, transition tables), the
customer of tickets, tasks and projects and the invoice policy of order lines (row level: that
record's timesheet lines move from the old group to the new one). No-op off PostgreSQL.
"""

from django.db import migrations, models

TABLE = "reports_hoursbycustomermonth"
KEY = "month, customer_id, billable, policy, billed"
BILLED = "COALESCE(t.billed_hours, t.hours)"


def row_key(
    ticket: str = "tk.customer_id",
    task: str = "ta.customer_id",
    project: str = "p.customer_id",
    policy: str = "COALESCE(l.invoice_policy, '')",
) -> str:
    return f"""date_trunc('month', t.date)::date, COALESCE({ticket}, {task}, {project}, 0),
        t.sale_line_id IS NOT NULL, {policy}, t.invoice_id IS NOT NULL"""


JOINS = """
    LEFT JOIN helpdesk_ticket tk ON tk.id = t.ticket_id
    LEFT JOIN projects_task ta ON ta.id = t.task_id
    LEFT JOIN projects_project p ON p.id = t.project_id
    LEFT JOIN sales_orderline l ON l.id = t.sale_line_id
"""

APPEND = f"""
    INSERT INTO {TABLE} ({KEY}, hours, billed_hours, lines)
    SELECT {KEY}, SUM(hours), SUM(billed_hours), SUM(lines) FROM (
        %s
    ) delta(month, customer_id, billable, policy, billed, hours, billed_hours, lines)
    GROUP BY {KEY}
    HAVING SUM(hours) <> 0 OR SUM(billed_hours) <> 0 OR SUM(lines) <> 0;
"""
OLD_ROWS = f"SELECT {row_key()}, -t.hours, -{BILLED}, -1 FROM old_rows t {JOINS}"
NEW_ROWS = f"SELECT {row_key()}, t.hours, {BILLED}, 1 FROM new_rows t {JOINS}"


def moved(where: str, **old_new) -> str:
    """The timesheet lines `where`: out of their group with the OLD value, into the NEW one."""
    old = {name: value.replace("{}", "OLD") for name, value in old_new.items()}
    new = {name: value.replace("{}", "NEW") for name, value in old_new.items()}
    return (
        APPEND
        % f"""
        SELECT {row_key(**old)}, -t.hours, -{BILLED}, -1 FROM timesheets_timesheetline t {JOINS}
        WHERE {where}
        UNION ALL
        SELECT {row_key(**new)}, t.hours, {BILLED}, 1 FROM timesheets_timesheetline t {JOINS}
        WHERE {where}
    """
    )


MOVED_TICKET = moved("t.ticket_id = NEW.id", ticket="{}.customer_id")
MOVED_TASK = moved("t.task_id = NEW.id", task="{}.customer_id")
MOVED_PROJECT = moved("t.project_id = NEW.id", project="{}.customer_id")
MOVED_POLICY = moved("t.sale_line_id = NEW.id", policy="COALESCE({}.invoice_policy, '')")

CREATE = f"""
CREATE FUNCTION reports_hours_by_customer_month_timesheets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {APPEND % NEW_ROWS}
    ELSIF TG_OP = 'DELETE' THEN
        {APPEND % OLD_ROWS}
    ELSE
        {APPEND % (OLD_ROWS + " UNION ALL " + NEW_ROWS)}
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER reports_hours_by_customer_month_insert AFTER INSERT ON timesheets_timesheetline
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION reports_hours_by_customer_month_timesheets();
CREATE TRIGGER reports_hours_by_customer_month_update AFTER UPDATE ON timesheets_timesheetline
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION reports_hours_by_customer_month_timesheets();
CREATE TRIGGER reports_hours_by_customer_month_delete AFTER DELETE ON timesheets_timesheetline
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION reports_hours_by_customer_month_timesheets();

CREATE FUNCTION reports_hours_by_customer_month_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {MOVED_TICKET}
    RETURN NULL;
END $$;
CREATE TRIGGER reports_hours_by_customer_month_ticket AFTER UPDATE OF customer_id ON helpdesk_ticket
    FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id)
    EXECUTE FUNCTION reports_hours_by_customer_month_ticket();

CREATE FUNCTION reports_hours_by_customer_month_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {MOVED_TASK}
    RETURN NULL;
END $$;
CREATE TRIGGER reports_hours_by_customer_month_task AFTER UPDATE OF customer_id ON projects_task
    FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id)
    EXECUTE FUNCTION reports_hours_by_customer_month_task();

CREATE FUNCTION reports_hours_by_customer_month_project() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {MOVED_PROJECT}
    RETURN NULL;
END $$;
CREATE TRIGGER reports_hours_by_customer_month_project AFTER UPDATE OF customer_id ON projects_project
    FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id)
    EXECUTE FUNCTION reports_hours_by_customer_month_project();

CREATE FUNCTION reports_hours_by_customer_month_policy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {MOVED_POLICY}
    RETURN NULL;
END $$;
CREATE TRIGGER reports_hours_by_customer_month_policy AFTER UPDATE OF invoice_policy ON sales_orderline
    FOR EACH ROW WHEN (OLD.invoice_policy IS DISTINCT FROM NEW.invoice_policy)
    EXECUTE FUNCTION reports_hours_by_customer_month_policy();

INSERT INTO {TABLE} ({KEY}, hours, billed_hours, lines)
SELECT {row_key()}, SUM(t.hours), SUM({BILLED}), COUNT(*)
FROM timesheets_timesheetline t {JOINS}
GROUP BY 1, 2, 3, 4, 5;
"""

DROP = """
DROP TRIGGER IF EXISTS reports_hours_by_customer_month_insert ON timesheets_timesheetline;
DROP TRIGGER IF EXISTS reports_hours_by_customer_month_update ON timesheets_timesheetline;
DROP TRIGGER IF EXISTS reports_hours_by_customer_month_delete ON timesheets_timesheetline;
DROP TRIGGER IF EXISTS reports_hours_by_customer_month_ticket ON helpdesk_ticket;
DROP TRIGGER IF EXISTS reports_hours_by_customer_month_task ON projects_task;
DROP TRIGGER IF EXISTS reports_hours_by_customer_month_project ON projects_project;
DROP TRIGGER IF EXISTS reports_hours_by_customer_month_policy ON sales_orderline;
DROP FUNCTION IF EXISTS reports_hours_by_customer_month_timesheets();
DROP FUNCTION IF EXISTS reports_hours_by_customer_month_ticket();
DROP FUNCTION IF EXISTS reports_hours_by_customer_month_task();
DROP FUNCTION IF EXISTS reports_hours_by_customer_month_project();
DROP FUNCTION IF EXISTS reports_hours_by_customer_month_policy();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_billed_hours"),
        ("helpdesk", "0005_list_order_index"),
        ("projects", "0006_stock_receipts"),
    ]

    operations = [
        migrations.CreateModel(
            name="HoursByCustomerMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("customer_id", models.IntegerField()),
                ("billable", models.BooleanField()),
                ("policy", models.CharField(blank=True, max_length=16)),
                ("billed", models.BooleanField()),
                ("hours", models.DecimalField(decimal_places=2, max_digits=14)),
                ("billed_hours", models.DecimalField(decimal_places=2, max_digits=14)),
                ("lines", models.IntegerField()),
            ],
            options={
                "indexes": [
                    models.Index(fields=["customer_id", "month"], name="reports_hcm_customer_idx"),
                    models.Index(fields=["month"], name="reports_hcm_month_idx"),
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
