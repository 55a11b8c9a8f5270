"""JSON API resources (see config/api_urls.py)."""


def register(router) -> None:
    """Add this module's viewsets to the v1 router."""
