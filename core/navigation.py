"""The navigation of the base layout: which entries each role sees.

Entries whose URL is not (yet) installed are skipped, so an app can add its screens by
naming its URL here without touching the template.
"""

from django.urls import NoReverseMatch, reverse

# (label, url name, roles that see it)
NAV_ITEMS = [
    ("Tickets", "helpdesk:ticket_list", ("agent", "sales", "accountant")),
    ("Tasks", "projects:task_list", ("agent", "sales")),
    ("Timesheets", "timesheets:line_list", ("agent", "sales", "accountant")),
    ("Customers", "sales:customer_list", ("sales", "accountant")),
    ("Orders", "sales:order_list", ("sales", "accountant")),
    ("Contracts", "contracts:contract_list", ("sales", "accountant")),
    ("Upsell", "sales:upsell_list", ("sales",)),
    ("To invoice", "projects:to_invoice", ("sales",)),
    ("Invoices", "invoicing:invoice_list", ("sales", "accountant")),
    ("My portal", "portal:home", ("customer",)),
    ("My contracts", "contracts:portal_contracts", ("customer",)),
    ("Admin", "admin:index", ("admin",)),
    ("API", "api-docs", ("admin",)),
]


def nav_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = []
    for label, name, roles in NAV_ITEMS:
        if not user.has_role(*roles):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "name": name})
    return items


# Templates included in the header on every page (each app adds its own widget here).
HEADER_WIDGETS: list[str] = [
    "sales/partials/header_activities.html",
    "timesheets/partials/header_timer.html",  # helpdesk: the running timer
    "timesheets/partials/header_approvals.html",  # timesheet weeks waiting for approval
]
