"""`{% load listing %}` · `{% sort_header "date" "Date" first="desc" css="num" %}`: a sortable
column header (a link that keeps the filters, drops the page, flips the direction; `aria-sort`
and an arrow on the sorted column). Needs `request` and `sort` (core.listing.Sort) in the context.
"""

from django import template
from django.utils.html import format_html

from core.listing import PAGE_PARAM, SORT_PARAM, querystring

register = template.Library()

ARROWS = {"ascending": "▲", "descending": "▼", None: "↕"}


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str, first: str = "asc", css: str = "") -> str:
    sort = context.get("sort")
    state = None
    if sort is not None and sort.key == key:
        state = "descending" if sort.descending else "ascending"
    if state == "ascending":
        target = f"-{key}"
    elif state == "descending":
        target = key
    else:
        target = f"-{key}" if first == "desc" else key
    href = "?" + querystring(context["request"].GET, **{SORT_PARAM: target, PAGE_PARAM: None})
    direction = "descending" if target.startswith("-") else "ascending"
    return format_html(
        '<th scope="col"{}{}><a class="sort-link" href="{}" title="Sort by {} ({})">{}'
        '<span class="sort-arrow{}" aria-hidden="true">{}</span></a></th>',
        format_html(' class="{}"', css) if css else "",
        format_html(' aria-sort="{}"', state) if state else "",
        href,
        label.lower(),
        direction,
        label,
        " active" if state else "",
        ARROWS[state],
    )


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    """The URL of page `number` of the current list (sort and filters kept)."""
    return "?" + querystring(context["request"].GET, **{PAGE_PARAM: number})
