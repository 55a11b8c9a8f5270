"""One locale (issue 14 item 3): money and dates read one way in templates, messages and admin."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from core.display import format_day, format_money, money_column
from tests.factories import InvoiceFactory


def render(source: str, **context) -> str:
    return Template("{% load display %}" + source).render(Context(context))


def test_money_has_thousand_separators_two_decimals_and_its_currency(settings):
    assert settings.LANGUAGE_CODE == "en-gb"
    assert format_money(Decimal("30250")) == "30,250.00 EUR"
    assert format_money(Decimal("-1234567.5"), "USD") == "-1,234,567.50 USD"
    assert format_money(None) == ""
    assert render("{{ amount|money }}", amount=Decimal("200")) == "200.00 EUR"


def test_dates_are_iso_in_templates_and_django_defaults_alike(settings):
    day = datetime.date(2026, 12, 1)
    assert format_day(day) == "2026-12-01"
    assert render("{{ day|day }} {{ day }}", day=day) == "2026-12-01 2026-12-01"  # no "Dec. 1, 2026"
    moment = timezone.make_aware(datetime.datetime(2026, 12, 1, 23, 30), datetime.UTC)
    # Local time (Europe/Brussels): the next day, with its time when asked.
    assert render('{{ t|day }} · {{ t|day:"time" }}', t=moment) == "2026-12-02 · 2026-12-02 00:30"


def test_date_inputs_are_typed_in_the_sites_format_not_the_browsers_locale():
    from invoicing.forms import PaymentForm

    html = str(PaymentForm(initial={"date": datetime.date(2026, 12, 1)})["date"])
    assert 'type="text"' in html and 'value="2026-12-01"' in html
    assert 'data-date-input="%Y-%m-%d"' in html and 'placeholder="YYYY-MM-DD"' in html


@pytest.mark.parametrize("typed", ["2026-02-30", "12/31/2026", "next week", "2026-1"])
def test_a_date_the_server_cannot_read_is_a_field_error_naming_the_format(typed):
    from invoicing.forms import PaymentForm

    form = PaymentForm({"amount": "10", "date": typed, "method": "bank_transfer"})
    assert form.errors["date"] == ["Enter a date as YYYY-MM-DD, e.g. 2026-12-01."]
    assert PaymentForm({"amount": "10", "date": " 2026-12-01 ", "method": "bank_transfer"}).is_valid()


def test_no_form_or_template_uses_the_browsers_date_input():
    """`<input type=date>` shows the browser's locale (mm/dd/yyyy): every date field is a
    SiteDateInput / SiteDateField or, written by hand, `{% date_input_attrs %}`."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"""type=["']?date\b|["']type["']\s*:\s*["']date["']|input_type\s*=\s*["']date""")
    found = [
        str(path.relative_to(root))
        for folder in (
            "templates",
            "core",
            "sales",
            "projects",
            "timesheets",
            "helpdesk",
            "invoicing",
            "contracts",
            "reports",
            "portal",
            "upsell",
            "audit",
            "static/js",
        )
        for path in (root / folder).rglob("*")
        if path.suffix in (".py", ".html", ".js") and pattern.search(path.read_text())
    ]
    assert not found, f"browser date inputs in {found}"


def test_another_language_keeps_its_own_formats_but_always_the_currency():
    with translation.override("fr"):
        assert format_money(Decimal("30250")).endswith(" EUR")
        assert "30" in format_money(Decimal("30250"))


@pytest.mark.django_db
def test_the_admin_shows_money_like_the_screens(admin_client):
    invoice = InvoiceFactory(amount_total=Decimal("30250.00"))
    assert money_column("amount_total", "Total")(invoice) == "30,250.00 EUR"
    html = admin_client.get("/admin/invoicing/invoice/").content.decode()
    assert "30,250.00 EUR" in html and "30250.00" not in html


def test_hours_have_two_decimals_and_thousand_separators_never_minus_zero():
    from core.display import format_hours

    assert format_hours(Decimal("1234.5")) == "1,234.50"
    assert format_hours(Decimal("-2"), unit=True) == "-2.00 h"
    assert format_hours(Decimal("-0.001")) == "0.00"
    assert format_hours(Decimal("0.125")) == "0.13"  # display only: half up
    assert format_hours(None) == ""
    assert render('{{ h|hours }} · {{ h|hours:"h" }}', h=Decimal("1500.25")) == "1,500.25 · 1,500.25 h"


def test_templates_show_hours_through_the_hours_filter_only():
    """`floatformat` is left for quantities in their own unit, rates and percentages; hours go
    through `|hours` (core/display.py), so they read the same on every page and PDF."""
    import re
    from pathlib import Path

    allowed = {
        "line.quantity",
        "line.discount",
        "line.tax.rate",
        "line.tax_rate",
        "product.qty_on_hand",
        "move.quantity",
        "row.quantity",
        "row.used_percent",
    }
    templates = Path(__file__).resolve().parents[2] / "templates"
    used = set()
    for path in templates.rglob("*.html"):
        used |= set(re.findall(r"([\w.]+)\|floatformat", path.read_text()))
    assert used <= allowed, f"hours shown with floatformat: {sorted(used - allowed)}"
