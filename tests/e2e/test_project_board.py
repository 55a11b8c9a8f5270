"""The project board at 1366 and 390 px: drag a task to another stage, or use its select from
the keyboard; the board reloads with the server's counts and says what happened."""

from playwright.sync_api import expect

from projects.models import Task
from tests.factories import ProjectFactory, TaskFactory, UserFactory


def test_tasks_move_by_drag_and_drop_and_by_keyboard(page, login, shot, transactional_db):
    agent = UserFactory(username="board-agent", roles=["agent"])
    project = ProjectFactory(name="Office move")
    TaskFactory(project=project, title="Pack the servers", stage=Task.Stage.NEW)
    TaskFactory(project=project, title="Label the cables", stage=Task.Stage.NEW)
    login(page, agent)
    page.goto(f"/projects/{project.pk}/")
    expect(page.get_by_test_id("count-new")).to_have_text("2")
    shot(page, "lists-project-board-1366")

    page.locator(".kanban-card", has_text="Pack the servers").drag_to(
        page.locator(".kanban-col[aria-label='In progress']")
    )
    expect(page.get_by_test_id("count-in_progress")).to_have_text("1")
    expect(page.get_by_test_id("count-new")).to_have_text("1")
    assert Task.objects.get(title="Pack the servers").stage == Task.Stage.IN_PROGRESS

    # The keyboard way: focus the card's select and pick a stage.
    select = page.locator(".kanban-card", has_text="Label the cables").locator("select.move")
    select.focus()
    select.select_option(label="Cancelled")
    expect(page.get_by_test_id("count-cancelled")).to_have_text("1")
    expect(page.get_by_test_id("count-new")).to_have_text("0")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "lists-project-board-390")
