"""Settings come from the environment; without any, the embedded set-up works on its own."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Ignore a developer's .env so only the variables given here count.
PROBE = """
import json, environ
environ.Env.read_env = classmethod(lambda cls, *a, **k: None)
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "atomic": db["ATOMIC_REQUESTS"],
    "debug": settings.DEBUG, "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL, "email": settings.EMAIL_BACKEND,
    "currency": settings.CURRENCY, "rounding": settings.TIMER_ROUNDING_MINUTES,
    "minimum": settings.TIMER_MINIMUM_MINUTES, "tz": settings.TIME_ZONE,
    "company": settings.COMPANY["name"], "hosts": settings.ALLOWED_HOSTS,
}))
"""


def run_settings(**env) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def load(**env) -> dict:
    result = run_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_environment_the_portal_uses_embedded_sqlite_eager_celery_and_console_mail():
    values = load()
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"].endswith("var/portal.sqlite3")
    assert values["atomic"] is True
    assert values["debug"] is True
    assert values["broker"] == ""
    assert values["eager"] is True
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"
    assert values["currency"] == "EUR"
    assert (values["rounding"], values["minimum"]) == (15, 15)


def test_environment_variables_override_the_defaults():
    values = load(
        DATABASE_URL="postgres://u:p@db.example:5432/portal",
        CELERY_BROKER_URL="redis://redis.example:6379/0",
        EMAIL_URL="smtp://mail.example:1025",
        CURRENCY="USD",
        TIMER_ROUNDING_MINUTES="6",
        TIMER_MINIMUM_MINUTES="30",
        TIME_ZONE="UTC",
        COMPANY_NAME="Other Co",
        ALLOWED_HOSTS="a.example,b.example",
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "portal"
    assert values["broker"] == "redis://redis.example:6379/0"
    assert values["eager"] is False
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["currency"] == "USD"
    assert (values["rounding"], values["minimum"]) == (6, 30)
    assert values["tz"] == "UTC"
    assert values["company"] == "Other Co"
    assert values["hosts"] == ["a.example", "b.example"]


def test_production_without_secret_key_refuses_to_start():
    result = run_settings(DEBUG="False")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "False",
        "SECRET_KEY": "deploy-check-" + os.urandom(32).hex(),
        "ALLOWED_HOSTS": "portal.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def compose_web_environment(**given) -> dict:
    """The environment docker-compose.yml gives the `web` service, `${VAR:-default}` resolved as
    compose does when the variable is not set (only `given` is)."""
    import yaml

    web = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["environment"]

    def interpolate(value: str) -> str:
        def one(match: re.Match) -> str:
            name, operator, default = match.group(1), match.group(2), match.group(3)
            if name in given:
                return given[name]
            assert operator == ":-", f"compose requires {name}: give it to this test"
            return default

        return re.sub(r"\$\{(\w+)(:[-?])([^}]*)\}", one, str(value))

    return {name: interpolate(value) for name, value in web.items()}


def test_check_deploy_is_clean_with_the_compose_settings():
    env = compose_web_environment(SECRET_KEY=os.urandom(32).hex() + "-compose-deploy-check")
    assert env["DEBUG"] == "False" and env["STORAGE_BACKEND"] == "s3"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
