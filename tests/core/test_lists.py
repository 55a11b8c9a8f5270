"""Every browser list sorts by a clicked column (allow-list, stable), pages, and keeps sort,
filters and page in the URL; a bad filter value is a form error on the page, never a 500."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from invoicing.models import Invoice
from sales.models import Order
from tests.factories import (
    CustomerFactory,
    InvoiceFactory,
    OrderFactory,
    PrepaidLineFactory,
    ProjectFactory,
    SaleOrderFactory,
    TaskFactory,
    TeamFactory,
    TicketFactory,
    TimesheetLineFactory,
)

pytestmark = pytest.mark.django_db

NAMES = ("Bravo", "Alpha", "Charlie")  # created in this order: neither id nor name order


def tickets(agent):
    team = TeamFactory(members=[agent])
    for name in NAMES:
        TicketFactory(team=team, title=f"{name} ticket")
    return "helpdesk:ticket_list", "title"


def timesheets(agent):
    project = ProjectFactory()
    for hours, name in zip(("2.00", "1.00", "3.00"), NAMES, strict=True):
        TimesheetLineFactory(
            project=project, employee=agent, hours=Decimal(hours), description=f"{name} line"
        )
    return "timesheets:line_list", "hours"


def orders(agent):
    for name in NAMES:
        OrderFactory(customer=CustomerFactory(name=f"{name} customer"))
    return "sales:order_list", "customer"


def invoices(agent):
    for name in NAMES:
        InvoiceFactory(customer=CustomerFactory(name=f"{name} customer"))
    return "invoicing:invoice_list", "customer"


def customers(agent):
    for name in NAMES:
        CustomerFactory(name=f"{name} customer")
    return "sales:customer_list", "name"


def tasks(agent):
    for name in NAMES:
        TaskFactory(title=f"{name} task")
    return "projects:task_list", "title"


def upsells(agent):
    for name in NAMES:
        order = SaleOrderFactory(
            customer=CustomerFactory(name=f"{name} customer"),
            is_upsell=True,
            upsell_reason=Order.UpsellReason.CONSUMED,
            upsell_flagged_at=timezone.now(),
        )
        PrepaidLineFactory(order=order, qty_delivered=Decimal("50"))
    return "sales:upsell_list", "customer"


LISTS = [tickets, timesheets, orders, invoices, customers, tasks, upsells]


@pytest.fixture
def superuser_client(client, admin_user):
    """The real superuser reads every list."""
    client.force_login(admin_user)
    return client


def order_of_names(html: str) -> list[str]:
    body = html.split("<tbody", 1)[1]
    return [m for m in re.findall(r"\b(Alpha|Bravo|Charlie)\b", body) if m]


def distinct(names):
    seen = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return seen


@pytest.mark.parametrize("make", LISTS, ids=lambda f: f.__name__)
def test_each_list_sorts_by_a_clicked_column_both_ways(superuser_client, admin_user, make):
    url_name, key = make(admin_user)
    url = reverse(url_name)
    ascending = superuser_client.get(url, {"sort": key})
    assert ascending.status_code == 200
    assert distinct(order_of_names(ascending.content.decode())) == ["Alpha", "Bravo", "Charlie"]
    html = ascending.content.decode()
    assert re.search(
        rf'<th scope="col"[^>]*aria-sort="ascending"><a class="sort-link" href="\?sort=-{key}"', html
    )
    descending = superuser_client.get(url, {"sort": f"-{key}"})
    assert distinct(order_of_names(descending.content.decode())) == ["Charlie", "Bravo", "Alpha"]
    assert 'aria-sort="descending"' in descending.content.decode()


@pytest.mark.parametrize("make", LISTS, ids=lambda f: f.__name__)
def test_an_unknown_sort_key_is_ignored(superuser_client, admin_user, make):
    url_name, _key = make(admin_user)
    response = superuser_client.get(reverse(url_name), {"sort": "-password"})
    assert response.status_code == 200
    assert set(order_of_names(response.content.decode())) == {"Alpha", "Bravo", "Charlie"}


@pytest.mark.parametrize(
    ("url_name", "params", "message"),
    [
        ("helpdesk:ticket_list", {"team": "x"}, "Team: Enter a whole number."),
        ("timesheets:line_list", {"date_from": "yesterday"}, "Enter a date as YYYY-MM-DD, e.g. 2026-12-01."),
        ("sales:order_list", {"state": "bogus"}, "State: Select a valid choice."),
        ("invoicing:invoice_list", {"payment_state": "bogus"}, "Payment: Select a valid choice."),
        ("projects:task_list", {"state": "bogus"}, "State: Select a valid choice."),
        ("sales:upsell_list", {"reason": "bogus"}, "Reason: Select a valid choice."),
        ("sales:customer_list", {"sort": "bogus", "page": "x"}, None),
    ],
)
def test_a_bad_filter_value_is_a_form_error_and_an_empty_list(
    superuser_client, admin_user, url_name, params, message
):
    CustomerFactory(name="Alpha customer")
    response = superuser_client.get(reverse(url_name), params)
    assert response.status_code == 200
    if message is None:  # a bad sort or page is no error: the default order, the first page
        assert response.context["page_obj"].number == 1
        return
    assert set(response.context["form"].errors) == set(params)
    assert message in response.content.decode()
    assert len(response.context["page_obj"].object_list) == 0


def test_sort_filters_and_page_survive_in_every_link(superuser_client, admin_user, monkeypatch):
    monkeypatch.setattr("helpdesk.views.PAGE_SIZE", 2)
    team = TeamFactory(members=[admin_user])
    for n in range(5):
        TicketFactory(team=team, title=f"Printer {n}")
    TicketFactory(team=team, title="Something else")
    url = reverse("helpdesk:ticket_list")
    response = superuser_client.get(url, {"q": "printer", "sort": "-title", "page": 2})
    html = response.content.decode()
    assert [t.title for t in response.context["tickets"]] == ["Printer 2", "Printer 1"]
    # The pager keeps the search and the sort; the headers keep the search and drop the page.
    assert 'href="?q=printer&amp;sort=-title&amp;page=3"' in html
    assert 'href="?q=printer&amp;sort=-title&amp;page=1"' in html
    assert 'href="?q=printer&amp;sort=title"' in html
    # The filter form sends the sort back; "Clear" goes to the bare list.
    assert '<input type="hidden" name="sort" value="-title">' in html
    assert 'value="printer"' in html
    assert f'class="clear-filters" href="{url}"' in html
    # Reloading the same URL gives the same rows.
    again = superuser_client.get(url, {"q": "printer", "sort": "-title", "page": 2})
    assert [t.title for t in again.context["tickets"]] == ["Printer 2", "Printer 1"]


def test_no_clear_link_on_a_bare_list(superuser_client):
    assert "clear-filters" not in superuser_client.get(reverse("sales:order_list")).content.decode()


def test_equal_sort_values_page_by_id_without_repeats(superuser_client, monkeypatch):
    monkeypatch.setattr("sales.views.PAGE_SIZE", 3)
    customer = CustomerFactory(name="Same")
    made = [OrderFactory(customer=customer) for _ in range(7)]
    seen = []
    for page in (1, 2, 3):
        response = superuser_client.get(reverse("sales:order_list"), {"sort": "customer", "page": page})
        seen += [o.pk for o in response.context["page"]]
    assert seen == sorted(o.pk for o in made)


def test_the_task_list_is_paginated(superuser_client, monkeypatch):
    monkeypatch.setattr("projects.views.PAGE_SIZE", 2)
    for n in range(5):
        TaskFactory(title=f"Task {n}")
    response = superuser_client.get(reverse("projects:task_list"), {"page": 3})
    assert len(response.context["tasks"]) == 1
    assert "Page 3 of 3 · 5 in all" in response.content.decode()


def test_the_upsell_list_is_paginated_and_filtered(superuser_client, admin_user, monkeypatch):
    monkeypatch.setattr("upsell.views.PAGE_SIZE", 2)
    upsells(admin_user)
    response = superuser_client.get(reverse("sales:upsell_list"), {"sort": "customer", "page": 2})
    assert distinct(order_of_names(response.content.decode())) == ["Charlie"]
    filtered = superuser_client.get(reverse("sales:upsell_list"), {"q": "bravo"})
    assert distinct(order_of_names(filtered.content.decode())) == ["Bravo"]


def test_a_big_timesheet_list_keeps_the_date_order_for_a_costly_sort(
    superuser_client, admin_user, monkeypatch
):
    """Past the count cap a sort without an index would read every line: the page keeps the date
    order and says why; a filter that brings the list under the cap sorts it."""
    monkeypatch.setattr("core.pagination.COUNT_CAP", 2)
    timesheets(admin_user)
    url = reverse("timesheets:line_list")
    capped = superuser_client.get(url, {"sort": "hours"})
    assert capped.context["sort"].key == "date" and capped.context["refused_sort"].key == "hours"
    assert "Filter the list to sort it by another column" in capped.content.decode()
    today = datetime.date.today().isoformat()
    small = superuser_client.get(url, {"sort": "hours", "employee": admin_user.pk, "date_to": today})
    assert small.context["sort"].key == "date"  # still 3 lines > cap 2
    monkeypatch.setattr("core.pagination.COUNT_CAP", 10)
    sorted_page = superuser_client.get(url, {"sort": "hours"})
    assert [line.hours for line in sorted_page.context["lines"]] == [
        Decimal("1.00"),
        Decimal("2.00"),
        Decimal("3.00"),
    ]


def test_invoice_list_overdue_filter_link(superuser_client):
    today = timezone.localdate()
    late = InvoiceFactory(
        state=Invoice.State.POSTED,
        number="INV/LATE",
        invoice_date=today - datetime.timedelta(days=40),
        due_date=today - datetime.timedelta(days=10),
        amount_total=Decimal("10.00"),
    )
    InvoiceFactory(state=Invoice.State.DRAFT)
    response = superuser_client.get(reverse("invoicing:invoice_list"), {"overdue": "1"})
    assert [i.pk for i in response.context["page"]] == [late.pk]
