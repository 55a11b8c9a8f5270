"""The Django admin's rows of the role matrix.

Only staff accounts (the admin role and superusers) enter the admin: everyone else is sent to
its sign-in page ("login"). What the admin role may do there is its group's permissions
(core/roles.py); ADMIN_PAGES below is that decision, model by model, so a model registered
later without a line here fails the matrix. Admin pages are requested with GET (the forms
behind them are Django's own, permission-checked the same way).
"""

from django.apps import apps

# fmt: off

# Per registered model, which admin pages the admin role and a superuser may open:
# v = the list, an object's page and its history; a = the add page; d = the delete page.
# Rows only the application writes (numbers, audit, invoices, timesheets...) are never added or
# deleted in the admin, not even by a superuser (their ModelAdmin says so).
ADMIN_PAGES = {
    # model                      admin role  superuser
    "auth.group":               ("v",        "vad"),
    "core.user":                ("vad",      "vad"),
    "core.sequence":            ("v",        "v"),
    "audit.auditevent":         ("v",        "v"),
    "core.taskrecord":          ("v",        "v"),
    "authtoken.tokenproxy":     ("vad",      "vad"),
    "sales.uomcategory":        ("vad",      "vad"),
    "sales.uom":                ("vad",      "vad"),
    "sales.tax":                ("vad",      "vad"),
    "sales.customer":           ("vad",      "vad"),
    "sales.product":            ("vad",      "vad"),
    "sales.order":              ("v",        "v"),
    "upsell.activity":          ("vad",      "vad"),
    "projects.employeerate":    ("vad",      "vad"),
    "projects.project":         ("vad",      "vad"),
    "projects.task":            ("vad",      "vad"),
    "projects.stockmove":       ("v",        "v"),
    "timesheets.timesheetline": ("v",        "v"),
    "timesheets.timer":         ("v",        "v"),
    "helpdesk.team":            ("vad",      "vad"),
    "helpdesk.stage":           ("vad",      "vad"),
    "helpdesk.ticket":          ("vad",      "vad"),
    "invoicing.invoice":        ("v",        "v"),
    "invoicing.payment":        ("v",        "v"),
    "contracts.contract":       ("va",       "vad"),
}

# The admin's own pages that are not a model's ("login" = sent to the admin's sign-in page).
OTHER_ROWS = {
    # page                                          anon  cust  agent sales acct  admin super
    ("admin:index", "GET"):                         "login login login login login 200 200",
    ("admin:app_list", "GET"):                      "login login login login login 200 200",
    ("admin:login", "GET"):                         "200   200   200   200   200   302 302",
    ("admin:logout", "GET"):                        "302   302   302   302   302   405 405",
    ("admin:password_change", "GET"):               "login login login login login 200 200",
    ("admin:password_change_done", "GET"):          "login login login login login 200 200",
    ("admin:auth_user_password_change", "GET"):     "login login login login login 200 200",
    ("admin:autocomplete", "GET"):                  "login login login login login 403 403",
    ("admin:jsi18n", "GET"):                        "login login login login login 200 200",
    ("admin:view_on_site", "GET"):                  "login login login login login 404 404",
}

# fmt: on

_PAGE_NEEDS = {"changelist": "v", "add": "a", "change": "v", "history": "v", "delete": "d"}


def rows(model_keys: dict[str, str]) -> dict:
    table = dict(OTHER_ROWS)
    for key, model in model_keys.items():
        if model not in ADMIN_PAGES:
            continue  # no row: reported as missing
        need = _PAGE_NEEDS[key.rsplit("_", 1)[1]]
        role, superuser = ("200" if need in pages else "403" for pages in ADMIN_PAGES[model])
        table[(key, "GET")] = f"login login login login login {role} {superuser}"
    return table


def methods(route) -> tuple[str, ...]:
    return ("GET",)


def admin_kwargs(route, world) -> dict:
    values = {}
    for name in route.keywords:
        if name == "object_id" and route.key.startswith(("admin:core_user_", "admin:authtoken_tokenproxy_")):
            # The agent (not a superuser: see test_role_matrix); DRF's token admin is keyed by user.
            values[name] = str(world.users["agent"].pk)
        elif name == "object_id" and route.key != "admin:view_on_site":
            app_model = route.key.split(":")[1].rsplit("_", 1)[0]
            model = _model_of(app_model)
            values[name] = str(
                model._default_manager.order_by("pk").values_list("pk", flat=True).first() or 0
            )
        elif name == "object_id":
            values[name] = str(world.ids["order"])
        elif name == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            from sales.models import Order

            values[name] = ContentType.objects.get_for_model(Order).pk
        elif name == "id":
            values[name] = str(world.users["agent"].pk)
        elif name == "app_label":
            values[name] = "sales"
    return values


def _model_of(app_model: str):
    for model in apps.get_models():
        if f"{model._meta.app_label}_{model._meta.model_name}" == app_model:
            return model
    raise LookupError(app_model)
