"""Portal users: created through the API or invited from the customer page (an e-mail with a
set-password link made by Django's token machinery); several per customer; deactivation ends
their sessions and API tokens."""

import re

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from audit.models import AuditEvent
from core.models import User
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(customer):
    return f"/api/v1/customers/{customer.pk}/portal_users/"


def set_password_link(mail) -> str:
    return re.search(r"http://[^\s]+/portal/set-password/[^\s]+/", mail.body).group(0)


def test_api_creates_a_portal_user_with_a_password(api_as, seller, customer, mailoutbox):
    response = api_as(seller).post(
        url(customer), {"username": "carla", "email": "carla@globex.example", "password": "S3cure-pass!"}
    )
    assert response.status_code == 201, response.json()
    assert "password" not in response.json()
    user = User.objects.get(username="carla")
    assert user.roles == ["customer"] and user.check_password("S3cure-pass!")
    assert list(user.customers.all()) == [customer]
    assert mailoutbox == []
    assert AuditEvent.objects.filter(action="portal_user.create", actor=seller).exists()


def test_api_without_password_sends_an_invitation_whose_link_sets_the_password(
    api_as, admin_staff, customer, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(admin_staff).post(url(customer), {"username": "dan", "email": "dan@globex.example"})
    assert response.status_code == 201
    user = User.objects.get(username="dan")
    assert not user.has_usable_password()
    [mail] = mailoutbox
    assert mail.to == ["dan@globex.example"] and "Globex" in mail.body and "dan" in mail.body
    link = set_password_link(mail)
    path = link.split("127.0.0.1:8000", 1)[1]
    page = client.get(path, follow=True)  # Django redirects to the token-less URL
    assert page.status_code == 200 and page.context["validlink"]
    done = client.post(
        page.redirect_chain[-1][0], {"new_password1": "Another-S3cret!", "new_password2": "Another-S3cret!"}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-S3cret!")
    assert client.get(path, follow=True).context["validlink"] is False  # used once


def test_a_customer_may_have_several_portal_users(api_as, seller, customer):
    client = api_as(seller)
    for name in ("one", "two"):
        assert client.post(url(customer), {"username": name, "email": f"{name}@g.example"}).status_code == 201
    assert [u["username"] for u in client.get(url(customer)).json()["results"]] == ["one", "two"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "", "email": "a@b.example"}, "username"),
        ({"username": "x", "email": "not-an-email"}, "email"),
        ({"username": "x", "email": "a@b.example", "password": "123"}, "password"),
        ({"username": "seller", "email": "a@b.example"}, "username"),  # taken (the seller's)
    ],
)
def test_bad_input_is_a_field_error(api_as, seller, customer, payload, field):
    response = api_as(seller).post(url(customer), payload)
    assert response.status_code == 400 and field in response.json()
    assert not User.objects.filter(email="a@b.example").exists()


@pytest.mark.parametrize("role", ["agent", "accountant", "customer"])
def test_only_sales_and_admins_manage_portal_users(api_as, customer, role):
    user = UserFactory(roles=[role])
    client = api_as(user)
    assert client.get(url(customer)).status_code == 403
    assert client.post(url(customer), {"username": "z", "email": "z@z.example"}).status_code == 403


def test_superuser_manages_portal_users(api_as, customer, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "pass-1234")
    assert api_as(boss).post(url(customer), {"username": "z", "email": "z@z.example"}).status_code == 201


def test_unknown_customer_is_404(api_as, seller):
    assert api_as(seller).get("/api/v1/customers/999999/portal_users/").status_code == 404


def test_deactivation_ends_sessions_and_tokens(api_as, seller, customer, client):
    contact = UserFactory(username="leaver", roles=["customer"])
    customer.portal_users.add(contact)
    token = Token.objects.create(user=contact)
    client.force_login(contact)
    assert client.get(reverse("portal:home")).status_code == 200

    response = api_as(seller).post(f"{url(customer)}{contact.pk}/deactivate/")
    assert response.status_code == 200 and response.json()["is_active"] is False

    assert not Token.objects.filter(pk=token.pk).exists()
    assert client.get(reverse("portal:home")).status_code == 302  # back to the login page
    from rest_framework.test import APIClient

    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert token_client.get("/api/v1/users/me/").status_code == 401


def test_staff_cannot_be_deactivated_as_portal_users(api_as, seller, customer, agent):
    customer.portal_users.add(agent)
    response = api_as(seller).post(f"{url(customer)}{agent.pk}/deactivate/")
    assert response.status_code == 400
    agent.refresh_from_db()
    assert agent.is_active


# --- The staff page -------------------------------------------------------------------------
def test_sales_invites_a_contact_from_the_customer_page(
    client, seller, customer, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(seller)
    detail = client.get(reverse("sales:customer_detail", args=[customer.pk])).content.decode()
    page_url = reverse("portal:customer_users", args=[customer.pk])
    assert page_url in detail
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_url, {"username": "erin", "email": "erin@globex.example"})
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["erin@globex.example"]]
    assert "erin" in client.get(page_url).content.decode()


def test_invite_page_shows_field_errors(client, seller, customer):
    client.force_login(seller)
    response = client.post(
        reverse("portal:customer_users", args=[customer.pk]), {"username": "", "email": "x"}
    )
    assert response.status_code == 400 and response.context["form"].errors


@pytest.mark.parametrize("role", ["agent", "accountant", "customer"])
def test_other_roles_cannot_open_the_portal_users_page(client, customer, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("portal:customer_users", args=[customer.pk])).status_code == 403


def test_deactivate_from_the_page(client, seller, customer):
    contact = UserFactory(username="bye", roles=["customer"])
    customer.portal_users.add(contact)
    client.force_login(seller)
    response = client.post(reverse("portal:customer_user_deactivate", args=[customer.pk, contact.pk]))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.is_active is False


def test_page_cannot_touch_a_user_of_another_customer(client, seller, customer):
    stranger = UserFactory(username="stranger", roles=["customer"])
    CustomerFactory().portal_users.add(stranger)
    client.force_login(seller)
    response = client.post(reverse("portal:customer_user_deactivate", args=[customer.pk, stranger.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("n_users", [1, 25])
def test_portal_users_page_query_count_does_not_grow(
    client, seller, customer, n_users, django_assert_num_queries
):
    for i in range(n_users):
        customer.portal_users.add(UserFactory(username=f"contact-{i}", roles=["customer"]))
    client.force_login(seller)
    url = reverse("portal:customer_users", args=[customer.pk])
    # savepoint, session, user, roles, customer, users, release
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.content.decode().count('data-testid="portal-user"') == n_users
