from tests.factories import UserFactory


def test_agent_logs_in_and_sees_the_navigation_of_their_role(page, login, shot, transactional_db):
    agent = UserFactory(username="e2e-agent", roles=["agent"])
    page.goto("/")
    assert "/login/" in page.url
    shot(page, "login")
    login(page, agent)
    assert page.locator(".whoami").inner_text().startswith(str(agent))
    assert "agent" in page.locator(".whoami").inner_text()
    assert page.locator(".mainnav a", has_text="Admin").count() == 0
    shot(page, "home-agent")


def test_wrong_password_shows_an_error_and_stays_on_login(page, transactional_db):
    UserFactory(username="e2e-someone", roles=["agent"])
    page.goto("/login/")
    page.fill("input[name=username]", "e2e-someone")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    assert "/login/" in page.url
    assert "correct username and password" in page.locator(".form-errors").inner_text()
