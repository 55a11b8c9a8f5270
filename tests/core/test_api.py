"""API plumbing: token auth, who am I, the OpenAPI schema and its docs page (no CDN)."""

import re

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_good_credentials_get_a_token_that_authenticates(api_client):
    user = UserFactory(username="api-agent", roles=["agent"])
    response = api_client.post("/api/v1/auth/token/", {"username": "api-agent", "password": "pass-1234"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=user).key
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/v1/users/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "api-agent"


def test_asking_twice_gives_the_same_token(api_client):
    UserFactory(username="api-twice", roles=["sales"])
    creds = {"username": "api-twice", "password": "pass-1234"}
    first = api_client.post("/api/v1/auth/token/", creds).json()["token"]
    assert api_client.post("/api/v1/auth/token/", creds).json()["token"] == first


@pytest.mark.parametrize(
    "payload",
    [{"username": "api-bad", "password": "wrong"}, {"username": "nobody", "password": "pass-1234"}, {}],
)
def test_bad_credentials_get_400_with_a_message(api_client, payload):
    UserFactory(username="api-bad", roles=["agent"])
    response = api_client.post("/api/v1/auth/token/", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body and all(isinstance(v, list) for v in body.values())
    assert not Token.objects.exists()


def test_me_returns_id_username_and_roles(api_client):
    user = UserFactory(username="api-multi", roles=["sales", "accountant"])
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = api_client.get("/api/v1/users/me/").json()
    assert body["id"] == user.pk
    assert body["username"] == "api-multi"
    assert body["roles"] == ["sales", "accountant"]


def test_me_without_credentials_is_401(api_client):
    assert api_client.get("/api/v1/users/me/").status_code == 401


def test_wrong_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.get("/api/v1/users/me/").status_code == 401


def test_schema_is_openapi_3_and_names_the_contract_paths(client, agent):
    client.force_login(agent)
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/auth/token/", "/api/v1/users/me/"):
        assert path in schema["paths"]


def test_docs_page_loads_from_our_own_static_files_never_a_cdn(client, agent):
    client.force_login(agent)
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode().lower()
    assert "swagger" in html
    # Every script, style and image the page loads is ours (a relative URL); matching the word
    # "cdn" in the whole page would also match a random CSRF token.
    loaded = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert loaded and not [url for url in loaded if url.startswith(("http:", "https:", "//"))]
    assert "/static/drf_spectacular_sidecar/" in html
