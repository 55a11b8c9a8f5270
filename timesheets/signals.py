"""Receivers keeping order lines' delivered quantities current. Thin: they only collect the
affected order-line ids (old and new link) and call `sales.services.order_lines_recompute`.

Bulk paths (queryset `update`, `bulk_create`) do not send these; their services call the
recompute explicitly. So does `timesheet_log`, which marks its new line `_recomputed_by_service`:
it recomputes after writing the audit event, so the order's row lock (taken by the recompute,
held to the commit) is held for as short a time as possible.
"""

from sales.services import order_lines_recompute

from .models import TimesheetLine


def remember_old_sale_line(sender, instance: TimesheetLine, raw=False, **kwargs):
    """pre_save: note the order line the row was linked to before this save (re-link)."""
    if raw or instance._state.adding or instance.pk is None:
        instance._old_sale_line_id = None
        return
    instance._old_sale_line_id = (
        TimesheetLine.objects.filter(pk=instance.pk).values_list("sale_line_id", flat=True).first()
    )


def recompute_after_save(sender, instance: TimesheetLine, raw=False, **kwargs):
    if raw or getattr(instance, "_recomputed_by_service", False):
        return
    ids = {instance.sale_line_id, getattr(instance, "_old_sale_line_id", None)}
    order_lines_recompute(line_ids=[i for i in ids if i])


def recompute_after_delete(sender, instance: TimesheetLine, **kwargs):
    if instance.sale_line_id:
        order_lines_recompute(line_ids=[instance.sale_line_id])
