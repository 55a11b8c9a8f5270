"""User-written text on screens: Markdown rendered to HTML, then sanitized by nh3 (an allow-list
of tags, attributes and URL schemes), so a message can carry lists, code and links but never a
script, a style or an event handler."""

import re

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# A bare address typed in plain text (not already inside <...>, (...) or [...]).
BARE_URL = re.compile(r"(?<![<(\[\"'])\bhttps?://[^\s<>()\[\]\"']+[^\s<>()\[\]\"'.,;:!?]")


def render_markdown(text: str) -> SafeString:
    """Markdown (plain text with line breaks and bare links works too) as safe HTML."""
    source = BARE_URL.sub(lambda m: f"<{m.group(0)}>", text or "")
    html = markdown.markdown(source, extensions=["nl2br", "sane_lists", "fenced_code"])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitized by nh3 just above
