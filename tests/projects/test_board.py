"""The project board: drag and drop (and the select fallback) post to projects:task_move."""

import json

import pytest
from django.urls import reverse

from projects.models import Task
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def move(client, task, stage, **headers):
    return client.post(reverse("projects:task_move", args=[task.pk]), {"stage": stage}, **headers)


def test_an_agent_moves_a_task_and_the_board_reloads(client, agent):
    task = TaskFactory(stage=Task.Stage.NEW)
    client.force_login(agent)
    response = move(client, task, Task.Stage.IN_PROGRESS, **HX)
    assert response.status_code == 204 and json.loads(response["HX-Trigger"]) == {"pipeline-changed": {}}
    task.refresh_from_db()
    assert task.stage == Task.Stage.IN_PROGRESS
    # Without htmx (a plain form post) the board page comes back.
    response = move(client, task, Task.Stage.CANCELLED)
    assert response.status_code == 302 and response["Location"] == reverse(
        "projects:project_detail", args=[task.project_id]
    )


@pytest.mark.parametrize("stage", [Task.Stage.DONE, "nonsense", ""])
def test_a_refused_move_is_a_400_with_the_reason_and_changes_nothing(client, agent, stage):
    task = TaskFactory(stage=Task.Stage.NEW)
    client.force_login(agent)
    response = move(client, task, stage, **HX)
    assert response.status_code == 400 and response.content.decode()
    task.refresh_from_db()
    assert task.stage == Task.Stage.NEW


def test_a_done_task_stays_done(client, agent):
    task = TaskFactory(stage=Task.Stage.DONE, is_done=True)
    client.force_login(agent)
    response = move(client, task, Task.Stage.NEW, **HX)
    assert response.status_code == 400 and "done" in response.content.decode()


@pytest.mark.parametrize("role", ["accountant", "customer"])
def test_other_roles_cannot_move_tasks(client, role, request):
    user = request.getfixturevalue({"accountant": "accountant", "customer": "customer_user"}[role])
    task = TaskFactory(stage=Task.Stage.NEW)
    client.force_login(user)
    assert move(client, task, Task.Stage.IN_PROGRESS, **HX).status_code == 403
    task.refresh_from_db()
    assert task.stage == Task.Stage.NEW


def test_the_board_offers_drop_targets_and_a_select_per_open_task(client, admin_user):
    open_task = TaskFactory(stage=Task.Stage.NEW, title="Open one")
    TaskFactory(project=open_task.project, stage=Task.Stage.DONE, is_done=True, title="Closed one")
    client.force_login(admin_user)
    html = client.get(reverse("projects:project_detail", args=[open_task.project_id])).content.decode()
    assert 'data-stage="new"' in html and 'data-stage="cancelled"' in html
    assert 'data-stage="done"' not in html  # closed by "Mark as done" only
    assert html.count('draggable="true"') == 1
    assert html.count('<select name="stage" class="move"') == 1
    assert 'id="board-status"' in html and "js/pipeline.js" in html
