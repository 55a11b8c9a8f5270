"""Roles are groups holding the model permissions of core.roles; users ask `has_role`."""

import pytest
from django.contrib.auth.models import Group

from core.models import ROLE_NAMES
from core.roles import ROLE_PERMISSIONS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def perms_of(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def expected_perms(role: str) -> set[str]:
    out = set()
    for label, actions in ROLE_PERMISSIONS[role].items():
        app_label, model = label.split(".")
        out |= {f"{app_label}.{action}_{model}" for action in actions}
    return out


def test_every_role_group_exists():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_NAMES)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_role_group_holds_exactly_its_permissions(role):
    assert perms_of(Group.objects.get(name=role)) == expected_perms(role)


def test_key_permissions_per_role():
    agent, accountant = Group.objects.get(name="agent"), Group.objects.get(name="accountant")
    admin, customer = Group.objects.get(name="admin"), Group.objects.get(name="customer")
    assert "timesheets.add_timesheetline" in perms_of(agent)
    assert "invoicing.add_invoice" not in perms_of(agent)
    assert {"invoicing.change_invoice", "invoicing.add_payment"} <= perms_of(accountant)
    assert {"sales.change_product", "core.change_user", "helpdesk.change_team"} <= perms_of(admin)
    assert "invoicing.change_invoice" not in perms_of(admin)
    assert perms_of(customer) == set()


def test_user_roles_follow_groups_in_a_fixed_order():
    user = UserFactory(roles=["sales", "agent"])
    assert user.roles == ["agent", "sales"]
    assert user.has_role("sales")
    assert user.has_role("accountant", "agent")
    assert not user.has_role("admin")


def test_superuser_has_every_staff_role_but_is_not_a_customer():
    boss = UserFactory(username="root")
    boss.is_superuser = True
    assert boss.has_role("admin", "accountant")
    assert not boss.has_role("customer")
    # Whenever a staff role is allowed, customers being allowed too changes nothing.
    assert boss.has_role("agent", "sales", "accountant", "admin", "customer")
