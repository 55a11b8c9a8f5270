"""Events the sales app announces. Other apps connect receivers in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent inside the confirming transaction, after the order is in state `sale`.
# kwargs: order, user. The projects app creates tasks/projects per service tracking.
order_confirmed = Signal()
