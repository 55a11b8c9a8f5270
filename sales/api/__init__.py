"""JSON API of the sales app (DRF views + serializers): units, taxes, customers, products, orders.

Views stay thin: input serializers parse and type-check, `sales.services` decide. Who may do what
is declared per viewset in `action_rules`, names of `core.policy` rules; what a user may see is
decided by `get_queryset` (portal customers only reach their own customers' orders, everything
else is a 404).
"""

from .orders import OrderViewSet
from .reference import CustomerViewSet, ProductViewSet, TaxViewSet, UomViewSet


def register(router) -> None:
    """Add this app's viewsets to the v1 router."""
    router.register("uoms", UomViewSet, basename="uom")
    router.register("taxes", TaxViewSet, basename="tax")
    router.register("customers", CustomerViewSet, basename="customer")
    router.register("products", ProductViewSet, basename="product")
    router.register("orders", OrderViewSet, basename="order")
