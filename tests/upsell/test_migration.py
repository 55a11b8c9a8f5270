"""The Activity model moved from sales to the upsell room (upsell 0001, sales 0008): a database
migrated from the schema before the move keeps every activity, and the role groups keep their
permissions on them."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import OrderLineFactory, UserFactory
from upsell.models import Activity

LAST_SALES_MIGRATION_WITH_ACTIVITY = ("sales", "0007_uom_verbose_name_plural")
BEFORE_THE_MOVE = [LAST_SALES_MIGRATION_WITH_ACTIVITY, ("upsell", None)]


def _leaves(executor) -> list[tuple[str, str]]:
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_activities_survive_the_move_from_sales_to_upsell():
    line = OrderLineFactory()
    user = UserFactory(roles=["sales"])
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_MOVE)
    try:
        old_apps = executor.loader.project_state([LAST_SALES_MIGRATION_WITH_ACTIVITY]).apps
        with pytest.raises(LookupError):
            old_apps.get_model("upsell", "Activity")
        OldActivity = old_apps.get_model("sales", "Activity")
        OldActivity.objects.create(
            kind="upsell",
            summary="Call Globex",
            user_id=user.pk,
            order_id=line.order_id,
            order_line_id=line.pk,
            due_date="2026-03-02",
            dedupe_key="upsell:1:50",
        )
        OldActivity.objects.create(summary="A note to self", due_date="2026-03-03")
        assert ContentType.objects.filter(app_label="sales", model="activity").exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(_leaves(executor))
        ContentType.objects.clear_cache()

    moved = Activity.objects.order_by("id")
    assert [(a.summary, a.order_id, a.order_line_id, a.user_id, a.dedupe_key) for a in moved] == [
        ("Call Globex", line.order_id, line.pk, user.pk, "upsell:1:50"),
        ("A note to self", None, None, None, None),
    ]
    assert list(line.order.activities.values_list("summary", flat=True)) == ["Call Globex"]
    assert not ContentType.objects.filter(app_label="sales", model="activity").exists()
    sales_group = Group.objects.get(name="sales")
    assert (
        sales_group.permissions.filter(
            content_type__app_label="upsell",
            codename__in=["view_activity", "add_activity", "change_activity"],
        ).count()
        == 3
    )
    assert user.has_perm("upsell.change_activity")
