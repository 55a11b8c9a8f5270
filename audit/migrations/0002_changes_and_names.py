import importlib

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

role_groups = importlib.import_module("core.migrations.0002_role_groups")


def fill_actor_names(apps, schema_editor):
    # Before the append-only trigger (0003): the last time these rows are written.
    AuditEvent = apps.get_model("audit", "AuditEvent")
    User = apps.get_model("core", "User")
    AuditEvent.objects.filter(actor__isnull=False).update(
        actor_name=Subquery(User.objects.filter(pk=OuterRef("actor_id")).values("username")[:1])
    )


def grant_role_permissions(apps, schema_editor):
    # The admin role reads `audit.auditevent` now (core.roles).
    role_groups.create_role_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("core", "0005_auditevent_moved_to_audit"),
    ]

    operations = [
        migrations.AlterModelTable(name="auditevent", table=None),
        migrations.AddField(
            model_name="auditevent",
            name="actor_name",
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="object_repr",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="parent_type",
            field=models.CharField(blank=True, max_length=60),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="parent_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="changes",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["parent_type", "parent_id"], name="audit_parent_idx"),
        ),
        migrations.RunPython(fill_actor_names, migrations.RunPython.noop),
        migrations.RunPython(grant_role_permissions, migrations.RunPython.noop),
    ]
