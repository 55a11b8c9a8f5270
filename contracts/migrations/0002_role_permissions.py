import importlib

from django.db import migrations

role_groups = importlib.import_module("core.migrations.0002_role_groups")


def grant_role_permissions(apps, schema_editor):
    # The role groups were made before this app's models existed: set them again now.
    role_groups.create_role_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_initial"),
        ("core", "0002_role_groups"),
    ]
    operations = [migrations.RunPython(grant_role_permissions, migrations.RunPython.noop)]
