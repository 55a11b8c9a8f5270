from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The customer portal: a feature room above the domain apps (nothing below imports it)."""

    name = "portal"
    verbose_name = "Customer portal"
