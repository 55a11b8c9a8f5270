"""The customer-month summary when a timesheet line moves INTO a ticket, task or project whose
customer changes meanwhile (fixes the last race of 0004/0006).

0006 serialised a customer change of a record X with the lines already in X (it locks them FOR
SHARE) and with new lines logged on X (their INSERT takes FOR SHARE on X). A line moved into X
by an UPDATE (a timesheet edited to another ticket, task or project) was neither: the change
of X did not see it (not yet committed, and its committed version is not X's), and the edit
computed its delta with X's customer as of its snapshot, the old one: the line's hours stayed
under X's former customer until `rebuild_summaries`.

Now the UPDATE branch first takes FOR SHARE on the tickets, tasks and projects its rows move
into (rows whose ticket, task or project changed; none for invoicing, approvals or edits that
keep them): a customer change of X waits for the edit to commit and then moves the line with
X's other lines, or the edit waits for the change and reads X's new customer (each statement of
the function takes a new snapshot). Rows that leave X or stay in it were already serialised by
0006's line locks. Lock order of an edit: orders (the service) -> timesheet lines -> the
records moved into; a customer change: the record -> orders -> lines. The two can only meet
when the edit holds an order of X's lines, a wait the edit had already at commit for tickets
and tasks (its foreign key check takes KEY SHARE on X, which the changes' SELECT FOR UPDATE
blocks); see `reports/__init__`.
"""

import importlib

from django.db import migrations

FIRST = importlib.import_module("reports.migrations.0004_hours_by_customer_month")
SECOND = importlib.import_module("reports.migrations.0006_customer_month_locks")


def share_moved_into(table: str, column: str) -> str:
    return f"""
    PERFORM 1 FROM {table} WHERE id IN (
        SELECT n.{column} FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.{column} IS DISTINCT FROM o.{column}
    ) ORDER BY id FOR SHARE;"""


MOVED_INTO = (
    share_moved_into("helpdesk_ticket", "ticket_id")
    + share_moved_into("projects_task", "task_id")
    + share_moved_into("projects_project", "project_id")
)


def function(update_locks: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION reports_hours_by_customer_month_timesheets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {SECOND.SHARE_OWNERS}
        {FIRST.APPEND % FIRST.NEW_ROWS}
    ELSIF TG_OP = 'DELETE' THEN
        {FIRST.APPEND % FIRST.OLD_ROWS}
    ELSE
        {update_locks}
        {FIRST.APPEND % (FIRST.OLD_ROWS + " UNION ALL " + FIRST.NEW_ROWS)}
    END IF;
    RETURN NULL;
END $$;
"""


def replace_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(function(MOVED_INTO))


def restore_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(function(""))  # 0006's function


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_customer_month_locks"),
    ]

    operations = [
        migrations.RunPython(replace_function, restore_function),
    ]
