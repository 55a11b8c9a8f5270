from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The customer portal: a feature room above the domain apps (nothing below imports it)."""

    name = "portal"
    verbose_name = "Customer portal"

    def ready(self):
        from core.navigation import register_nav_item

        register_nav_item("My portal", "portal:home", ("customer",), action="portal.use", position=100)
