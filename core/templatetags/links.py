"""`{% link "ticket" ticket_id %}`: the URL another app registered for a kind of object
(core.links), "" when none; `{% link "invoice" inv.pk as url %}` stores it."""

from django import template

from core.links import link_url

register = template.Library()


@register.simple_tag
def link(kind, *args):
    return link_url(kind, *args)
