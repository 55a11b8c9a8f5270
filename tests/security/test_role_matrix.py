"""The role matrix (issue 12): every browser URL and API endpoint × method × role answers the
status its table row says; and a customer gets 404 for another customer's objects.

Roles: anonymous, a portal customer, agent, sales, accountant, the admin role (`admin_staff`)
and a real superuser (pytest-django's `admin_user`, in no group). The URL patterns come from
Django's resolver (tests/security/matrix_urls.py), so a URL without a row fails here. Each
request runs in a savepoint rolled back after it: every row sees the same data, and the order
of the rows does not matter. A row is "<anonymous> <customer> <agent> <sales> <accountant>
<admin> <superuser>" (tables in matrix_browser.py, matrix_api.py, matrix_admin.py).

MATRIX_RECORD=1 prints every actual row (to review and paste a new URL's row; never paste
without reading it: a 200 where a 403 belongs is exactly what this test is here to catch).
"""

import datetime
import os
from decimal import Decimal
from http.cookies import SimpleCookie

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse

from contracts.services import contract_create
from tests.conversation_data import conversation_world
from tests.factories import ProductFactory
from tests.security import matrix_admin, matrix_api, matrix_browser
from tests.security.matrix_urls import admin_model_keys, site_routes
from tests.security.matrix_world import ROLES, build_world, url_kwargs

pytestmark = pytest.mark.django_db
RECORD = bool(os.environ.get("MATRIX_RECORD"))
LOGIN_PAGES = ("/login/", "/admin/login/")


@pytest.fixture
def matrix_world(admin_staff, admin_user):
    return build_world(admin_staff=admin_staff, superuser=admin_user)


@pytest.fixture
def clients(matrix_world) -> dict[str, Client]:
    made = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if matrix_world.users[role] is not None:
            client.force_login(matrix_world.users[role])
        made[role] = client
    return made


def answer(client: Client, method: str, url: str, *, api: bool) -> int:
    """One request in a savepoint rolled back after it (the session cookie kept as it was)."""
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    cache.clear()  # sign-in failure counters: each request starts from none
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif api:
            response = client.generic(method, url, data="{}", content_type="application/json")
        else:
            response = client.generic(method, url, data="", content_type="application/x-www-form-urlencoded")
        transaction.set_rollback(True)
    client.cookies = SimpleCookie(cookies)
    status = response.status_code
    if status == 302 and response["Location"].split("?")[0] in LOGIN_PAGES:
        return "login"
    return str(status)


def expected_rows(matrix_world) -> dict:
    rows = {}
    rows.update(matrix_browser.ROWS)
    rows.update(matrix_api.ROWS)
    rows.update(matrix_admin.rows(admin_model_keys()))
    return rows


def requests(matrix_world):
    """(row key, method, url) for every route and method of the site."""
    for route in site_routes():
        kwargs = (
            matrix_admin.admin_kwargs(route, matrix_world)
            if route.is_admin
            else url_kwargs(route.route, route.keywords, matrix_world)
        )
        for method in matrix_admin.methods(route) if route.is_admin else route.methods():
            yield route, method, route.url(kwargs)


def test_every_url_method_and_role_answers_its_row(matrix_world, clients):
    table = expected_rows(matrix_world)
    actual, missing, wrong = {}, [], []
    for route, method, url in requests(matrix_world):
        codes = " ".join(answer(clients[role], method, url, api=route.is_api) for role in ROLES)
        actual[(route.key, method)] = codes
        want = table.get((route.key, method))
        if want is None:
            missing.append(f"    ({route.key!r}, {method!r}): {codes!r},  # {url}")
        elif " ".join(want.split()) != codes:
            wrong.append(f"{method} {url} ({route.key}): expected {want}, got {codes}")
    if RECORD:
        print("\n".join(f"    ({k!r}, {m!r}): {c!r}," for (k, m), c in actual.items()))
    stale = sorted(set(table) - set(actual))
    assert not missing, "URLs without a row in the matrix:\n" + "\n".join(missing)
    assert not wrong, f"{len(wrong)} answers differ from the matrix:\n" + "\n".join(wrong)
    assert not stale, f"rows for URLs that no longer exist: {stale}"


# --- Object level: a customer never reaches another customer's objects ----------------------


def foreign_requests(matrix_world, other_contract) -> list[tuple[str, str]]:
    """Customer A asking for B's objects (and for A's own draft invoice and internal note's file,
    which A does not see either), by page and by API."""
    a, b = matrix_world.a, matrix_world.b
    return [
        ("GET", reverse("portal:ticket_detail", args=[b.ticket.pk])),
        ("POST", reverse("portal:ticket_reply", args=[b.ticket.pk])),
        ("GET", reverse("portal:invoice_pdf", args=[b.invoice.pk])),
        ("GET", reverse("portal:invoice_ubl", args=[b.invoice.pk])),
        ("GET", reverse("portal:invoice_pdf", args=[a.draft.pk])),
        ("GET", reverse("helpdesk:attachment_download", args=[b.attachment.pk])),
        ("GET", reverse("helpdesk:attachment_download", args=[b.note_attachment.pk])),
        ("GET", reverse("helpdesk:attachment_download", args=[a.note_attachment.pk])),
        ("GET", f"/api/v1/tickets/{b.ticket.pk}/messages/"),
        ("POST", f"/api/v1/tickets/{b.ticket.pk}/messages/"),
        ("GET", f"/api/v1/orders/{b.order.pk}/"),
        ("GET", f"/api/v1/invoices/{b.invoice.pk}/"),
        ("GET", f"/api/v1/invoices/{b.invoice.pk}/pdf/"),
        ("GET", f"/api/v1/invoices/{b.invoice.pk}/ubl/"),
        ("GET", f"/api/v1/invoices/{a.draft.pk}/"),
        ("GET", f"/api/v1/contracts/{other_contract.pk}/"),
    ]


def test_a_customer_gets_404_for_another_customers_objects(client, admin_staff):
    matrix_world = conversation_world()
    other_contract = contract_create(
        user=admin_staff,
        customer=matrix_world.b.customer,
        product=ProductFactory(name="Initech hours"),
        hours_per_period=Decimal("10"),
        start_date=datetime.date(2026, 1, 1),
    )
    client.force_login(matrix_world.a.user)
    answers = {}
    for method, url in foreign_requests(matrix_world, other_contract):
        if method == "GET":
            response = client.get(url)
        elif url.startswith("/api/"):
            response = client.post(url, {"body": "Let me in"}, content_type="application/json")
        else:
            response = client.post(url, {"msg-body": "Let me in"})
        answers[f"{method} {url}"] = response.status_code
    assert answers == dict.fromkeys(answers, 404)
    assert not matrix_world.b.ticket.messages.filter(author=matrix_world.a.user).exists()


def test_only_a_superuser_changes_a_superusers_account(client, admin_staff, admin_user, agent):
    """The admin role manages users, but a superuser's password or groups would be a way in."""
    client.force_login(admin_staff)
    superuser_password = reverse("admin:auth_user_password_change", args=[admin_user.pk])
    assert client.get(superuser_password).status_code == 403
    assert (
        client.post(
            superuser_password, {"password1": "x-taken-over-1", "password2": "x-taken-over-1"}
        ).status_code
        == 403
    )
    assert client.get(reverse("admin:core_user_delete", args=[admin_user.pk])).status_code == 403
    assert client.get(reverse("admin:auth_user_password_change", args=[agent.pk])).status_code == 200
    admin_user.refresh_from_db()
    assert not admin_user.check_password("x-taken-over-1")
    client.force_login(admin_user)
    assert client.get(superuser_password).status_code == 200
