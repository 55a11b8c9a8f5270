from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = "Helpdesk"

    def ready(self):
        from core.navigation import register_nav_item

        register_nav_item("Tickets", "helpdesk:ticket_list", ("agent", "sales", "accountant"), position=10)
