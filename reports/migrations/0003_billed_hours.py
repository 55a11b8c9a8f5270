"""The summaries carry the billed duration (SPEC Time policy) beside the actual hours.

`billed_hours` of a timesheet line is its duration rounded by the billing rule, what delivered
quantities, remaining hours and invoices use; rows inserted in bulk may leave it empty (the
actual hours then): COALESCE(billed_hours, hours), as `timesheets.models.BILLED_HOURS`.

`UnbilledHours` now counts, like the invoices, only the lines a post-paid order line may bill:
not invoiced and approved (or needing no approval), so an approval or a rejection moves hours
in or out. The trigger functions of 0001 and 0002 are replaced (same triggers, same lock order:
the rows' orders first, then the summary rows in key order) and both summaries are rebuilt.
No-op off PostgreSQL.
"""

import importlib

from django.db import migrations, models

HOURS_KEY = "date, employee_id, project_id, billable, on_timesheets, billed"
HOURS_ROW_KEY = """t.date, t.employee_id, t.project_id, t.sale_line_id IS NOT NULL,
    COALESCE(l.invoice_policy = 'timesheet', FALSE), t.invoice_id IS NOT NULL"""
BILLED = "COALESCE(t.billed_hours, t.hours)"

HOURS_DELTA = f"""
    INSERT INTO reports_hoursbyday AS s ({HOURS_KEY}, hours, billed_hours, lines)
    SELECT {HOURS_KEY}, SUM(hours), SUM(billed_hours), SUM(lines) FROM (
        %s
    ) delta(date, employee_id, project_id, billable, on_timesheets, billed, hours, billed_hours, lines)
    GROUP BY {HOURS_KEY}
    HAVING SUM(hours) <> 0 OR SUM(billed_hours) <> 0 OR SUM(lines) <> 0
    ORDER BY {HOURS_KEY}
    ON CONFLICT ({HOURS_KEY}) DO UPDATE SET hours = s.hours + EXCLUDED.hours,
        billed_hours = s.billed_hours + EXCLUDED.billed_hours, lines = s.lines + EXCLUDED.lines;
"""
HOURS_OLD = f"SELECT {HOURS_ROW_KEY}, -t.hours, -{BILLED}, -1 FROM old_rows t LEFT JOIN sales_orderline l ON l.id = t.sale_line_id"
HOURS_NEW = f"SELECT {HOURS_ROW_KEY}, t.hours, {BILLED}, 1 FROM new_rows t LEFT JOIN sales_orderline l ON l.id = t.sale_line_id"

# House lock order: orders -> order lines -> invoices -> timesheet lines, then summary rows.
LOCK_ORDERS = """
    PERFORM 1 FROM sales_order o
    WHERE o.id IN (SELECT l.order_id FROM sales_orderline l WHERE l.id IN (%s))
    ORDER BY o.id FOR NO KEY UPDATE;  -- the mode of core.locks.lock_rows
"""
OLD_LINES = "SELECT sale_line_id FROM old_rows"
NEW_LINES = "SELECT sale_line_id FROM new_rows"
BOTH_LINES = "SELECT sale_line_id FROM old_rows UNION SELECT sale_line_id FROM new_rows"

HOURS_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION reports_hours_by_day_timesheets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {LOCK_ORDERS % NEW_LINES}
        {HOURS_DELTA % HOURS_NEW}
    ELSIF TG_OP = 'DELETE' THEN
        {LOCK_ORDERS % OLD_LINES}
        {HOURS_DELTA % HOURS_OLD}
    ELSE
        {LOCK_ORDERS % BOTH_LINES}
        {HOURS_DELTA % (HOURS_OLD + " UNION ALL " + HOURS_NEW)}
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_hours_by_day_policy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {
    HOURS_DELTA
    % f'''
        SELECT t.date, t.employee_id, t.project_id, TRUE, COALESCE(OLD.invoice_policy = 'timesheet', FALSE),
               t.invoice_id IS NOT NULL, -t.hours, -{BILLED}, -1
        FROM timesheets_timesheetline t WHERE t.sale_line_id = NEW.id
        UNION ALL
        SELECT t.date, t.employee_id, t.project_id, TRUE, COALESCE(NEW.invoice_policy = 'timesheet', FALSE),
               t.invoice_id IS NOT NULL, t.hours, {BILLED}, 1
        FROM timesheets_timesheetline t WHERE t.sale_line_id = NEW.id
    '''
}
    RETURN NULL;
END $$;
"""

UNBILLED_DELTA = """
    INSERT INTO reports_unbilledhours AS s (sale_line_id, hours, billed_hours, lines, first_date, last_date)
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


# What a post-paid order line may bill (invoicing.selectors: INVOICEABLE_APPROVAL_STATES).
def billable(t: str) -> str:
    return f"{t}.sale_line_id IS NOT NULL AND {t}.invoice_id IS NULL AND {t}.approval_state IN ('none', 'approved')"


def billed(t: str) -> str:
    return f"COALESCE({t}.billed_hours, {t}.hours)"


def state(t: str) -> str:
    return f"({t}.sale_line_id, {t}.hours, {t}.billed_hours, {t}.date, {t}.invoice_id IS NULL, {t}.approval_state)"


UNBILLED_OLD = (
    f"SELECT t.sale_line_id, -t.hours, -{BILLED}, -1, NULL::date FROM old_rows t WHERE {billable('t')}"
)
UNBILLED_NEW = f"SELECT t.sale_line_id, t.hours, {BILLED}, 1, t.date FROM new_rows t WHERE {billable('t')}"
# An update counts only the rows whose order line, hours, date, invoice or approval changed.
CHANGED = f"{state('o')} IS DISTINCT FROM {state('n')}"
UNBILLED_UPDATED = f"""
    SELECT o.sale_line_id, -o.hours, -{billed("o")}, -1, NULL::date
    FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {billable("o")} AND {CHANGED}
    UNION ALL
    SELECT n.sale_line_id, n.hours, {billed("n")}, 1, n.date
    FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {billable("n")} AND {CHANGED}
"""

UNBILLED_FUNCTION = f"""
CREATE OR REPLACE FUNCTION reports_unbilled_hours_timesheets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {LOCK_ORDERS % NEW_LINES}
        {UNBILLED_DELTA % UNBILLED_NEW}
    ELSIF TG_OP = 'DELETE' THEN
        {LOCK_ORDERS % OLD_LINES}
        {UNBILLED_DELTA % UNBILLED_OLD}
    ELSE
        {LOCK_ORDERS % BOTH_LINES}
        {UNBILLED_DELTA % UNBILLED_UPDATED}
    END IF;
    RETURN NULL;
END $$;
"""

REBUILD = f"""
TRUNCATE reports_hoursbyday, reports_unbilledhours;
INSERT INTO reports_hoursbyday ({HOURS_KEY}, hours, billed_hours, lines)
SELECT {HOURS_ROW_KEY}, SUM(t.hours), SUM({BILLED}), COUNT(*)
FROM timesheets_timesheetline t LEFT JOIN sales_orderline l ON l.id = t.sale_line_id
GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO reports_unbilledhours (sale_line_id, hours, billed_hours, lines, first_date, last_date)
SELECT t.sale_line_id, SUM(t.hours), SUM({BILLED}), COUNT(*), MIN(t.date), MAX(t.date)
FROM timesheets_timesheetline t WHERE {billable("t")}
GROUP BY t.sale_line_id;
"""


def replace_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(HOURS_FUNCTIONS + UNBILLED_FUNCTION + REBUILD)


def restore_functions(apps, schema_editor):
    """Back to 0002: its functions and triggers, summaries rebuilt without billed hours."""
    if schema_editor.connection.vendor != "postgresql":
        return
    first = importlib.import_module("reports.migrations.0001_hours_by_day")
    second = importlib.import_module("reports.migrations.0002_unbilled_hours")
    schema_editor.execute(
        "ALTER TABLE reports_hoursbyday ALTER billed_hours SET DEFAULT 0;"
        "ALTER TABLE reports_unbilledhours ALTER billed_hours SET DEFAULT 0;"
        "TRUNCATE reports_hoursbyday, reports_unbilledhours;"
        + first.DROP
        + second.DROP
        + first.CREATE
        + second.CREATE
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_unbilled_hours"),
        ("timesheets", "0005_employee_rates"),
    ]

    operations = [
        migrations.AddField(
            model_name="hoursbyday",
            name="billed_hours",
            field=models.DecimalField(decimal_places=2, default=0, max_digits=14),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="unbilledhours",
            name="billed_hours",
            field=models.DecimalField(decimal_places=2, default=0, max_digits=14),
            preserve_default=False,
        ),
        migrations.RunPython(replace_functions, restore_functions),
    ]
