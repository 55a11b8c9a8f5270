"""Hardened defaults (issue 12): error pages, API schema behind sign-in, expiring and revocable
tokens, sign-in rate limit, formula-safe CSV, compose without a default key or demo logins."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.test import override_settings
from rest_framework.authtoken.models import Token

from core.csv_safe import safe_cell
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("debug", [True, False])
def test_unknown_page_is_our_404_even_under_debug(client, agent, debug):
    client.force_login(agent)
    with override_settings(DEBUG=debug):
        response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and "Page not found" in html and "DEBUG = True" not in html


def test_a_refusal_is_our_403_with_its_reason(client, customer_user):
    client.force_login(customer_user)
    response = client.get("/helpdesk/")
    assert response.status_code == 403 and "Not allowed" in response.content.decode()


def test_unknown_api_path_answers_json_404(api_as, agent):
    with override_settings(DEBUG=True):
        response = api_as(agent).get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "path", ["/api/v1/orders/?format=xyz", "/api/v1/orders.xyz", "/api/v1/schema/?format=xyz"]
)
def test_an_unknown_format_is_401_for_anonymous_callers(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 401
    assert b"Authentication credentials were not provided." in response.content


@pytest.mark.parametrize(
    "path", ["/api/v1/orders/?format=xyz", "/api/v1/orders.xyz", "/api/v1/users/me/?format=xyz"]
)
def test_an_unknown_format_is_a_json_404_once_signed_in(api_as, seller, path):
    response = api_as(seller).get(path)
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert "Unknown format 'xyz'" in response.json()["detail"]


def test_an_unknown_format_does_not_skip_the_role_check(api_as, customer_user):
    response = api_as(customer_user).get("/api/v1/timesheets/?format=xyz")
    assert response.status_code == 403 and response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(("document", "file_format"), [("pdf", "pdf"), ("ubl", "xml")])
def test_an_error_asked_for_as_a_file_is_json(api_client, api_as, seller, document, file_format):
    anonymous = api_client.get(f"/api/v1/invoices/0/{document}/?format={file_format}")
    assert anonymous.status_code == 401 and anonymous["Content-Type"].startswith("application/json")
    missing = api_as(seller).get(f"/api/v1/invoices/0/{document}/?format={file_format}")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")
    assert missing.json() == {"detail": "Not found."}


def test_a_known_format_still_answers(api_as, seller):
    assert api_as(seller).get("/api/v1/orders/?format=json").status_code == 200


def test_api_schema_and_docs_need_a_signed_in_user(api_client, agent):
    assert api_client.get("/api/v1/schema/").status_code == 401
    assert api_client.get("/api/v1/docs/").status_code in (401, 403)
    api_client.force_authenticate(agent)
    assert api_client.get("/api/v1/schema/").status_code == 200


def test_token_endpoint_is_documented_without_auth(api_as, agent):
    schema = api_as(agent).get("/api/v1/schema/", {"format": "json"}).json()
    assert schema["paths"]["/api/v1/auth/token/"]["post"].get("security") in (None, [], [{}])


def _token(api_client, username, password="pass-1234"):
    return api_client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def test_a_token_expires_and_asking_again_gives_a_new_one(api_client, settings):
    settings.API_TOKEN_TTL_HOURS = 24
    user = UserFactory(username="tok", roles=["agent"])
    start = datetime.datetime(2027, 3, 1, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        first = _token(api_client, "tok").json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    with time_machine.travel(start + datetime.timedelta(hours=23), tick=False):
        assert api_client.get("/api/v1/users/me/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(hours=25), tick=False):
        response = api_client.get("/api/v1/users/me/")
        assert response.status_code == 401 and "expired" in response.json()["detail"]
        api_client.credentials()
        second = _token(api_client, "tok").json()["token"]
        assert second != first and Token.objects.get(user=user).key == second


def test_a_revoked_token_stops_working_at_once(api_client):
    UserFactory(username="rev", roles=["sales"])
    key = _token(api_client, "rev").json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.post("/api/v1/auth/token/revoke/").status_code == 204
    assert api_client.get("/api/v1/users/me/").status_code == 401


def test_api_sign_in_is_rate_limited(api_client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    UserFactory(username="victim", roles=["agent"])
    for _ in range(3):
        assert _token(api_client, "victim", "wrong").status_code == 400
    response = _token(api_client, "victim")  # even the right password waits out the window
    assert response.status_code == 429 and "Too many" in response.json()["detail"]


def test_browser_sign_in_is_rate_limited(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    UserFactory(username="victim2", roles=["agent"])
    for _ in range(3):
        assert client.post("/login/", {"username": "victim2", "password": "nope"}).status_code == 200
    response = client.post("/login/", {"username": "victim2", "password": "pass-1234"})
    assert response.status_code == 429 and "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_says_you_are_signed_out(client, agent):
    client.force_login(agent)
    response = client.post("/logout/", follow=True)
    assert "You are signed out." in response.content.decode()


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("-12.50", "-12.50"),
        ("plain", "plain"),
        (12, 12),
    ],
)
def test_csv_cells_never_start_a_formula(cell, expected):
    assert safe_cell(cell) == expected


def test_timesheet_csv_neutralises_formula_descriptions(client, seller):
    from tests.factories import TimesheetLineFactory

    TimesheetLineFactory(description='=cmd|"/c calc"!A1')
    client.force_login(seller)
    body = b"".join(client.get("/timesheets/", {"format": "csv"}).streaming_content).decode()
    assert "'=cmd" in body


def test_compose_ships_no_default_key_and_no_demo_logins():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "${SECRET_KEY:?" in compose and "SEED_DEMO: ${SEED_DEMO:-0}" in compose
    assert "change-me" not in compose
