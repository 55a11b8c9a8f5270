from decimal import Decimal

from django.db import migrations

CATEGORIES = [("time", "Time"), ("unit", "Units")]
UNITS = [("Hours", "time", "1"), ("Days", "time", "8"), ("Units", "unit", "1")]


def create_units(apps, schema_editor):
    UomCategory = apps.get_model("sales", "UomCategory")
    Uom = apps.get_model("sales", "Uom")
    categories = {}
    for kind, name in CATEGORIES:
        categories[kind], _ = UomCategory.objects.get_or_create(kind=kind, defaults={"name": name})
    for name, kind, ratio in UNITS:
        Uom.objects.get_or_create(name=name, defaults={"category": categories[kind], "ratio": Decimal(ratio)})


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]
    operations = [migrations.RunPython(create_units, migrations.RunPython.noop)]
