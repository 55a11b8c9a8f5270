from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = "Sales"

    def ready(self):
        from core.home import register_home_figures
        from core.navigation import register_nav_item

        from . import home

        register_nav_item(
            "Customers", "sales:customer_list", ("sales", "accountant"), action="customer.view", position=40
        )
        register_nav_item(
            "Orders", "sales:order_list", ("sales", "accountant"), action="order.view", position=50
        )
        register_home_figures("sales", home.sales_figures)
        register_home_figures("admin", home.admin_figures)
