from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects and field service"

    def ready(self):
        from core.links import register_link
        from core.navigation import register_nav_item
        from core.panels import register_context
        from sales.signals import order_confirmed

        from . import receivers
        from .page_parts import order_tasks

        register_context("sales:order_detail", order_tasks)
        register_link("product.stock", "projects:product_stock")  # the product admin (sales) links it

        register_nav_item("Tasks", "projects:task_list", ("agent", "sales"), action="task.work", position=20)
        register_nav_item(
            "Stock", "projects:stock_list", ("sales", "accountant", "admin"), action="stock.view", position=55
        )

        order_confirmed.connect(
            receivers.order_confirmed_create_tasks, dispatch_uid="projects.order_confirmed_create_tasks"
        )
