"""Settings for the DTC platform: one module, read entirely from environment variables.

Embedded defaults give a working first run (SQLite, database task queue, mail on the console);
production differences come from the environment, never from code paths. Every variable is listed
in the README.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("DTC_VAR_DIR", REPO_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules or env_bool("DTC_TESTING", False)
DEBUG = env_bool("DTC_DEBUG", False)


def _secret_key() -> str:
    """The key comes from the environment; a first local run gets one generated into var/."""
    key = os.environ.get("DTC_SECRET_KEY")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    try:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(key)
        key_file.chmod(0o600)
    except OSError:
        pass
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DTC_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DTC_CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("DTC_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL

INSTALLED_APPS = [
    "dtc.core",
    "dtc.organisations",
    "dtc.knowledge",
    "dtc.community",
    "dtc.notifications",
    "dtc.advisories",
    "dtc.assessment",
    "dtc.scans",
    "dtc.api",
    # Editorial content
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # API
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Background work
    "django_tasks_db",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dtc.core.pagecache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dtc.core.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "dtc.core.middleware.StaffMFAMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "dtc.urls"
WSGI_APPLICATION = "dtc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dtc.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (postgres://…); without it an embedded SQLite file in var/.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("DTC_SQLITE_PATH", str(VAR_DIR / "dtc.sqlite3")),
            "OPTIONS": {
                # WAL lets the web server and the worker use the file at the same time.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if IS_POSTGRES:
    INSTALLED_APPS.append("django.contrib.postgres")  # GIN indexes of Wagtail's search index

# --- Cache (rate limits, sessions stay in the database) ------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # Shared by all processes on one machine (web workers and task worker).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "dtc_cache"}}

# Whole public pages for anonymous visitors, per process (see core/pagecache.py).
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "dtc-pages",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}
DTC_PAGE_CACHE_SECONDS = int(os.environ.get("DTC_PAGE_CACHE_SECONDS", "0" if TESTING else "60"))

# --- Background tasks -----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("DTC_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "mail", "scans"],
    }
}

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "organisations.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"] if TESTING and not env_bool("DTC_REAL_HASHER", False)
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "organisations:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_ADAPTER = "dtc.organisations.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[DTC] "
# Rate limits and lockout: failed logins per IP and per account (allauth's limiter, cache-backed).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
if not env_bool("DTC_RATE_LIMITS", True):
    ACCOUNT_RATE_LIMITS = False  # type: ignore[assignment]
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = os.environ.get("DTC_MFA_ISSUER", "Digital Trust Center")
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or TESTING
# Staff may not reach the back office without a second factor (see core.middleware).
DTC_STAFF_MFA_REQUIRED = env_bool("DTC_STAFF_MFA_REQUIRED", True)

# --- Mail -----------------------------------------------------------------------------------
_EMAIL_HOST = os.environ.get("DTC_EMAIL_HOST", "")
if _EMAIL_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _EMAIL_HOST,
                "port": int(os.environ.get("DTC_EMAIL_PORT", "25")),
                "username": os.environ.get("DTC_EMAIL_HOST_USER", ""),
                "password": os.environ.get("DTC_EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("DTC_EMAIL_USE_TLS", False),
                "timeout": 20,
            },
        }
    }
else:
    # No mail server configured: messages are printed on the worker's console.
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DTC_FROM_EMAIL", "Digital Trust Center <noreply@dtc.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation: Dutch first, English second --------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DTC_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS: list = []
# NL Design System CSS comes from npm (package-lock.json) and is served from our own origin.
NODE_MODULES = REPO_DIR / "node_modules"
if (NODE_MODULES / "@utrecht").exists():
    STATICFILES_DIRS.append(("vendor/utrecht", NODE_MODULES / "@utrecht" / "component-library-css" / "dist"))
    STATICFILES_DIRS.append(
        ("vendor/tokens", NODE_MODULES / "@nl-design-system-unstable" / "voorbeeld-design-tokens" / "dist")
    )
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DTC_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
# Files shared with trust-platform items (community attachments); checked by content, not by name.
DTC_ATTACHMENT_MAX_BYTES = int(os.environ.get("DTC_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))

# --- Security baseline ----------------------------------------------------------------------
# HSTS and the secure cookie flag apply to HTTPS responses; SecurityMiddleware sends HSTS only there.
SECURE_HSTS_SECONDS = int(os.environ.get("DTC_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool("DTC_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("DTC_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_COOKIES = env_bool("DTC_SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: no inline script or style anywhere, no third-party origins.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Wagtail --------------------------------------------------------------------------------
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_SITE_NAME = os.environ.get("DTC_SITE_NAME", "Digital Trust Center")
WAGTAILADMIN_PERMITTED_LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no third-party requests from any page
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        # Dutch stemming on PostgreSQL; ignored on SQLite (FTS5 or a LIKE fallback).
        "SEARCH_CONFIG": "dutch",
    }
}
WAGTAILEMBEDS_FINDERS: list[dict[str, object]] = []  # no third-party oEmbed requests
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "dtc.api.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "dtc.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("DTC_API_ANON_RATE", "120/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DTC platform API",
    "DESCRIPTION": (
        "Public knowledge (principles, articles), the signed-in user's organisation profiles, and the trust "
        "platform (communities, memberships, items shared under TLP 2.0, comments) as far as the user may see it."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Deep links put a link inside each operation's toggle button (nested interactive controls).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["dtc.api.schema.only_public_api"],
    # Items and indicators both have a field "kind" with different choices: name their enums apart.
    "ENUM_NAME_OVERRIDES": {
        "ItemKindEnum": "dtc.community.models.Item.Kind",
        "IndicatorKindEnum": "dtc.community.models.Indicator.Kind",
    },
}

# --- security.txt (RFC 9116) ----------------------------------------------------------------
DTC_SECURITY_CONTACTS = env_list("DTC_SECURITY_CONTACTS", "mailto:security@dtc.example")
DTC_SECURITY_TXT_DAYS = int(os.environ.get("DTC_SECURITY_TXT_DAYS", "180"))
DTC_SECURITY_LANGUAGES = env_list("DTC_SECURITY_LANGUAGES", "nl,en")
DTC_SECURITY_ENCRYPTION = os.environ.get("DTC_SECURITY_ENCRYPTION", "")  # URL of an OpenPGP key

# --- Privacy: retention (days) ---------------------------------------------------------------
DTC_RETENTION = {
    "unverified_accounts": int(os.environ.get("DTC_RETAIN_UNVERIFIED_DAYS", "30")),
    "invitations": int(os.environ.get("DTC_RETAIN_INVITATIONS_DAYS", "30")),
    "audit_log": int(os.environ.get("DTC_RETAIN_AUDIT_DAYS", str(2 * 365))),
    "task_results": int(os.environ.get("DTC_RETAIN_TASK_RESULTS_DAYS", "14")),
    "notifications": int(os.environ.get("DTC_RETAIN_NOTIFICATIONS_DAYS", "180")),
    # Decided requests to join a collaboration and answered questions to experts.
    "directory_requests": int(os.environ.get("DTC_RETAIN_DIRECTORY_REQUESTS_DAYS", "365")),
    # Registrations for an event, counted from its end.
    "event_registrations": int(os.environ.get("DTC_RETAIN_EVENT_REGISTRATIONS_DAYS", "90")),
    # Alerts to organisations (incl. their "done / not relevant" answer), and their outbox rows.
    "alerts": int(os.environ.get("DTC_RETAIN_ALERTS_DAYS", str(2 * 365))),
    "alert_deliveries": int(os.environ.get("DTC_RETAIN_ALERT_DELIVERIES_DAYS", "90")),
    # Anonymous self-assessment results, counted from their last change (the resume link stops then).
    "assessment_anonymous": int(os.environ.get("DTC_RETAIN_ASSESSMENT_ANONYMOUS_DAYS", "365")),
    # Scans not tied to an organisation (on-demand scans of public information).
    "scans_on_demand": int(os.environ.get("DTC_RETAIN_SCANS_ON_DEMAND_DAYS", "90")),
}
# Self-assessment (dtc.assessment): the question set loaded by `dtc load_demo` / `dtc load_questionset`,
# and the smallest peer group whose aggregates are shown.
# Scans (dtc.scans): DTC_SCAN_DNS="127.0.0.1:5353" makes the scanner ask only that DNS server (offline demo).
DTC_SCAN_DNS = os.environ.get("DTC_SCAN_DNS", "")
DTC_SCAN_CA_FILE = os.environ.get("DTC_SCAN_CA_FILE", "")
# DNSSEC trust anchors (DS or DNSKEY lines, master-file format) instead of the IANA root's: closed
# networks with their own signed root, and the offline demo.
DTC_SCAN_DNSSEC_ANCHOR_FILE = os.environ.get("DTC_SCAN_DNSSEC_ANCHOR_FILE", "")
DTC_SCAN_TIMEOUT = float(os.environ.get("DTC_SCAN_TIMEOUT", "10"))
# Ports the scanner connects to (only the offline demo changes them: its web server is not on 80/443).
DTC_SCAN_HTTP_PORT = int(os.environ.get("DTC_SCAN_HTTP_PORT", "80"))
DTC_SCAN_HTTPS_PORT = int(os.environ.get("DTC_SCAN_HTTPS_PORT", "443"))
DTC_SCAN_SMTP_PORT = int(os.environ.get("DTC_SCAN_SMTP_PORT", "25"))
DTC_SCAN_REUSE_SECONDS = int(os.environ.get("DTC_SCAN_REUSE_SECONDS", "300"))
# TLS enumeration results reused per (IP address, port) across domains, in seconds; 0 = off (scans/checks/reuse.py).
DTC_SCAN_TLS_CACHE_SECONDS = float(os.environ.get("DTC_SCAN_TLS_CACHE_SECONDS", "3600"))
DTC_SCANS_PER_VISITOR_PER_HOUR = int(os.environ.get("DTC_SCANS_PER_VISITOR_PER_HOUR", "10"))
# Verified domains of organisations are scanned again when their latest scan is this many days old.
DTC_SCAN_RESCAN_DAYS = int(os.environ.get("DTC_SCAN_RESCAN_DAYS", "7"))
# A collaboration's batch scan: at most this many member domains per list (internet.nl's batch: 5 000).
DTC_SCAN_BATCH_MAX_DOMAINS = int(os.environ.get("DTC_SCAN_BATCH_MAX_DOMAINS", "5000"))
DTC_ASSESSMENT_QUESTIONSET = os.environ.get("DTC_ASSESSMENT_QUESTIONSET", "2026.1")
DTC_ASSESSMENT_MIN_PEERS = int(os.environ.get("DTC_ASSESSMENT_MIN_PEERS", "10"))
DTC_ASSESSMENT_SUPPLIER_MAILS_PER_DAY = int(os.environ.get("DTC_ASSESSMENT_SUPPLIER_MAILS_PER_DAY", "5"))
DTC_ASSESSMENT_SUPPLIER_MAILS_PER_CLIENT_PER_DAY = int(
    os.environ.get("DTC_ASSESSMENT_SUPPLIER_MAILS_PER_CLIENT_PER_DAY", "20")
)
# Tailored alerts (dtc.advisories).
# CSAF providers polled by the scheduler, besides those an analyst adds in the admin (space-separated URLs).
DTC_CSAF_PROVIDERS = os.environ.get("DTC_CSAF_PROVIDERS", "").split()
# Largest CSAF document accepted (bytes); NCSC's and vendors' documents stay far below.
DTC_CSAF_MAX_BYTES = int(os.environ.get("DTC_CSAF_MAX_BYTES", str(5 * 1024 * 1024)))
# Messages per SMTP connection and per claimed batch; seconds a claimed batch is leased.
DTC_ALERT_BATCH_SIZE = int(os.environ.get("DTC_ALERT_BATCH_SIZE", "200"))
DTC_ALERT_LEASE_SECONDS = int(os.environ.get("DTC_ALERT_LEASE_SECONDS", "300"))
DTC_ALERT_MAX_ATTEMPTS = int(os.environ.get("DTC_ALERT_MAX_ATTEMPTS", "8"))
# Webhooks to loopback or private addresses (tests and closed networks only; SSRF otherwise).
DTC_WEBHOOK_ALLOW_PRIVATE = env_bool("DTC_WEBHOOK_ALLOW_PRIVATE", False)
# Days after which a product list counts as possibly out of date ("is this still right?").
DTC_PRODUCTS_CONFIRM_DAYS = int(os.environ.get("DTC_PRODUCTS_CONFIRM_DAYS", "180"))
# Forwards to an IT supplier one person may send per 24 hours.
DTC_ALERT_FORWARDS_PER_DAY = int(os.environ.get("DTC_ALERT_FORWARDS_PER_DAY", "20"))
# Questions one person may ask experts per 24 hours.
DTC_EXPERT_QUESTIONS_PER_DAY = int(os.environ.get("DTC_EXPERT_QUESTIONS_PER_DAY", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DTC_LOG_LEVEL", "WARNING")},
    "loggers": {"django.security.csrf": {"level": "WARNING"}},
}
