"""Rate limit on sign-in: after LOGIN_FAILURE_LIMIT failed attempts for one username (or from
one address) within LOGIN_FAILURE_WINDOW seconds, further attempts are refused until the
window passes. Counters live in the cache (Redis in production, so all web processes share them).
Used by the browser login and the API token endpoint alike.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, address: str) -> list[str]:
    # Hashed: a username may hold any character, a cache key may not.
    user = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
    addr = hashlib.sha256((address or "-").encode()).hexdigest()[:32]
    return [f"login-fail:user:{user}", f"login-fail:addr:{addr}"]


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def login_blocked(*, username: str, address: str) -> bool:
    counts = cache.get_many(_keys(username, address))
    return any(count >= settings.LOGIN_FAILURE_LIMIT for count in counts.values())


def login_failed(*, username: str, address: str) -> None:
    for key in _keys(username, address):
        if cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)


def login_succeeded(*, username: str) -> None:
    cache.delete(_keys(username, "")[0])


def blocked_message() -> str:
    minutes = max(1, settings.LOGIN_FAILURE_WINDOW // 60)
    return f"Too many failed sign-in attempts. Please wait {minutes} minutes and try again."
