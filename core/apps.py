from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Portal core"

    def ready(self):
        from .navigation import register_nav_item

        register_nav_item("Admin", "admin:index", ("admin",), action="admin.site", position=120)
        register_nav_item("API", "api-docs", ("admin",), action="admin.site", position=130)
        # Counts each background job's runs on its record (signals connected at import).
        from . import background  # noqa: F401
