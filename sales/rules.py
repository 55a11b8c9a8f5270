"""The sales scopes of `core.policy`: which orders and customers each user may see."""

from core import policy

from . import selectors

policy.register_scope("order", selectors.orders_visible_to)
policy.register_scope("customer", selectors.customers_visible_to)
policy.register_scope("portal.customer", selectors.portal_customers)
