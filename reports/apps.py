from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from core.navigation import register_nav_item

        from .access import REPORT_ROLES

        register_nav_item("Reports", "reports:index", REPORT_ROLES, position=140)
