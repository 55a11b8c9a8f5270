from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save


class TimesheetsConfig(AppConfig):
    name = "timesheets"
    verbose_name = "Timesheets"

    def ready(self):
        from core.navigation import register_header_widget, register_nav_item
        from core.panels import register_context, register_panel, register_queryset
        from sales.quantity_sources import LOGGED_HOURS, register_quantity_source

        from . import signals
        from .burndown import order_burndown_panel
        from .page_parts import order_timesheets, task_page_timesheets, task_worksheet_timesheets
        from .sale_quantities import order_line_logged_hours
        from .task_selectors import tasks_with_hours

        # Sales (below us) derives delivered and remaining hours from the time logged here.
        register_quantity_source(LOGGED_HOURS, order_line_logged_hours)

        # The order page (sales, below us) shows each prepaid line's burn-down.
        register_panel("sales:order_detail", order_burndown_panel)
        register_context("sales:order_detail", order_timesheets)
        register_context("projects:task_detail", task_page_timesheets)
        register_context("projects:worksheet", task_worksheet_timesheets)
        register_queryset("projects:task_list", tasks_with_hours)
        register_nav_item(
            "Timesheets",
            "timesheets:line_list",
            ("agent", "sales", "accountant"),
            action="timesheet.view",
            position=30,
        )
        register_nav_item("My week", "timesheets:week", ("agent",), action="timesheet.log", position=31)
        register_header_widget("timesheets/partials/header_timer.html", position=20)  # the running timer
        register_header_widget("timesheets/partials/header_approvals.html", position=30)  # weeks to approve

        from core.home import register_home_figures

        from . import home

        register_home_figures("agent", home.agent_figures)
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
