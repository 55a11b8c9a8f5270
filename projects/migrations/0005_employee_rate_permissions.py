import importlib

from django.db import migrations

role_groups = importlib.import_module("core.migrations.0002_role_groups")


def grant_role_permissions(apps, schema_editor):
    # Employee rates came after the role groups: give the admin role its permissions on them.
    role_groups.create_role_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_employee_rates"),
        ("core", "0002_role_groups"),
    ]
    operations = [migrations.RunPython(grant_role_permissions, migrations.RunPython.noop)]
