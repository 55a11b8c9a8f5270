from django import template

from core.text import render_markdown

register = template.Library()


@register.filter
def attach_form(bound_field, form_id: str):
    """Render a field's widget tied to the form `form_id` (inputs living in table cells)."""
    return bound_field.as_widget(attrs={"form": form_id, "aria-label": bound_field.label})


@register.filter
def hms(seconds) -> str:
    """Seconds → H:MM:SS (the timer's display before the script takes over)."""
    seconds = int(seconds or 0)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


@register.filter
def markdown(text):
    """A message body as sanitized HTML (core.text)."""
    return render_markdown(text)


@register.filter
def filesize(size) -> str:
    size = int(size or 0)
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
