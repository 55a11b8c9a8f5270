from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save


class TimesheetsConfig(AppConfig):
    name = "timesheets"
    verbose_name = "Timesheets"

    def ready(self):
        from core.panels import register_panel

        from . import signals
        from .burndown import order_burndown_panel

        # The order page (sales, below us) shows each prepaid line's burn-down.
        register_panel("sales:order_detail", order_burndown_panel)
        from .models import TimesheetLine

        pre_save.connect(
            signals.remember_old_sale_line,
            sender=TimesheetLine,
            dispatch_uid="timesheets.remember_old_sale_line",
        )
        post_save.connect(
            signals.recompute_after_save, sender=TimesheetLine, dispatch_uid="timesheets.recompute_after_save"
        )
        post_delete.connect(
            signals.recompute_after_delete,
            sender=TimesheetLine,
            dispatch_uid="timesheets.recompute_after_delete",
        )
