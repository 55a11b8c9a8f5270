from django.conf import settings

from .navigation import header_widgets, nav_for


def portal(request):
    """Company, currency, the user's roles and navigation for the base layout."""
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    return {
        "company": settings.COMPANY,
        "currency": settings.CURRENCY,
        "user_roles": user.roles if authenticated else [],
        "nav_items": nav_for(user) if authenticated else [],
        "header_widgets": header_widgets() if authenticated else [],
    }
