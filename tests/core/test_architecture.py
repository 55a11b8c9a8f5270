"""The dependency graph holds where import-linter cannot look (README "Layout"): no app looks up
a model of an app above it (or of a sibling on its layer) by name with `apps.get_model`, names
one of its URLs (`reverse`, `redirect`, `{% url %}`) or one of its templates (`{% include %}`,
a template name in Python). Same app and lower layers are fine; what a higher app shows on a
lower app's page goes through core's registries (core.panels, core.navigation, core.links)."""

import ast
import pathlib
import re
import tomllib

from django.urls import URLPattern, URLResolver, get_resolver

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
# Rooms that moved up kept the names of their templates (as of their URLs, config/urls.py).
MOVED_TEMPLATES = {
    "sales/upsell/": "upsell",
    "sales/partials/_activity_count.html": "upsell",
    "sales/partials/header_activities.html": "upsell",
    "projects/to_invoice.html": "invoicing",
    "projects/invoice_job.html": "invoicing",
    "projects/partials/invoice_job_status.html": "invoicing",
    "projects/partials/task_timesheets.html": "timesheets",
}


def _heights() -> dict[str, int]:
    """Each app's layer in the import-linter contract of pyproject.toml (0 = core)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    return {app.strip(): height for height, layer in enumerate(reversed(layers)) for app in layer.split("|")}


def _model_lookups(tree: ast.AST):
    """(line, app label) of each `<something>.get_model("label", ...)` / `("label.Model")`."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_model"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value.split(".")[0]


def test_no_app_looks_up_a_model_of_an_app_above_it():
    heights = _heights()
    hidden = set()
    for app, height in heights.items():
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # migrations name the models of their dependencies by design
            for _line, label in _model_lookups(ast.parse(path.read_text())):
                if label != app and heights.get(label, -1) >= height:
                    hidden.add((str(path.relative_to(ROOT)), label))
    assert hidden == set()


TEMPLATE_NAME = re.compile(r"^[a-z_]+/[\w/.-]+\.html$")
TEMPLATE_TAG = re.compile(r"""{%\s*(url|include)\s+["']([^"']+)["']""")


def _url_owners() -> dict[str, str]:
    """Each URL name ("ns:name") -> the package of its view (so `sales:upsell_list` is upsell's)."""
    owners: dict[str, str] = {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
                module = (view or pattern.callback).__module__
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                owners[name] = module.split(".")[0]

    walk(get_resolver().url_patterns, None)
    return owners


def _template_owner(name: str) -> str:
    """templates/<app>/... is the app's (or the room it moved to); the rest is core's."""
    for prefix, app in MOVED_TEMPLATES.items():
        if name.startswith(prefix):
            return app
    app = name.split("/")[0]
    return app if "/" in name and app in _heights() else "core"  # base.html, partials/, errors/...


def _python_names(tree: ast.AST, url_names):
    """("url", name) of each constant that is a URL name (reverse, redirect, a helper's argument,
    a registry's entry); ("template", name) of each constant that is a template name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in url_names:
                yield "url", node.value
            elif TEMPLATE_NAME.match(node.value):
                yield "template", node.value


def _references():
    """(where, owning app, "url"/"template", name) for every URL and template an app names."""
    heights, url_names = _heights(), _url_owners()
    for app in heights:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                for kind, name in _python_names(ast.parse(path.read_text()), url_names):
                    yield str(path.relative_to(ROOT)), app, kind, name
    for path in sorted(TEMPLATES.rglob("*.html")):
        template = str(path.relative_to(TEMPLATES))
        for tag, name in TEMPLATE_TAG.findall(path.read_text()):
            yield (
                f"templates/{template}",
                _template_owner(template),
                "url" if tag == "url" else "template",
                name,
            )


def test_no_app_names_a_url_or_template_of_an_app_above_it():
    heights, url_owners = _heights(), _url_owners()
    upward = []
    for where, app, kind, name in _references():
        target = url_owners.get(name, "core") if kind == "url" else _template_owner(name)
        if target != app and heights.get(target, -1) >= heights.get(app, 0):
            upward.append(f"{where} ({app}) names {kind} {name} of {target}")
    assert upward == [], "\n".join(upward)


def test_the_scan_sees_what_it_checks():
    """The scan is not blind: it finds the URL names and templates the apps do use."""
    references = {(app, kind, name) for _where, app, kind, name in _references()}
    assert ("sales", "url", "sales:order_detail") in references
    assert ("helpdesk", "template", "timesheets/partials/timer.html") in references
    assert _url_owners()["sales:upsell_list"] == "upsell"
    assert _url_owners()["projects:to_invoice"] == "invoicing"
    for prefix, app in MOVED_TEMPLATES.items():
        assert any(TEMPLATES.glob(prefix + ("*" if prefix.endswith("/") else ""))), prefix
        assert any(prefix in (ROOT / app / p).read_text() for p in _py_files(app)), (prefix, app)


def _py_files(app: str) -> list[str]:
    return [str(p.relative_to(ROOT / app)) for p in (ROOT / app).rglob("*.py")]


LINK_USE = re.compile(r"""(?:{%\s*link|link_url\()\s*["']([\w.]+)["']""")


def test_every_link_kind_used_is_registered_by_an_app():
    """`{% link "kind" %}` / `link_url("kind")` answer "" for a kind nobody registered: a typo
    would hide a link silently, so each kind in use must be registered."""
    from core.links import _LINKS

    used = set()
    apps_code = [path for app in _heights() for path in (ROOT / app).rglob("*.py")]
    for path in [*TEMPLATES.rglob("*.html"), *apps_code]:
        used.update(LINK_USE.findall(path.read_text()))
    assert {"ticket", "invoice"} <= used
    assert used - set(_LINKS) == set()


def test_link_url_answers_nothing_for_an_unknown_kind():
    from core.links import link_url

    assert link_url("no.such.kind", 1) == ""
    assert link_url("ticket", 7) == "/helpdesk/tickets/7/"


_NOT_SOURCE = {".venv", "var", "node_modules", "test-artifacts"}


def _python_files():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in _NOT_SOURCE or "migrations" in relative.parts:
            continue
        yield relative, path.read_text()


def test_modules_and_functions_stay_small():
    """Issue 13 item 6: no module over 400 lines and no function over 60 (migrations aside)."""
    too_long = []
    for relative, text in _python_files():
        if len(text.splitlines()) > 400:
            too_long.append(f"{relative}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([decorator.lineno for decorator in node.decorator_list] + [node.lineno])
                length = node.end_lineno - start + 1
                if length > 60:
                    too_long.append(f"{relative}:{node.lineno} {node.name}: {length} lines")
    assert too_long == []
