"""Projects writes. CONTRACT: other apps code against these signatures; import them from
`projects.services`, not from its modules.

Rules (SPEC Projects and tasks):
- confirming an order creates tasks / projects per the product's service tracking (idempotent);
- materials added to a task of an order add (or increase) a goods line on that order;
- marking a task done delivers its materials and moves the stock, all or nothing;
- the customer signs the worksheet; the signed PDF is rendered and e-mailed after commit.

`project.py`: projects and service tracking; `task.py`: tasks; `materials.py`: goods used on
a task and their delivery; `signature.py`: the signed worksheet. Stock receipts are
`projects.stock_services`.
"""

from .materials import task_mark_done, task_material_add
from .project import TRACKED, order_service_tracking_apply, project_create, project_update
from .signature import SIGNATURE_MAX_BYTES, task_sign, task_worksheet_store, worksheet_send_later
from .task import TASK_FIELDS, task_create, task_order, task_order_id_expression, task_update

__all__ = [
    "SIGNATURE_MAX_BYTES",
    "TASK_FIELDS",
    "TRACKED",
    "order_service_tracking_apply",
    "project_create",
    "project_update",
    "task_create",
    "task_mark_done",
    "task_material_add",
    "task_order",
    "task_order_id_expression",
    "task_sign",
    "task_update",
    "task_worksheet_store",
    "worksheet_send_later",
]
