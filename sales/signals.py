"""Events the sales app announces. Other apps connect receivers in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent inside the confirming transaction, after the order is in state `sale`.
# kwargs: order, user. The projects app creates tasks/projects per service tracking.
order_confirmed = Signal()

# Sent inside the locking transaction, after the order is `done` and its upsell flags (order and
# lines) are cleared. kwargs: order (the locked row), user. The upsell room removes the sweep's
# open follow-ups on it.
order_locked = Signal()
