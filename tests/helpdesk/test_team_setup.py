"""Admin team set-up: "Track & Bill Time" (SPEC Helpdesk, Products)."""

import pytest
from django.urls import reverse

from core.errors import DomainError
from helpdesk import services
from helpdesk.models import Team
from projects.models import Project
from sales.models import Product
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:helpdesk_team_add")


def _post(client, **fields):
    data = {"name": "Support", "members": [], "stages": []}
    data.update(fields)
    return client.post(ADD_URL, {k: v for k, v in data.items() if v is not None})


def test_admin_team_form_shows_the_track_and_bill_time_fieldset_and_its_script(admin_staff_client):
    html = admin_staff_client.get(ADD_URL).content.decode()
    assert "Track &amp; Bill Time" in html
    assert 'name="use_timesheets"' in html and 'name="project"' in html and 'name="use_billing"' in html
    assert "js/helpdesk_team_admin.js" in html


def test_timesheets_without_a_project_create_one_named_after_the_team(admin_staff_client):
    response = _post(admin_staff_client, name="Premium support", use_timesheets="on")
    assert response.status_code == 302
    team = Team.objects.get(name="Premium support")
    assert team.project is not None
    assert team.project.name == "Premium support"


def test_a_chosen_project_is_kept(admin_staff_client):
    project = ProjectFactory(name="Existing")
    _post(admin_staff_client, use_timesheets="on", project=project.pk)
    assert Team.objects.get(name="Support").project == project
    assert Project.objects.count() == 1


def test_time_billing_without_timesheets_is_a_field_error_and_saves_nothing(admin_staff_client):
    response = _post(admin_staff_client, use_billing="on")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "use_billing" in errors
    assert "Timesheets" in errors["use_billing"][0]
    assert not Team.objects.exists()


def test_saving_a_team_with_billing_ensures_the_service_on_timesheets_product(admin_staff_client):
    assert not Product.objects.filter(name="Service on Timesheets").exists()
    _post(admin_staff_client, use_timesheets="on", use_billing="on")
    product = Product.objects.get(name="Service on Timesheets")
    assert product.type == Product.Type.SERVICE
    assert product.invoice_policy == Product.InvoicePolicy.TIMESHEET
    assert product.uom.name == "Hours"
    _post(admin_staff_client, name="Second", use_timesheets="on", use_billing="on")
    assert Product.objects.filter(name="Service on Timesheets").count() == 1


def test_a_new_team_gets_the_default_stages(admin_staff_client):
    _post(admin_staff_client)
    team = Team.objects.get(name="Support")
    assert list(team.stages.values_list("name", flat=True)) == ["New", "In progress", "Solved", "Cancelled"]


def test_members_chosen_in_the_admin_are_saved(admin_staff_client):
    agent = UserFactory(roles=["agent"])
    _post(admin_staff_client, members=[agent.pk])
    assert list(Team.objects.get(name="Support").members.all()) == [agent]


def test_unticking_timesheets_drops_the_project_and_billing_stays_refused(admin_staff_client):
    _post(admin_staff_client, use_timesheets="on")
    team = Team.objects.get(name="Support")
    url = reverse("admin:helpdesk_team_change", args=[team.pk])
    response = admin_staff_client.post(
        url, {"name": "Support", "members": [], "stages": [], "use_billing": "on"}
    )
    assert "use_billing" in response.context["adminform"].form.errors
    response = admin_staff_client.post(url, {"name": "Support", "members": [], "stages": []})
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.use_timesheets is False and team.project is None


def test_team_save_service_refuses_billing_without_timesheets():
    with pytest.raises(DomainError) as exc:
        services.team_save(team=Team(name="X", use_billing=True))
    assert exc.value.field == "use_billing"
    assert not Team.objects.exists()


def test_team_with_tickets_cannot_be_deleted_and_an_empty_one_can(db, admin_staff):
    from core.errors import ConflictError
    from helpdesk.models import Team
    from helpdesk.services import team_delete
    from tests.factories import TeamFactory, TicketFactory

    busy = TicketFactory().team
    idle = TeamFactory(name="Night shift")

    with pytest.raises(ConflictError, match="has tickets"):
        team_delete(team=busy, user=admin_staff)
    team_delete(team=idle, user=admin_staff)

    assert list(Team.objects.values_list("pk", flat=True)) == [busy.pk]
