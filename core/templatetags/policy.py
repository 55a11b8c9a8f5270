"""`{% load policy %}{% may "invoice.post" invoice as can_post %}`: a template asks core.policy,
so a button shows only to whoever the server would let press it."""

from django import template

from core import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context, action: str, obj=None) -> bool:
    request = context.get("request")
    user = request.user if request is not None else context.get("user")
    return user is not None and policy.may(user, action, obj)
