"""JSON API of the sales app (DRF views + serializers)."""


def register(router) -> None:
    """Add this app's viewsets to the v1 router."""
