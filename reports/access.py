"""Who may open which report: the one place the reports decide it.

Sales, accountants and admins (and superusers) see every report and every figure; agents see
the hours report restricted to their own hours; portal customers see none.
"""

FULL_ROLES = ("sales", "accountant", "admin")
REPORT_ROLES = ("agent", *FULL_ROLES)

# report slug -> roles that may open it
REPORTS: dict[str, tuple[str, ...]] = {
    "hours": REPORT_ROLES,
    "unbilled": FULL_ROLES,
    "revenue": FULL_ROLES,
    "receivables": FULL_ROLES,
    "burndown": FULL_ROLES,
}


def may_view_report(user, report: str) -> bool:
    return bool(user.is_authenticated and user.has_role(*REPORTS[report]))


def sees_everyones_hours(user) -> bool:
    """False for agents (their own hours only)."""
    return user.has_role(*FULL_ROLES)


def reports_visible_to(user) -> list[str]:
    return [slug for slug in REPORTS if may_view_report(user, slug)]
