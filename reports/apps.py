from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        # A feature room above the domain apps: it adds its own navigation entry to core's
        # registry (core imports no app).
        from core.navigation import NAV_ITEMS

        from .access import REPORT_ROLES

        entry = ("Reports", "reports:index", REPORT_ROLES)
        if entry not in NAV_ITEMS:
            NAV_ITEMS.append(entry)
