"""core.listing and core.filters: the allow-list of sort keys, the header links, strict booleans."""

import pytest
from django.http import QueryDict
from django.template import Context, Template
from django.test import RequestFactory

from core.filters import CheckboxBooleanField, StrictBooleanField
from core.listing import SortKeys, querystring
from core.models import User
from timesheets.models import TimesheetLine

KEYS = SortKeys(
    keys={"name": ("first_name",), "date": ("date_joined",)}, default="-date", costly=frozenset({"name"})
)


def test_a_known_key_sorts_in_the_asked_direction():
    assert (KEYS.parse("name").key, KEYS.parse("name").descending) == ("name", False)
    assert (KEYS.parse("-name").key, KEYS.parse("-name").descending) == ("name", True)


@pytest.mark.parametrize("raw", [None, "", "password", "-password", "first_name", "--name", "name;drop"])
def test_an_unknown_key_falls_back_to_the_default_never_an_error(raw):
    sort = KEYS.parse(raw)
    assert (sort.key, sort.descending, sort.param) == ("date", True, "-date")


def test_costly_keys_are_marked():
    assert KEYS.parse("name").cheap is False and KEYS.parse("date").cheap is True


LOGIN = SortKeys(keys={"login": ("last_login",), "name": ("first_name",)}, default="-login")


def test_the_order_ends_with_id_in_the_same_direction_nulls_last_where_a_null_can_be():
    sql = str(LOGIN.order(User.objects.all(), LOGIN.parse("-login")).query)
    order_by = sql.split("ORDER BY")[1]
    assert '"last_login" DESC NULLS LAST' in order_by
    assert order_by.strip().endswith('"id" DESC')
    asc = str(LOGIN.order(User.objects.all(), LOGIN.parse("login")).query).split("ORDER BY")[1]
    assert '"last_login" ASC NULLS LAST' in asc and asc.strip().endswith('"id" ASC')


def test_not_null_columns_sort_in_the_plain_direction_an_index_serves():
    """ "DESC NULLS LAST" on a NOT NULL column does not match a (column DESC) index (PostgreSQL
    puts NULLs first in DESC): the timesheets page sorted a million rows for it."""
    order_by = str(KEYS.order(User.objects.all(), KEYS.parse("-name")).query).split("ORDER BY")[1]
    assert order_by.strip() == '"core_user"."first_name" DESC, "core_user"."id" DESC'
    through = SortKeys(keys={"team": ("ticket__team__name",)}, default="team")
    sql = str(through.order(TimesheetLine.objects.all(), through.parse("team")).query)
    assert "NULLS LAST" in sql.split("ORDER BY")[1].split(",")[0]  # a nullable relation on the way


def test_a_list_without_a_default_key_keeps_its_own_order():
    own = SortKeys(keys={"name": ("first_name",)}, default="")
    assert own.parse("bogus").key == ""
    queryset = User.objects.order_by("-id")
    assert own.order(queryset, own.parse("")) is queryset


def test_querystring_replaces_and_drops_keys():
    params = QueryDict("q=acme&page=3&sort=name")
    assert querystring(params, page=None) == "q=acme&sort=name"
    assert querystring(params, sort="-name", page=None) == "q=acme&sort=-name"


def render_header(url, sort):
    request = RequestFactory().get(url)
    template = Template('{% load listing %}{% sort_header "date" "Date" first="desc" css="num" %}')
    return template.render(Context({"request": request, "sort": sort}))


def test_the_sorted_header_says_its_direction_and_links_the_other_one():
    html = render_header("/x/?q=acme&page=4&sort=date", KEYS.parse("date"))
    assert 'aria-sort="ascending"' in html and 'class="num"' in html
    assert 'href="?q=acme&amp;sort=-date"' in html  # filters kept, page dropped, direction flipped
    assert "▲" in html
    html = render_header("/x/?sort=-date", KEYS.parse("-date"))
    assert 'aria-sort="descending"' in html and 'href="?sort=date"' in html and "▼" in html


def test_an_unsorted_header_has_no_aria_sort_and_starts_in_its_first_direction():
    html = render_header("/x/?q=acme", KEYS.parse("name"))
    assert "aria-sort" not in html
    assert 'href="?q=acme&amp;sort=-date"' in html  # first="desc"


@pytest.mark.parametrize(
    ("raw", "value"), [("true", True), ("1", True), ("yes", True), ("False", False), ("0", False), ("", None)]
)
def test_strict_booleans(raw, value):
    assert StrictBooleanField(required=False).clean(raw) is value


def test_a_strict_boolean_refuses_other_words():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        StrictBooleanField(required=False).clean("maybe")


def test_an_unchecked_box_is_no_filter():
    assert CheckboxBooleanField(required=False).clean("") is None
    assert CheckboxBooleanField(required=False).clean("1") is True
