# Activity now belongs to the upsell room (upsell 0001 took it over, table `sales_activity` kept).
import importlib

from django.db import migrations

role_groups = importlib.import_module("core.migrations.0002_role_groups")


def grant_role_permissions(apps, schema_editor):
    # Only now is Activity out of the sales state: the role groups get "upsell.activity".
    role_groups.create_role_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0007_uom_verbose_name_plural"),
        ("upsell", "0001_initial"),
        ("core", "0002_role_groups"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Activity")],
            database_operations=[],
        ),
        migrations.RunPython(grant_role_permissions, migrations.RunPython.noop),
    ]
