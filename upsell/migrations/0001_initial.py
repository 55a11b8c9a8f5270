# The Activity model moves from sales to the upsell room. Its table stays `sales_activity` (no
# data moves); its content type is renamed, so the permissions, the role groups holding them and
# the admin's history follow it (sales 0008 then drops the model from the sales state).
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_to(app_label: str, *, from_label: str):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        if not ContentType.objects.filter(app_label=app_label, model="activity").exists():
            ContentType.objects.filter(app_label=from_label, model="activity").update(app_label=app_label)

    return move


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("sales", "0007_uom_verbose_name_plural"),
        ("core", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Activity",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[("upsell", "Upsell opportunity"), ("todo", "To do")],
                                default="todo",
                                max_length=10,
                            ),
                        ),
                        ("summary", models.CharField(max_length=200)),
                        ("note", models.TextField(blank=True)),
                        ("due_date", models.DateField()),
                        ("done", models.BooleanField(default=False)),
                        ("done_at", models.DateTimeField(blank=True, null=True)),
                        ("dedupe_key", models.CharField(blank=True, max_length=120, null=True, unique=True)),
                        (
                            "order",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="activities",
                                to="sales.order",
                            ),
                        ),
                        (
                            "order_line",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="activities",
                                to="sales.orderline",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="activities",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "activities",
                        "db_table": "sales_activity",
                        "ordering": ["done", "due_date", "id"],
                        "indexes": [models.Index(fields=["user", "done"], name="activity_user_done_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            content_type_to("upsell", from_label="sales"), content_type_to("sales", from_label="upsell")
        ),
    ]
