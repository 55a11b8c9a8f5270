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


def test_date_inputs_carry_iso_values():
    from invoicing.forms import PaymentForm

    html = str(PaymentForm(initial={"date": datetime.date(2026, 12, 1)})["date"])
    assert 'type="date"' in html and 'value="2026-12-01"' in html


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
