"""Sightline settings: one module, configured from the environment.

Nothing insecure by default: DEBUG is off, the secret key must be provided
(``SIGHTLINE_SECRET_KEY`` or the file ``var/secret_key`` that ``make demo`` writes),
and allowed hosts are loopback unless ``SIGHTLINE_ALLOWED_HOSTS`` says otherwise.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SIGHTLINE_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    key = os.environ.get("SIGHTLINE_SECRET_KEY")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    raise ImproperlyConfigured(
        "Set SIGHTLINE_SECRET_KEY, or run `make demo` / `make test`, which write var/secret_key."
    )


SECRET_KEY = _secret_key()
DEBUG = _env_bool("SIGHTLINE_DEBUG")
ALLOWED_HOSTS = _env_list("SIGHTLINE_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = _env_list("SIGHTLINE_CSRF_TRUSTED_ORIGINS", "")
# Demo mode shows the demo banner; it never relaxes access rules.
DEMO_MODE = _env_bool("SIGHTLINE_DEMO_MODE")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "drf_spectacular_sidecar",
    "rules.apps.AutodiscoverRulesConfig",
    "sightline.core",
    "sightline.agencies",
    "sightline.accounts",
    "sightline.audit",
    "sightline.access",
    "sightline.people",
    "sightline.record",
    "sightline.chronology",
    "sightline.importing",
    "sightline.demo",
    "sightline.deadlines",
    "sightline.incidents",
    "sightline.learning",
    "sightline.networks",
    "sightline.linkage",
    "sightline.assessments",
    "sightline.cases",
    "django_tasks",
    "django_tasks_db",
    "sightline.sharing",
    "sightline.subjectaccess",
    "sightline.governance",
    # The pages that compose the features; an app for its management commands (stats).
    "sightline.pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sightline.access.middleware.SessionLimitsMiddleware",
    "sightline.access.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a lockout into the locked-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sightline.urls"
WSGI_APPLICATION = "sightline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sightline" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # Sightline's filters (dates as people read them, ...) in every template.
            "builtins": ["sightline.core.templatetags.sightline"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sightline.pages.context_processors.service",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sightline.sqlite3'}"),
        conn_max_age=int(os.environ.get("SIGHTLINE_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username before any password is checked (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend without the superuser's blanket grant.
    "sightline.accounts.backends.PermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# GOV.UK Frontend, htmx and our CSS, built by sightline/frontend/build.sh and committed.
STATICFILES_DIRS = [BASE_DIR / "sightline" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and not _env_bool("SIGHTLINE_TESTING")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = _env_bool("SIGHTLINE_TESTING")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security headers. HTTPS settings are on unless the deployment says it terminates
# TLS elsewhere and serves plain HTTP on loopback (the demo does).
SECURE_HTTPS = _env_bool("SIGHTLINE_HTTPS", default=not DEBUG and not DEMO_MODE)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_HTTPS else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sessions end after 30 minutes without a request or 12 hours after sign-in, whichever
# comes first (sightline.access.middleware.SessionLimitsMiddleware).
SIGHTLINE_SESSION_IDLE_SECONDS = int(os.environ.get("SIGHTLINE_SESSION_IDLE_SECONDS", "1800"))
SIGHTLINE_SESSION_ABSOLUTE_SECONDS = int(
    os.environ.get("SIGHTLINE_SESSION_ABSOLUTE_SECONDS", str(12 * 60 * 60))
)
# Content Security Policy (django-csp): our own origin only, no inline script or style,
# no plugins, no framing, forms post only to us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Lockout (django-axes): 5 wrong passwords for a username lock it for 30 minutes; an
# address is locked after 10 times as many (offices share addresses; see
# sightline/access/lockout.py). The address is the client's: X-Forwarded-For is believed
# only from the reverse proxies listed here (addresses or networks, comma-separated;
# none by default, so REMOTE_ADDR), right-most untrusted hop (sightline/access/clientip.py).
SIGHTLINE_TRUSTED_PROXIES = _env_list("SIGHTLINE_TRUSTED_PROXIES", "")
AXES_CLIENT_IP_CALLABLE = "sightline.access.clientip.request_client_address"
AXES_FAILURE_LIMIT = int(os.environ.get("SIGHTLINE_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("SIGHTLINE_LOCKOUT_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "sightline.access.lockout.LockoutHandler"
SIGHTLINE_LOCKOUT_ADDRESS_FACTOR = int(os.environ.get("SIGHTLINE_LOCKOUT_ADDRESS_FACTOR", "10"))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "access/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# One-time codes: the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = "Sightline"

EMAIL_BACKEND = os.environ.get(
    "SIGHTLINE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("SIGHTLINE_FROM_EMAIL", "sightline@localhost")
# SMTP (when SIGHTLINE_EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend).
EMAIL_HOST = os.environ.get("SIGHTLINE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("SIGHTLINE_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("SIGHTLINE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SIGHTLINE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("SIGHTLINE_EMAIL_USE_TLS")
EMAIL_TIMEOUT = int(os.environ.get("SIGHTLINE_EMAIL_TIMEOUT", "10"))

# Background work (django-tasks, database backend): `sightline run-worker` runs it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Information sharing (sightline.sharing). Referral acknowledgement limits by urgency:
# "h" clock hours, "wh" working hours of SIGHTLINE_WORKING_HOURS on working days.
SIGHTLINE_REFERRAL_LIMITS = os.environ.get(
    "SIGHTLINE_REFERRAL_LIMITS", "red=4h,amber=24wh,green=72wh"
)
SIGHTLINE_WORKING_HOURS = os.environ.get("SIGHTLINE_WORKING_HOURS", "09:00-17:00")
# E-mail outbox: how long a worker holds a message while talking to the mail server,
# and the retry back-off (first delay, doubling, capped).
SIGHTLINE_OUTBOX_LEASE_SECONDS = int(os.environ.get("SIGHTLINE_OUTBOX_LEASE_SECONDS", "60"))
SIGHTLINE_OUTBOX_RETRY_SECONDS = int(os.environ.get("SIGHTLINE_OUTBOX_RETRY_SECONDS", "30"))
SIGHTLINE_OUTBOX_RETRY_MAX_SECONDS = int(
    os.environ.get("SIGHTLINE_OUTBOX_RETRY_MAX_SECONDS", "3600")
)
# How long the worker's alert delivery keeps watching for new alerts once idle.
SIGHTLINE_ALERT_LINGER_SECONDS = float(os.environ.get("SIGHTLINE_ALERT_LINGER_SECONDS", "1"))
# The address of the service, for the link in alert e-mails (e.g. https://sightline.example.org).
SIGHTLINE_BASE_URL = os.environ.get("SIGHTLINE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sightline.access.api.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "sightline.access.api.TokenHasScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["sightline.access.api.PerCallerRate"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sightline API",
    "DESCRIPTION": "People, agencies and the multi-agency chronology. Every read is access-checked and audited.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files (no CDN), its script not inline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Two choice sets named "outcome" (a referral's, a sharing decision's): named apart.
    "ENUM_NAME_OVERRIDES": {
        "ReferralOutcomeEnum": "sightline.sharing.models.ReferralOutcome",
        "SharingOutcomeEnum": "sightline.sharing.models.SharingOutcome",
        "ConferenceKindEnum": "sightline.cases.models.ConferenceKind",
        "CaseRecordKindEnum": "sightline.cases.serializers.KIND_CHOICES",
        "RelationshipKindEnum": "sightline.people.models.RelationshipKind",
    },
}

# Imports: the largest file accepted, in bytes (upload page, CLI and API alike).
SIGHTLINE_IMPORT_MAX_BYTES = int(
    os.environ.get("SIGHTLINE_IMPORT_MAX_BYTES", str(200 * 1024 * 1024))
)
SIGHTLINE_UPLOAD_MAX_BYTES = int(
    os.environ.get("SIGHTLINE_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024))
)
DATA_UPLOAD_MAX_MEMORY_SIZE = SIGHTLINE_UPLOAD_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Chronology page size on the child's page.
SIGHTLINE_CHRONOLOGY_PAGE_SIZE = int(os.environ.get("SIGHTLINE_CHRONOLOGY_PAGE_SIZE", "50"))
# Learning from reviews: published counts from 1 up to this minus one are shown as "c".
SIGHTLINE_SUPPRESS_BELOW = int(os.environ.get("SIGHTLINE_SUPPRESS_BELOW", "5"))
# Rapid reviews: the local plan's working day for agency summaries (after the notification),
# and how many working days before a due date the incident reminders go out.
SIGHTLINE_RAPID_REVIEW_SUMMARY_DAY = int(os.environ.get("SIGHTLINE_RAPID_REVIEW_SUMMARY_DAY", "10"))
SIGHTLINE_INCIDENT_REMINDER_WORKING_DAYS = int(
    os.environ.get("SIGHTLINE_INCIDENT_REMINDER_WORKING_DAYS", "2")
)
# Identity resolution (sightline.linkage): link automatically at or above the first
# probability, put pairs between the two to a practitioner for review.
SIGHTLINE_LINKAGE_AUTO_THRESHOLD = float(os.environ.get("SIGHTLINE_LINKAGE_AUTO_THRESHOLD", "0.99"))
SIGHTLINE_LINKAGE_REVIEW_THRESHOLD = float(
    os.environ.get("SIGHTLINE_LINKAGE_REVIEW_THRESHOLD", "0.5")
)
SIGHTLINE_LINKAGE_MODEL_DIR = Path(
    os.environ.get("SIGHTLINE_LINKAGE_MODEL_DIR", VAR_DIR / "linkage" / "models")
)
# DuckDB (batch linkage and training): memory ceiling and spill directory.
SIGHTLINE_DUCKDB_MEMORY_LIMIT = os.environ.get("SIGHTLINE_DUCKDB_MEMORY_LIMIT", "4GB")
SIGHTLINE_DUCKDB_TEMP_DIR = os.environ.get("SIGHTLINE_DUCKDB_TEMP_DIR", str(VAR_DIR / "duckdb"))
# Splink's Spark backend (`link-file --engine spark`): the master URL when not run by
# spark-submit (default local mode on every core) and the driver's memory in local mode.
SIGHTLINE_SPARK_MASTER = os.environ.get("SPARK_MASTER") or None
SIGHTLINE_SPARK_DRIVER_MEMORY = os.environ.get("SIGHTLINE_SPARK_DRIVER_MEMORY", "4g")
# At most this much spilled to the temp directory: a blocking rule that explodes fails
# with DuckDB's error instead of filling the disk (a 1,000,000-record run once did).
SIGHTLINE_DUCKDB_MAX_TEMP_SIZE = os.environ.get("SIGHTLINE_DUCKDB_MAX_TEMP_SIZE", "20GB")

# Access governance (sightline.access; docs/security.md). Search: results shown at most,
# and searches per user (pages and API together) as "<count>/<second|minute|hour|day>".
SIGHTLINE_SEARCH_RESULT_LIMIT = int(os.environ.get("SIGHTLINE_SEARCH_RESULT_LIMIT", "20"))
SIGHTLINE_SEARCH_RATE = os.environ.get("SIGHTLINE_SEARCH_RATE", "60/hour")
# Two-factor authentication (TOTP) for every account, except in demo mode.
SIGHTLINE_REQUIRE_2FA = _env_bool("SIGHTLINE_REQUIRE_2FA", default=not DEMO_MODE)
# Setting up an authenticator app needs a one-time enrolment code from an administrator
# (`sightline issue-enrolment-code USER` or the Users page): valid this many hours, and
# at most this many tries at one per user.
SIGHTLINE_ENROLMENT_CODE_HOURS = float(os.environ.get("SIGHTLINE_ENROLMENT_CODE_HOURS", "72"))
SIGHTLINE_ENROLMENT_CODE_RATE = os.environ.get("SIGHTLINE_ENROLMENT_CODE_RATE", "5/hour")
# Emergency (break-glass) access lasts this many hours unless ended sooner.
SIGHTLINE_BREAK_GLASS_HOURS = float(os.environ.get("SIGHTLINE_BREAK_GLASS_HOURS", "4"))
# A user may ask for emergency access to one record twice (once, and one renewal) within
# this many days; after that only their team manager or their agency's safeguarding lead
# can grant a further period.
SIGHTLINE_BREAK_GLASS_RENEWAL_DAYS = int(os.environ.get("SIGHTLINE_BREAK_GLASS_RENEWAL_DAYS", "7"))
# Access monitoring (sightline/access/monitoring.py; `sightline monitor-access`, and the
# worker every SIGHTLINE_MONITOR_INTERVAL_MINUTES over the last SIGHTLINE_MONITOR_LOOKBACK_HOURS).
# A user goes on the access review queue who opens more than this many people's records
# within any hour, ...
SIGHTLINE_MONITOR_RECORDS_PER_HOUR = int(os.environ.get("SIGHTLINE_MONITOR_RECORDS_PER_HOUR", "30"))
# ... or any record outside these hours on these days (bank holidays in England are out
# of hours), ...
SIGHTLINE_MONITOR_WORKING_HOURS = os.environ.get("SIGHTLINE_MONITOR_WORKING_HOURS", "08:00-18:00")
SIGHTLINE_MONITOR_WORKING_DAYS = os.environ.get("SIGHTLINE_MONITOR_WORKING_DAYS", "mon-fri")
# ... or the record of someone with their own surname at their home postcode
# (accounts.User.home_postcode: `sightline set-home-postcode`).
SIGHTLINE_MONITOR_INTERVAL_MINUTES = int(os.environ.get("SIGHTLINE_MONITOR_INTERVAL_MINUTES", "15"))
SIGHTLINE_MONITOR_LOOKBACK_HOURS = int(os.environ.get("SIGHTLINE_MONITOR_LOOKBACK_HOURS", "25"))
# Reminders of waiting sign-offs and overdue steps (sharing/reminders.py; `sightline
# notify-waiting-work`, and the worker every SIGHTLINE_REMINDER_INTERVAL_MINUTES): each
# person is told of each item at most once a day, however often it runs.
SIGHTLINE_REMINDER_INTERVAL_MINUTES = int(
    os.environ.get("SIGHTLINE_REMINDER_INTERVAL_MINUTES", "60")
)
# API tokens read only unless given write (`create-api-token --write`, `set-token-scopes`);
# the rate of tokens without their own.
SIGHTLINE_API_DEFAULT_RATE = os.environ.get("SIGHTLINE_API_DEFAULT_RATE", "1000/hour")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SIGHTLINE_LOG_LEVEL", "WARNING")},
}
