from django.db import migrations

STAGES = [("New", 10, False), ("In progress", 20, False), ("Solved", 30, True), ("Cancelled", 40, True)]


def create_stages(apps, schema_editor):
    Stage = apps.get_model("helpdesk", "Stage")
    for name, sequence, is_closed in STAGES:
        Stage.objects.get_or_create(name=name, defaults={"sequence": sequence, "is_closed": is_closed})


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0002_initial")]
    operations = [migrations.RunPython(create_stages, migrations.RunPython.noop)]
