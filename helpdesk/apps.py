from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = "Helpdesk"

    def ready(self):
        from core.navigation import register_nav_item
        from core.panels import register_context

        from .page_parts import order_tickets

        register_context("sales:order_detail", order_tickets)

        register_nav_item("Tickets", "helpdesk:ticket_list", ("agent", "sales", "accountant"), position=10)
