from django.apps import AppConfig


class UpsellConfig(AppConfig):
    name = "upsell"
    verbose_name = "Upsell"

    def ready(self):
        from core.links import register_link
        from core.navigation import register_header_widget, register_nav_item
        from sales.signals import order_locked

        from .services import upsell_order_locked

        order_locked.connect(upsell_order_locked, dispatch_uid="upsell.order_locked")
        register_nav_item("Upsell", "sales:upsell_list", ("sales",), action="upsell.work", position=70)
        register_link("upsell.list", "sales:upsell_list")  # the sales home's figure links it
        register_header_widget("sales/partials/header_activities.html", position=10)
