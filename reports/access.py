"""Which report each rule of `core.policy` opens: "report.billing" (sales, accountants, admins,
superusers) sees every report and every figure; "report.hours" (every staff role) the hours
report, restricted to one's own hours without "report.billing"; portal customers see none.
"""

from core import policy

# report slug -> the policy rule that opens it
REPORTS: dict[str, str] = {
    "hours": "report.hours",
    "unbilled": "report.billing",
    "revenue": "report.billing",
    "receivables": "report.billing",
    "burndown": "report.billing",
}


def may_view_report(user, report: str) -> bool:
    return policy.may(user, REPORTS[report])


def sees_everyones_hours(user) -> bool:
    """False for agents (their own hours only)."""
    return policy.may(user, "report.billing")


def reports_visible_to(user) -> list[str]:
    return [slug for slug in REPORTS if may_view_report(user, slug)]
