"""Settings, all from the environment (django-environ).

Defaults give the embedded set-up: SQLite under var/, Celery tasks run in-process when no
broker is configured, e-mail to the console. Every variable is documented in README.md.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# The embedded default key is only for DEBUG runs; production must set SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="") or (
    "embedded-dev-key-not-for-production-3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c1e" if DEBUG else ""
)
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "core.admin_site.PortalAdminConfig",  # django.contrib.admin in the site's formats
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "core",
    "audit",
    "sales",
    "projects",
    "timesheets",
    "helpdesk",
    "invoicing",
    "contracts",
    "reports",
    "portal",
    "upsell",
    "demo",
    # Last: imports each app's `rules.py` (its rules of core.policy) once every app is loaded.
    "rules.apps.AutodiscoverRulesConfig",
]

# Sign-in by Django's backend (first: sessions and force_login name it); model permissions (the
# Django admin) answered by its rows or by core.policy's role table (the `rules` backend).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "rules.permissions.ObjectPermissionBackend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.htmx_messages.HtmxMessagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.error_pages.ErrorPageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
# One transaction per request: a view either writes all it meant to or nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool("DB_OLTP", default=True):
    # Short queries, many at once: PostgreSQL's JIT compiled list queries whose estimated
    # cost is high (a subquery per row over a million timesheet lines) for 0.2-2.5 s and then
    # ran them in milliseconds; parallel plans took two cores for one request and chose
    # sequential scans. Both off for the portal's connections (docs/benchmarks.md).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    tuning = "-c jit=off -c max_parallel_workers_per_gather=0"
    options["options"] = f"{options.get('options', '')} {tuning}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sign-in rate limit (core/login_throttle.py): failures per username or address per window.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_WINDOW = env.int("LOGIN_FAILURE_WINDOW", default=900)
# API tokens expire after this many hours (core/auth.py); asking again issues a new one.
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=720)

# --- Cache ---------------------------------------------------------------------------------
# Shared by every web process in production (CACHE_URL=redis://...): sign-in counters live here.
# Without CACHE_URL, REDIS_URL (e.g. redis://redis:6379/1) is used; else a per-process memory cache
# (fine for the embedded single process, wrong for several web/worker containers).
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {"default": env.cache("CACHE_URL", default=REDIS_URL or "locmemcache://portal")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Redis down: the cache falls back to process memory instead of failing the page (core/cache.py).
    CACHES["default"]["BACKEND"] = "core.cache.ResilientRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=env.float("CACHE_CONNECT_TIMEOUT", default=1.0),
        socket_timeout=env.float("CACHE_SOCKET_TIMEOUT", default=2.0),
    )

# --- Locale ---------------------------------------------------------------------------------
# English UI for a Belgian company: British English, ISO dates and 30,250.00 amounts
# (config/formats/en/formats.py). Money and dates are shown through core/display.py.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en-gb")
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Brussels")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Stored files (invoice PDFs and UBL, worksheets, signatures, attachments) all go through
# Django's storage API: the local MEDIA_ROOT by default (embedded, one machine), or an
# S3-compatible bucket (AWS S3, MinIO, ...) shared by every web and worker container.
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="filesystem")
if STORAGE_BACKEND not in ("filesystem", "s3"):
    raise environ.ImproperlyConfigured("STORAGE_BACKEND is 'filesystem' (default) or 's3'.")
DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if STORAGE_BACKEND == "s3":
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            # MinIO and most S3-compatible servers want path-style URLs.
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="path"),
            "signature_version": "s3v4",
            "location": env.str("AWS_LOCATION", default=""),
            # Never overwrite a stored document: a second file gets a new name.
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="billing@example.com")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# No broker configured: the embedded set-up runs every task in-process, at once.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# In-process mode still keeps results, so progress pages (batch invoicing) can read them.
CELERY_TASK_STORE_EAGER_RESULT = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or "cache+memory://")
CELERY_TASK_TRACK_STARTED = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# A worker killed mid-task (OOM, SIGKILL) gives the message back to the queue: tasks are
# idempotent, so the redelivery completes the job exactly once.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis broker: a message a worker took but never acknowledged (the worker was killed) goes back
# to the queue once it is older than CELERY_VISIBILITY_TIMEOUT seconds. It must exceed the longest
# task (a task still running when it expires is delivered a second time; they are idempotent, but
# it is wasted work). The abandoned messages are looked for every RESTORE_INTERVAL x THROTTLE s
# (and when a worker starts); the fault tests use a few seconds for all three.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
    # A broker that is down or unreachable fails a publish in seconds, not never.
    "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=2.0),
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=10.0),
}
# Finished background job records (core.TaskRecord) are deleted after this many days.
TASK_RECORD_KEEP_DAYS = env.int("TASK_RECORD_KEEP_DAYS", default=30)
# A job still waiting for the task queue after this many seconds is sent again by beat (younger
# ones are still being sent by the request that asked for them).
TASK_PENDING_GRACE_SECONDS = env.int("TASK_PENDING_GRACE_SECONDS", default=10)
UPSELL_SWEEP_MINUTES = env.int("UPSELL_SWEEP_MINUTES", default=15)
CELERY_BEAT_SCHEDULE = {
    "flag-upsells": {
        "task": "sales.tasks.upsell_sweep_task",
        "schedule": timedelta(minutes=UPSELL_SWEEP_MINUTES),
    },
    # Contract period starts (idempotent per contract and period): hourly, so a day is never missed.
    "renew-contracts": {
        "task": "contracts.tasks.renew_contracts_task",
        "schedule": timedelta(hours=1),
    },
    # Jobs asked for while the broker was down (core/background.py) are sent when it is back.
    "send-waiting-jobs": {
        "task": "core.tasks.task_records_flush_task",
        "schedule": timedelta(seconds=env.int("TASK_FLUSH_SECONDS", default=60)),
    },
    "peppol-statuses": {
        "task": "invoicing.tasks.peppol_status_task",
        "schedule": timedelta(minutes=env.int("PEPPOL_STATUS_MINUTES", default=10)),
    },
    # The reports' customer-month summary is a log of deltas: fold each key's rows into one.
    "compact-report-summaries": {
        "task": "reports.tasks.compact_summaries_task",
        "schedule": timedelta(minutes=env.int("REPORT_COMPACT_MINUTES", default=15)),
    },
}

# --- Business settings ----------------------------------------------------------------------
CURRENCY = env.str("CURRENCY", default="EUR")
# Timer durations are rounded up to this step, with this minimum (minutes).
TIMER_ROUNDING_MINUTES = env.int("TIMER_ROUNDING_MINUTES", default=15)
TIMER_MINIMUM_MINUTES = env.int("TIMER_MINIMUM_MINUTES", default=15)
# Upsell: also flag prepaid lines forecast to run out within this many days.
UPSELL_FORECAST_DAYS = env.int("UPSELL_FORECAST_DAYS", default=14)
# Invoice PDFs: a timesheet appendix longer than this is a fixed-width listing, not a table
# (a table costs WeasyPrint ~3 ms per row; see invoicing/appendix.py).
INVOICE_APPENDIX_TABLE_MAX_ROWS = env.int("INVOICE_APPENDIX_TABLE_MAX_ROWS", default=300)
# Field service: may marking a task done take a product's stock below zero?
STOCK_ALLOW_NEGATIVE = env.bool("STOCK_ALLOW_NEGATIVE", default=False)
# Timesheet lines dated further ahead than this are refused as typos.
TIMESHEET_MAX_DAYS_AHEAD = env.int("TIMESHEET_MAX_DAYS_AHEAD", default=7)
DEFAULT_PAYMENT_TERM_DAYS = env.int("DEFAULT_PAYMENT_TERM_DAYS", default=30)
COMPANY = {
    "name": env.str("COMPANY_NAME", default="Acme Support Services"),
    "address": env.str("COMPANY_ADDRESS", default="1 Rue du Support, 1000 Brussels, Belgium"),
    "vat": env.str("COMPANY_VAT", default="BE0123456749"),
    # Peppol participant id (scheme:identifier); blank = 0208 + the enterprise number of a BE VAT.
    "peppol_id": env.str("COMPANY_PEPPOL_ID", default=""),
    "iban": env.str("COMPANY_IBAN", default="BE71096123456769"),
    "bic": env.str("COMPANY_BIC", default="GKCCBEBB"),
    "email": env.str("COMPANY_EMAIL", default="billing@example.com"),
    "country": env.str("COMPANY_COUNTRY", default="BE"),
    "logo": env.str("COMPANY_LOGO", default=""),
}
# Peppol e-invoices (README "Peppol e-invoices"): who hands the UBL to the network.
# "folder" drops each document in PEPPOL_OUTBOX_DIR (for a gateway that picks it up, and tests);
# "http" posts it to an access-point provider's API at PEPPOL_API_URL with PEPPOL_API_TOKEN.
PEPPOL_SENDER = env.str("PEPPOL_SENDER", default="folder")
PEPPOL_OUTBOX_DIR = env.path("PEPPOL_OUTBOX_DIR", default=VAR_DIR / "peppol-outbox")
PEPPOL_API_URL = env.str("PEPPOL_API_URL", default="")
PEPPOL_API_TOKEN = env.str("PEPPOL_API_TOKEN", default="")
PEPPOL_API_TIMEOUT = env.int("PEPPOL_API_TIMEOUT", default=30)
# Attempts before a document is marked failed; the wait doubles from PEPPOL_RETRY_SECONDS.
PEPPOL_MAX_ATTEMPTS = env.int("PEPPOL_MAX_ATTEMPTS", default=5)
PEPPOL_RETRY_SECONDS = env.int("PEPPOL_RETRY_SECONDS", default=60)
# Ticket conversation: attachments (bytes per file, files per message, allowed file types).
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=5)
ATTACHMENT_EXTENSIONS = env.list(
    "ATTACHMENT_EXTENSIONS",
    default=[
        "pdf",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "webp",
        "txt",
        "log",
        "csv",
        "docx",
        "xlsx",
        "odt",
        "ods",
        "zip",
    ],
)
# Links in e-mails (set-password, new replies) start with this address.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
MONEY_DECIMAL_PLACES = 2
ZERO = Decimal("0")

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    # Error statuses, summaries and descriptions of every operation (core/api_schema.py).
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # An unknown ?format= is a 404 only after authentication and permissions (core/api.py).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.negotiation.ContentNegotiation",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Service billing portal API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs describe the whole API surface: for signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Security (production values when DEBUG is off) -----------------------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Pages that must be framed by our own pages (e.g. a PDF preview) use @xframe_options_sameorigin.
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # PDF libraries narrate every rendering step at INFO: keep only their warnings.
        "console_warnings": {"class": "logging.StreamHandler", "level": "WARNING"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        name: {"handlers": ["console_warnings"], "propagate": False}
        for name in ("factur-x", "weasyprint", "fontTools")
    },
}
