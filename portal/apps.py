from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The customer portal: a feature room above the domain apps (nothing below imports it)."""

    name = "portal"
    verbose_name = "Customer portal"

    def ready(self):
        from core.links import register_link
        from core.navigation import register_nav_item

        register_nav_item("My portal", "portal:home", ("customer",), action="portal.use", position=100)
        # Where core sends a customer, helpdesk's e-mails point, and sales links the contacts.
        register_link("portal.home", "portal:home")
        register_link("portal.ticket", "portal:ticket_detail")
        register_link("customer.portal_users", "portal:customer_users")
