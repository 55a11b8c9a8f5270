"""Writes of the portal: portal users (a customer's contacts who sign in), their invitation and
deactivation. A portal user holds the `customer` role and sees only the customers it is a
contact of."""

import logging

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from audit import services as audit
from core import policy
from core.background import enqueue_after_commit
from core.errors import DomainError
from core.models import User

logger = logging.getLogger(__name__)
USERNAME_MAX = 150


def _check_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError("Enter a valid e-mail address.", field="email") from exc
    return email


def portal_user_create(*, customer, username: str, email: str, password: str | None = None, by: User) -> User:
    """Create a contact who signs in to the portal of `customer`. Without a password the contact
    gets an invitation e-mail with a link to choose one (Django's password-reset tokens)."""
    username = (username or "").strip()
    if not username or len(username) > USERNAME_MAX:
        raise DomainError("Choose a user name (at most 150 characters).", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError("This user name is taken.", field="username")
    email = _check_email(email)
    user = User(username=username, email=email)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages), field="password") from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        user.save()
        user.groups.add(Group.objects.get(name="customer"))
        customer.portal_users.add(user)
        audit.record(actor=by, action="portal_user.create", obj=customer, user=user.pk, username=username)
        if not password:
            _enqueue_invitation(user.pk)
    return user


def portal_user_invite(*, user: User, by: User) -> None:
    """(Re)send the invitation of an active portal user."""
    if not user.is_active:
        raise DomainError(f"{user.username} is deactivated.", field="user")
    if not user.email:
        raise DomainError(f"{user.username} has no e-mail address.", field="email")
    audit.record(actor=by, action="portal_user.invite", obj=user)
    _enqueue_invitation(user.pk)


def _enqueue_invitation(user_id: int) -> None:
    """After commit; kept waiting if the task queue is down (core/background.py)."""
    from .tasks import portal_invitation_task

    enqueue_after_commit(portal_invitation_task, user_id, subject=f"core.user:{user_id}", robust=True)


def portal_invitation_email(*, user: User) -> EmailMessage:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.SITE_URL + reverse("portal:set_password", kwargs={"uidb64": uid, "token": token})
    company = settings.COMPANY.get("name", "")
    customers = ", ".join(c.name for c in user.customers.order_by("name"))
    days = settings.PASSWORD_RESET_TIMEOUT // 86400
    return EmailMessage(
        subject=f"Your access to the {company} customer portal",
        body=(
            f"Hello,\n\nYou now have access to the customer portal of {company} for {customers}: "
            f"your tickets, the hours left on your prepaid blocks and your invoices.\n\n"
            f"Your user name: {user.username}\nChoose your password here: {link}\n\n"
            f"The link works once and expires in {days} days.\n\n{company}"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )


def portal_user_deactivate(*, user: User, by: User) -> User:
    """Deactivate a portal user: it can no longer sign in, its open sessions end and its API
    tokens are deleted."""
    if user.has_role(*policy.STAFF):  # the staff roles of core.policy (a superuser holds each)
        raise DomainError("Only portal users are deactivated here.", field="user")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        Token.objects.filter(user=user).delete()
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            if session.get_decoded().get("_auth_user_id") == str(user.pk):
                session.delete()
        audit.record(actor=by, action="portal_user.deactivate", obj=user)
    user.refresh_from_db()
    return user
