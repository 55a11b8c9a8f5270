"""The customer search behind every customer field (sales.search_views) and the field itself
(sales.form_fields.CustomerChoiceField): matches, the limit, who may search, bad input."""

import re

import factory
import pytest
from django import forms
from django.db import connection
from django.test import Client
from django.urls import reverse

from sales.form_fields import INVALID_CUSTOMER, CustomerChoiceField
from sales.models import Customer
from sales.selectors import CUSTOMER_SEARCH_LIMIT, customers_matching
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
URL = reverse("sales:customer_search")


def option_ids(response) -> list[int]:
    return [int(v) for v in re.findall(r'role="option"[^>]*data-value="(\d+)"', response.content.decode())]


def search_as(user, **params):
    client = Client()
    client.force_login(user)
    return client.get(URL, params)


@pytest.fixture
def customers(db):
    return {
        "initech": CustomerFactory(name="Initech", email="ap@initech.example", vat="BE0411905847"),
        "globex": CustomerFactory(
            name="Globex Corporation", email="billing@globex.example", vat="FR40303265045"
        ),
        "umbrella": CustomerFactory(name="Umbrella Corp", email="accounts@umbrella.example", vat=""),
    }


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("init", ["initech"]),  # the start of a name
        ("CORP", ["globex", "umbrella"]),  # inside a name, any case, by name
        ("billing@glob", ["globex"]),  # the e-mail
        ("0411905847", ["initech"]),  # part of the VAT number
        ("be 0411.905.847", ["initech"]),  # the VAT number as people write it
        ("nobody-like-this", []),
    ],
)
def test_the_search_finds_customers_by_name_e_mail_or_vat(seller, customers, term, expected):
    response = search_as(seller, q=term)
    assert response.status_code == 200
    assert option_ids(response) == [customers[key].pk for key in expected]


def test_each_match_carries_its_id_its_name_and_escaped_text(seller):
    odd = CustomerFactory(name='<b>"Bold" & Co</b>', email="x@bold.example")
    body = search_as(seller, q="bold").content.decode()
    assert f'data-value="{odd.pk}"' in body
    assert "&lt;b&gt;&quot;Bold&quot; &amp; Co&lt;/b&gt;" in body
    assert "<b>" not in body


def test_the_search_answers_at_most_the_limit_by_name(seller):
    CustomerFactory.create_batch(CUSTOMER_SEARCH_LIMIT + 5, name=factory.Sequence(lambda n: f"Acme {n:03d}"))
    ids = option_ids(search_as(seller, q="Acme"))
    assert len(ids) == CUSTOMER_SEARCH_LIMIT
    names = list(Customer.objects.filter(pk__in=ids).order_by("name", "id").values_list("pk", flat=True))
    assert ids == names
    # Nothing typed yet (Down in an empty field): the first customers by name.
    assert len(option_ids(search_as(seller))) == CUSTOMER_SEARCH_LIMIT


@pytest.mark.parametrize("term", ["%", "_", "\\", "' OR 1=1 --", "x" * 5000, "\x00abc", "🙂"])
def test_odd_input_is_a_plain_search_never_an_error(seller, customers, term):
    response = search_as(seller, q=term)
    assert response.status_code == 200
    assert option_ids(response) == []  # LIKE wildcards are matched literally


def test_blanks_are_no_term(seller, customers):
    assert len(option_ids(search_as(seller, q="   "))) == len(customers)


def test_every_staff_role_and_a_superuser_may_search(users, customers):
    for role in ("agent", "sales", "accountant", "admin", "superuser"):
        assert option_ids(search_as(users[role], q="initech")) == [customers["initech"].pk], role


def test_a_portal_contact_cannot_list_customers(users, customers, portal_customer):
    """Not even their own: a customer-role user is refused, whatever they type."""
    for term in ("", "a", "Portal", "initech"):
        response = search_as(users["customer"], q=term)
        assert response.status_code == 403
        assert "Initech" not in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_sign_in(customers):
    response = Client().get(URL, {"q": "init"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_search_is_read_only(seller):
    client = Client()
    client.force_login(seller)
    assert client.post(URL, {"q": "a"}).status_code == 405


def test_the_trigram_indexes_serve_the_search(customers):
    """The three `icontains` match the trigram indexes' expressions (migration sales 0009), so
    PostgreSQL can answer from them (a bitmap OR) once a full scan costs more: at 2 000
    customers it still scans the table (1 ms), at 100 000 it takes the indexes."""
    Customer.objects.bulk_create(
        Customer(name=f"Company {n:05d}", email=f"c{n}@example.test", vat=f"BE0{n:09d}") for n in range(2000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sales_customer")
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")  # what is left
        try:
            plan = customers_matching(Customer.objects.all(), "globex").explain()
        finally:
            cursor.execute("RESET enable_seqscan; RESET enable_indexscan")
    for index in ("customer_name_trgm", "customer_email_trgm", "customer_vat_trgm"):
        assert f"Bitmap Index Scan on {index}" in plan, plan
    assert "Seq Scan" not in plan, plan


class OneCustomerForm(forms.Form):
    customer = CustomerChoiceField()


class OptionalCustomerForm(forms.Form):
    customer = CustomerChoiceField(required=False)


@pytest.mark.parametrize("value", ["999999", "abc", "1.5", "-1", "0x10", "1e3", "9" * 40])
def test_an_unknown_or_malformed_id_is_a_field_error(customers, value):
    form = OneCustomerForm({"customer": value})
    assert not form.is_valid()
    assert form.errors["customer"] == [INVALID_CUSTOMER]


def test_a_customer_outside_the_offered_ones_is_the_same_field_error(customers):
    form = OneCustomerForm({"customer": customers["globex"].pk})
    form.fields["customer"].limit_to(Customer.objects.filter(pk=customers["initech"].pk))
    assert not form.is_valid()
    assert form.errors["customer"] == [INVALID_CUSTOMER]


def test_a_missing_customer_is_required_or_none(customers):
    assert OneCustomerForm({"customer": ""}).errors["customer"] == ["This field is required."]
    form = OptionalCustomerForm({"customer": ""})
    assert form.is_valid() and form.cleaned_data["customer"] is None


def test_the_field_posts_the_id_and_shows_the_chosen_name(customers, django_assert_num_queries):
    initech = customers["initech"]
    form = OneCustomerForm({"customer": str(initech.pk)})
    assert form.is_valid() and form.cleaned_data["customer"] == initech
    html = str(form["customer"])
    assert f'<input data-combobox-value name="customer" type="hidden" value="{initech.pk}">' in html
    assert 'value="Initech"' in html and 'role="combobox"' in html
    assert 'aria-controls="id_customer-options"' in html and 'id="id_customer-options"' in html
    assert "<option" not in html
    # An edit form's initial customer, given as an instance: no query to show its name.
    with django_assert_num_queries(0):
        assert 'value="Globex Corporation"' in str(
            OneCustomerForm(initial={"customer": customers["globex"]})["customer"]
        )


def test_a_bad_id_redisplays_an_empty_search_field_with_the_error(customers):
    form = OneCustomerForm({"customer": "abc"})
    html = str(form["customer"])
    assert 'name="customer" type="hidden" value="abc"' in html  # the id as posted
    assert 'role="combobox" spellcheck="false" type="text" value=""' in html  # no name to show
    assert INVALID_CUSTOMER in str(form.errors)
