import importlib

from django.db import migrations

role_groups = importlib.import_module("core.migrations.0002_role_groups")


def grant_role_permissions(apps, schema_editor):
    # Task records came after the role groups: the admin role may look at them in the admin.
    role_groups.create_role_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_task_record"),
        # Every app whose permissions the role groups hold, at its latest: set() keeps them all.
        ("contracts", "0002_role_permissions"),
        ("projects", "0005_employee_rate_permissions"),
    ]
    operations = [migrations.RunPython(grant_role_permissions, migrations.RunPython.noop)]
