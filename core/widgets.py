"""Form widgets shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils import formats
from django.utils.html import format_html


class SearchSelect(forms.Widget):
    """One object picked by searching: a text field with a list of matches (the ARIA combobox
    pattern; static/js/combobox.js) and the chosen object's id in a hidden input.

    For choices too many for a <select> (thousands of customers): the page carries only the
    chosen object's label; the matches come from `search_url?q=` as an HTML fragment of
    `role=option` elements (`data-value`, `data-label`). Used by a ModelChoiceField, which
    validates the posted id against its queryset and gives the label (`label_from_instance`).
    Attributes starting with "hx-" go on the hidden input (its `change` fires when an object is
    picked), the others (id, aria-label, placeholder) on the text field.
    """

    input_type = "hidden"  # the posted part; the text field is for people only

    def __init__(
        self, attrs=None, *, search_url="", placeholder="Type to search", no_match="No match.", limit=20
    ):
        super().__init__(attrs)
        self.search_url = search_url
        self.no_match = no_match
        self.placeholder = placeholder
        self.limit = limit
        self.choices = ()
        self.known_labels: dict[str, str] = {}  # labels the form already read: no query to render

    def remember(self, obj) -> None:
        """The form has the chosen object in hand: render its label without another query."""
        if obj is not None and getattr(self.choices, "field", None) is not None:
            self.known_labels[str(obj.pk)] = self.choices.field.label_from_instance(obj)

    def __deepcopy__(self, memo):
        copied = super().__deepcopy__(memo)
        copied.choices = self.choices
        copied.known_labels = dict(self.known_labels)
        return copied

    def label_for(self, value) -> str:
        """The chosen object's label (one query), "" for no value or an id that matches nothing."""
        if value in (None, ""):
            return ""
        field = getattr(self.choices, "field", None)
        if field is None:
            return ""
        if isinstance(value, field.queryset.model):
            return field.label_from_instance(value)
        if str(value) in self.known_labels:
            return self.known_labels[str(value)]
        try:
            chosen = field.queryset.filter(pk=value).first()
        except (TypeError, ValueError, ValidationError):
            return ""
        return field.label_from_instance(chosen) if chosen is not None else ""

    def format_value(self, value):
        if value is None or value == "":
            return ""
        return str(getattr(value, "pk", value))

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        hidden_attrs = {key: val for key, val in attrs.items() if key.startswith("hx-")}
        text_attrs = {key: val for key, val in attrs.items() if key not in hidden_attrs}
        field_id = text_attrs.get("id") or f"search-{name}"
        list_id = f"{field_id}-options"
        text_attrs.update(
            {
                "id": field_id,
                "type": "text",
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": list_id,
                "autocomplete": "off",
                "spellcheck": "false",
                "value": self.label_for(value),
            }
        )
        text_attrs.setdefault("placeholder", self.placeholder)
        text_attrs.pop("required", None)  # the server says what is missing (a field error)
        hidden_attrs.update({"type": "hidden", "name": name, "value": self.format_value(value)})
        return format_html(
            '<span class="combobox" data-combobox data-search-url="{}" data-limit="{}" data-no-match="{}">'
            "<input{}><input data-combobox-value{}>"
            '<span class="combobox-options" role="listbox" id="{}" hidden></span>'
            '<span class="combobox-note" aria-hidden="true" hidden></span></span>',
            self.search_url,
            self.limit,
            self.no_match,
            flatatt(text_attrs),
            flatatt(hidden_attrs),
            list_id,
        )

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data


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
