# PostgreSQL refuses to rewrite the audit trail: UPDATE and DELETE raise, whoever sends them
# (the ORM, the admin, a psql session). One UPDATE passes: Django setting `actor` to NULL when
# that user is deleted, with every other column unchanged (`actor_name` keeps who it was).
# SQLite (`make run`) has no such trigger: the model refuses there.
from django.db import migrations

CREATE_FUNCTION = """
CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
       AND (NEW.id, NEW.created_at, NEW.actor_name, NEW.action, NEW.object_type, NEW.object_id,
            NEW.object_repr, NEW.parent_type, NEW.parent_id, NEW.changes, NEW.data)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.created_at, OLD.actor_name, OLD.action, OLD.object_type, OLD.object_id,
            OLD.object_repr, OLD.parent_type, OLD.parent_id, OLD.changes, OLD.data) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""

CREATE_TRIGGER = """
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
"""

DROP = (
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
)


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # One statement per call, no parameters (the body has semicolons and a '%').
        schema_editor.execute(CREATE_FUNCTION, params=None)
        schema_editor.execute(CREATE_TRIGGER, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_changes_and_names")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
