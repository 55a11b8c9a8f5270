from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = "Sales"

    def ready(self):
        from core.navigation import register_nav_item

        register_nav_item("Customers", "sales:customer_list", ("sales", "accountant"), position=40)
        register_nav_item("Orders", "sales:order_list", ("sales", "accountant"), position=50)
