"""How the History card words an event: action names, field names, values."""

import datetime

from django import template
from django.utils import timezone

register = template.Library()

# The billing actions by name; any other action is worded from its code ("team_changed" →
# "Team changed").
ACTION_LABELS = {
    "order.create": "Quotation created",
    "order.update": "Quotation edited",
    "order.sale": "Confirmed",
    "order.done": "Locked",
    "order.cancel": "Cancelled",
    "order.line_update": "Line edited",
    "order.line_delete": "Line removed",
    "order.line_delivered": "Delivered quantity set",
    "invoice.create": "Draft created",
    "invoice.update": "Dates edited",
    "invoice.lines_update": "Lines edited",
    "invoice.post": "Posted",
    "invoice.cancel": "Cancelled",
    "invoice.credit": "Credit note issued",
    "invoice.payment": "Payment registered",
    "timesheet.create": "Time logged",
    "timesheet.update": "Time line edited",
    "timesheet.delete": "Time line deleted",
    "timesheets.relink": "Time lines moved to another order line",
    "contract.create": "Contract created",
    "contract.update": "Contract edited",
    "contract.cancel": "Cancelled",
    "contract.period_open": "Period opened",
    "contract.period_close": "Period closed",
    "contract.end": "Ended",
}


@register.filter
def audit_action(action: str) -> str:
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    return action.rsplit(".", 1)[-1].replace("_", " ").capitalize()


@register.filter
def audit_field(name: str) -> str:
    """`amount_total` → "amount total"; `line 10.price_unit` → "line 10 · price unit"."""
    return name.replace(".", " · ").replace("_", " ")


@register.filter
def audit_value(value) -> str:
    """A stored value as read on screen: timestamps in local time to the minute, booleans as
    yes/no, lists joined; everything else as stored (Decimals are exact strings already)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(audit_value(item) for item in value)
    if isinstance(value, str) and len(value) > 10 and value[10:11] == "T":
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)
