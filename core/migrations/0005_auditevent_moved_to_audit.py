# AuditEvent now lives in the `audit` app (audit 0001 took over the same table).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_task_record_permissions"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent")],
            database_operations=[],
        ),
    ]
