"""API tokens that expire (API_TOKEN_TTL_HOURS) and can be revoked.

A token older than its lifetime is refused with 401 "Token has expired."; asking for a token
again (`POST /api/v1/auth/token/`) then issues a fresh one. `POST /api/v1/auth/token/revoke/`
deletes the caller's token at once.
"""

from __future__ import annotations

import datetime
import functools

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
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


@functools.cache
def _tokens_with_roles():
    """Tokens with their user and, on PostgreSQL, the user's group names in the same query: every
    API call asks the roles (core.policy), which would otherwise cost a query of its own. Built
    once (a queryset is cloned, never changed, by `get`): building it costs more than its SQL."""
    tokens = Token.objects.select_related("user")
    if connection.vendor != "postgresql":
        return tokens
    from django.contrib.postgres.expressions import ArraySubquery

    names = Group.objects.filter(user=OuterRef("user_id")).values("name")
    return tokens.annotate(group_names=ArraySubquery(names))


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        try:
            token = _tokens_with_roles().get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if hasattr(token, "group_names"):
            user.remember_roles(token.group_names)
        if token_is_expired(token):
            raise exceptions.AuthenticationFailed("Token has expired.")
        return user, token
