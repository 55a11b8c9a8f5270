"""Receivers of other apps' signals. Thin: they call a projects service."""

from . import services


def order_confirmed_create_tasks(sender, order, user=None, **kwargs):
    """SPEC: confirming an order creates tasks / projects per the product's service tracking."""
    services.order_service_tracking_apply(order=order, user=user)
