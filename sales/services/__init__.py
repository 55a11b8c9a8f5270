"""Sales writes: orders, lines, state transitions, and the derived quantities of order lines.

CONTRACT (other apps code against these names; keep them): import from `sales.services`, not
from its modules.

Locking order (everywhere, to stay deadlock-free): orders (sorted ids) → order lines (sorted ids)
→ invoices → timesheet lines. Derived quantities are recomputed by `order_lines_recompute`, which
takes the row locks first and then runs one UPDATE of the lines and one of their orders (a fresh
snapshot per statement, so rows committed by a concurrent writer we waited for are counted).
The lines of an order are written at once by `order_lines_update` (the API's nested lines, the
order page's line form).
"""

from .order_lines import (
    LINE_EDITABLE_FIELDS,
    LINE_FIELDS_AFTER_CONFIRMATION,
    order_line_add,
    order_line_delete,
    order_line_set_delivered,
    order_line_update,
    order_lines_update,
)
from .orders import (
    ORDER_HEADER_FIELDS,
    ORDER_SEQUENCE_CODE,
    ORDER_SEQUENCE_PREFIX,
    ORDER_TRANSITIONS,
    order_cancel,
    order_confirm,
    order_create,
    order_lock,
    order_update,
)
from .products import (
    CONTRACT_OVERAGE,
    SERVICE_ON_TIMESHEETS,
    product_ensure_contract_overage,
    product_ensure_service_on_timesheets,
    product_stock_move,
)
from .quantities import CONFIRMED_STATES, TIMESHEET_POLICIES, order_lines_recompute, order_recompute

__all__ = [
    "CONFIRMED_STATES",
    "CONTRACT_OVERAGE",
    "LINE_EDITABLE_FIELDS",
    "LINE_FIELDS_AFTER_CONFIRMATION",
    "ORDER_HEADER_FIELDS",
    "ORDER_SEQUENCE_CODE",
    "ORDER_SEQUENCE_PREFIX",
    "ORDER_TRANSITIONS",
    "SERVICE_ON_TIMESHEETS",
    "TIMESHEET_POLICIES",
    "order_cancel",
    "order_confirm",
    "order_create",
    "order_line_add",
    "order_line_delete",
    "order_line_set_delivered",
    "order_line_update",
    "order_lock",
    "order_lines_recompute",
    "order_lines_update",
    "order_recompute",
    "order_update",
    "product_ensure_contract_overage",
    "product_ensure_service_on_timesheets",
    "product_stock_move",
]
