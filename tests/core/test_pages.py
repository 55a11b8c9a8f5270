"""Login, logout and the base layout: each role sees its own navigation."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from core.navigation import nav_entries, nav_for
from sales.models import Uom
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def nav_labels(response) -> list[str]:
    return [item["label"] for item in response.context["nav_items"]]


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_login_page_renders_the_form(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_login_with_good_password_goes_home(client):
    UserFactory(username="pages-agent", roles=["agent"])
    response = client.post("/login/", {"username": "pages-agent", "password": "pass-1234"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get("/").status_code == 200


def test_login_with_bad_password_shows_an_error(client):
    UserFactory(username="pages-agent", roles=["agent"])
    response = client.post("/login/", {"username": "pages-agent", "password": "nope"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_ends_the_session(client, agent):
    client.force_login(agent)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get("/").status_code == 302


def test_logout_by_get_is_refused(client, agent):
    client.force_login(agent)
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("role", ["agent", "sales", "accountant", "admin"])
def test_navigation_shows_exactly_the_installed_entries_of_the_role(client, role):
    user = UserFactory(username=f"nav-{role}", roles=[role])
    client.force_login(user)
    response = client.get("/")
    labels = nav_labels(response)
    assert labels == [item["label"] for item in nav_for(user)]
    allowed = {item.label for item in nav_entries() if role in item.roles}
    assert set(labels) <= allowed
    assert all(f">{label}</a>" in response.content.decode() for label in labels)
    for item in nav_for(user):  # an entry never leads to a refusal (core.policy decides both)
        assert client.get(item["url"]).status_code == 200, item["label"]


def test_superuser_sees_and_opens_every_staff_screen(client, admin_user):
    """createsuperuser's account, in no group, may do whatever any staff role may."""
    client.force_login(admin_user)
    labels = nav_labels(client.get("/"))
    staff_items = [(item.label, item.name) for item in nav_entries() if set(item.roles) - {"customer"}]
    assert labels == [label for label, _name in staff_items]
    for label, name in staff_items:
        assert client.get(reverse(name)).status_code == 200, label


def test_navigation_differs_per_role(client):
    seen = {}
    for role in ("agent", "admin"):
        user = UserFactory(username=f"nav2-{role}", roles=[role])
        client.force_login(user)
        seen[role] = nav_labels(client.get("/"))
    assert "Admin" in seen["admin"] and "Admin" not in seen["agent"]
    assert "API" in seen["admin"]
    assert seen["agent"] != seen["admin"]


def test_customer_lands_on_the_portal_and_sees_only_its_entry(client, customer_user):
    client.force_login(customer_user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert nav_labels(client.get(reverse("portal:home"))) == ["My portal", "My contracts"]


def test_user_without_role_is_told_to_ask_for_one(client):
    client.force_login(UserFactory(username="nobody"))
    response = client.get("/")
    assert nav_labels(response) == []
    assert b"no role yet" in response.content


def test_every_page_links_the_favicon_and_the_old_address_redirects_to_it(client):
    page = client.get("/login/")
    assert b'rel="icon" href="/static/img/favicon.svg"' in page.content
    legacy = client.get("/favicon.ico")
    assert legacy.status_code == 302
    assert legacy["Location"] == "/static/img/favicon.svg"
    assert finders.find("img/favicon.svg")


def test_admin_names_units_of_measure_in_the_plural(admin_client):
    assert str(Uom._meta.verbose_name_plural) == "units of measure"
    assert b"Units of measure" in admin_client.get(reverse("admin:index")).content
