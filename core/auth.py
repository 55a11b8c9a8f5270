"""API tokens that expire (API_TOKEN_TTL_HOURS) and can be revoked.

A token older than its lifetime is refused with 401 "Token has expired."; asking for a token
again (`POST /api/v1/auth/token/`) then issues a fresh one. `POST /api/v1/auth/token/revoke/`
deletes the caller's token at once.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def token_is_expired(token: Token) -> bool:
    return token.created <= timezone.now() - token_lifetime()


def token_for(user) -> Token:
    """The user's live token; an expired one is replaced by a new key."""
    token, created = Token.objects.get_or_create(user=user)
    if not created and token_is_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_is_expired(token):
            raise exceptions.AuthenticationFailed("Token has expired.")
        return user, token
