from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from core.navigation import register_nav_item

        staff = ("agent", "sales", "accountant", "admin")
        register_nav_item("Reports", "reports:index", staff, action="report.hours", position=140)
