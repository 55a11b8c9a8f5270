"""Form widgets shared by the apps."""

from django import forms
from django.forms.utils import flatatt
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A <select> whose options are joined in Python instead of one template render each.

    Django renders every <option> through a template (tens of microseconds apiece): a select
    of thousands of customers was most of the ticket page's time. Same markup, no optgroups.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        selected = set(self.format_value(value))
        options = []
        for option_value, label in self.choices:
            key = "" if option_value is None else str(option_value)
            mark = " selected" if key in selected else ""
            options.append(f'<option value="{escape(key)}"{mark}>{escape(label)}</option>')
        return mark_safe(f"<select{flatatt(final_attrs)}>\n{''.join(options)}\n</select>")


def date_input_format() -> str:
    """The site's one way to type a date: the first DATE_INPUT_FORMATS of the active language
    ("%Y-%m-%d" in English, config/formats/en), the format dates are shown in."""
    return formats.get_format("DATE_INPUT_FORMATS")[0]


def date_format_hint(python_format: str | None = None) -> str:
    """The format as letters ("%Y-%m-%d" -> "YYYY-MM-DD") for placeholders and error messages."""
    hint = python_format or date_input_format()
    for code, letters in (("%Y", "YYYY"), ("%m", "MM"), ("%d", "DD")):
        hint = hint.replace(code, letters)
    return hint


class SiteDateInput(forms.DateInput):
    """A date typed in the site's format, with a calendar button (static/js/date_input.js and
    the vendored `cally` calendar) - not the browser's date input, which shows the browser's locale
    (mm/dd/yyyy in an American Chromium) while every table, message and PDF reads the site's.
    The server parses it (DATE_INPUT_FORMATS) and answers a bad date as a field error."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        python_format = date_input_format()
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.setdefault("placeholder", date_format_hint(python_format))
        widget_attrs.setdefault("autocomplete", "off")
        widget_attrs.setdefault("spellcheck", "false")
        widget_attrs.setdefault("size", 11)
        widget_attrs["data-date-input"] = python_format
        return context
