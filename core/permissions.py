"""Who may open a browser screen: the one role check every view module uses."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def role_required(*roles: str, message: str = ""):
    """Signed-in users holding one of `roles` (superusers too); anonymous users go to the login
    page, everyone else gets a 403 (with `message`, if given)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
