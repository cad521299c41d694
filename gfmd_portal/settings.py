"""Settings of the GFMD Portal: one module, read from the environment.

The defaults let ``make run`` work on a machine that has nothing but Python: SQLite and a
file cache under ``var/``, a Celery transport on the file system, emails to the console.
``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY``, ``DEBUG``, ``ALLOWED_HOSTS`` and ``EMAIL_URL``
switch it to production services. See the README's "Configuration" section.
"""

import secrets
from pathlib import Path

import dj_database_url
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from gfmd_portal import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.string("GFMD_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.boolean("DEBUG", False)


def _secret_key():
    value = env.string("SECRET_KEY")
    if value:
        # Django's own rule (its deployment check security.W009).
        if (
            len(value) < SECRET_KEY_MIN_LENGTH
            or len(set(value)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
            or value.startswith(SECRET_KEY_INSECURE_PREFIX)
        ):
            raise ImproperlyConfigured(
                f"SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} characters long, with at least "
                f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} different ones, and not start with {SECRET_KEY_INSECURE_PREFIX!r}"
            )
        return value
    # Local default: a random key kept under var/ so that sessions survive a restart.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.listing("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])


def _site_url():
    """The address people reach the portal at, for links in emails and what commands print.

    Unset, it is the address ``make run`` serves: HOST and PORT, which supervisord.conf passes to
    gunicorn, read here too so that the web, the workers and the commands all agree."""
    value = env.string("SITE_URL")
    if value:
        return value.rstrip("/")
    host = env.string("HOST") or "127.0.0.1"
    # Listening on every interface (not a bind here): this machine answers on the loopback.
    if host in ("0.0.0.0", "::"):  # noqa: S104
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{env.integer('PORT', 8000, minimum=1)}"


SITE_URL = _site_url()
CSRF_TRUSTED_ORIGINS = env.listing("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it comes before it.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # allauth's page listing a person's security keys loads the humanize template tags.
    "django.contrib.humanize",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The project, floor by floor (see docs: each floor imports only the floors below it).
    "common",
    "sdg_targets",
    "stakeholders",
    "roundtables",
    "practices",
    "declarations",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "common.middleware.NoStoreForPrivatePagesMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "common.middleware.RefuseControlCharactersMiddleware",
    "common.pagecache.AnonymousPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "stakeholders.middleware.StaffSecondFactorMiddleware",
]

# Pages under these prefixes (after /<lang>/) answer Cache-Control: no-store, as does /admin/
# (common.middleware): staff and account pages, and the page a delegate invitation's secret link opens.
PRIVATE_PAGES = ("staff/", "accounts/", "delegates/")
ROOT_URLCONF = "gfmd_portal.urls"
WSGI_APPLICATION = "gfmd_portal.wsgi.application"
SITE_ID = 1
# Sessions read from the cache (Redis or files) and written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gfmd_portal.context_processors.site",
                "gfmd_portal.context_processors.after_second_factor",
                "gfmd_portal.context_processors.why_this_page",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env.database_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
    schemes={"sqlite", "postgres", "postgresql", "pgsql"},
)
try:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env.integer("CONN_MAX_AGE", 60, minimum=0))
    }
except (ValueError, dj_database_url.ParseError, dj_database_url.UnknownSchemeError) as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL cannot be read ({exc}); give postgres://user:password@host:5432/name"
    ) from None
# A persistent connection that died (a PostgreSQL restart) is noticed and replaced at the start of
# the next request instead of failing it. Requests that reach the database while it restarts fail.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
_db_options = DATABASES["default"].setdefault("OPTIONS", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _db_options["connect_timeout"] = 5
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Four processes share the file (web, worker, beat's tasks, relay). WAL: readers never wait for
    # the writer. Every transaction takes the write lock when it begins (IMMEDIATE), so that two
    # writers queue up instead of one failing at once ("database is locked" on a lock upgrade);
    # a writer waits up to `timeout` seconds for the lock (`?timeout=N` on the URL changes it).
    _db_options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
    _db_options.setdefault("transaction_mode", "IMMEDIATE")
    _db_options.setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker --------------------------------------------------
# REDIS_URL serves both; CACHE_URL and CELERY_BROKER_URL split them. In production they should be
# two Redis servers: the cache may evict (maxmemory + allkeys-lru), the broker must not
# (noeviction) — an eviction policy is per server, not per database. See the README.
REDIS_SCHEMES = {"redis", "rediss", "unix"}
REDIS_URL = env.redis_url("REDIS_URL", None, schemes=REDIS_SCHEMES)
CACHE_URL = env.redis_url("CACHE_URL", REDIS_URL, schemes=REDIS_SCHEMES)
BROKER_URL = env.redis_url("CELERY_BROKER_URL", REDIS_URL, schemes=REDIS_SCHEMES)
# Neither a page nor an action waits on Redis or the broker for longer than this.
SERVICE_TIMEOUT = 2
# A cache operation gives up after this long (seconds): the cache is on a nearby server and may
# fail; a miss is cheaper than a wait (common/cache.py remembers the failure for a few seconds).
CACHE_SOCKET_TIMEOUT = env.number("CACHE_SOCKET_TIMEOUT", 0.25, minimum=0.01)
# An action publishes its follow-up tasks with this timeout (seconds); a failure is remembered
# for OUTBOX_BROKER_COOLDOWN seconds, during which actions leave their tasks to the relay at once.
OUTBOX_PUBLISH_TIMEOUT = env.number("OUTBOX_PUBLISH_TIMEOUT", 0.3, minimum=0.05)
OUTBOX_BROKER_COOLDOWN = env.number("OUTBOX_BROKER_COOLDOWN", 10.0, minimum=0)

if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "common.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "gfmd",
            "OPTIONS": {"socket_timeout": CACHE_SOCKET_TIMEOUT, "socket_connect_timeout": CACHE_SOCKET_TIMEOUT},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

if BROKER_URL:
    CELERY_BROKER_URL = BROKER_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": SERVICE_TIMEOUT,
        "socket_connect_timeout": SERVICE_TIMEOUT,
        "visibility_timeout": 3600,
    }
    # Chords (the declaration compile) count their finished parts in the result backend.
    CELERY_RESULT_BACKEND = BROKER_URL
    CELERY_REDIS_SOCKET_TIMEOUT = SERVICE_TIMEOUT
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = SERVICE_TIMEOUT
else:
    # A broker that needs no Redis: messages are files under var/celery, shared by the
    # web process and the worker.
    _queue = VAR_DIR / "celery" / "queue"
    _processed = VAR_DIR / "celery" / "processed"
    for _folder in (_queue, _processed):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(_processed),
        "store_processed": False,
    }
    # Chords (the declaration compile) keep their parts' results in files next to the messages.
    _results = VAR_DIR / "celery" / "results"
    _results.mkdir(parents=True, exist_ok=True)
    CELERY_RESULT_BACKEND = f"file://{_results}"

CELERY_BROKER_CONNECTION_TIMEOUT = SERVICE_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that lost the broker tries again for as long as it takes (its supervisor would restart it
# anyway, but a worker that waits keeps its place and its log).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Tests may run tasks in-process; production never does.
CELERY_TASK_ALWAYS_EAGER = env.boolean("CELERY_TASK_ALWAYS_EAGER", False)
# A declaration compile whose workers gave no sign of life for this long is sent again
# (a worker killed outright leaves its messages unacknowledged for the visibility timeout).
DECLARATION_COMPILE_STALL_SECONDS = env.integer("DECLARATION_COMPILE_STALL_SECONDS", 30, minimum=2)
# The same for a set of badges made by a worker (its progress page sends it again).
BADGE_JOB_STALL_SECONDS = env.integer("BADGE_JOB_STALL_SECONDS", 30, minimum=2)

# Anonymous pages are cached for this long at most; any content change invalidates them at once.
PAGE_CACHE_SECONDS = env.integer("PAGE_CACHE_SECONDS", 600, minimum=0)

# --- Email ------------------------------------------------------------------------------
EMAIL_URL = env.string("EMAIL_URL", "console://")
globals().update(env.email_settings(EMAIL_URL))
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "GFMD Portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Authentication -------------------------------------------------------------------------
# Django's and allauth's, loading the signed-in user with their profile, verified email and staff
# group in one query (stakeholders/backends.py).
AUTHENTICATION_BACKENDS = [
    "stakeholders.backends.ModelBackend",
    "stakeholders.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "stakeholders:account"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# The same answer whether an address has an account or not.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[GFMD] "
ACCOUNT_ADAPTER = "stakeholders.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "stakeholders.forms.SignupForm"}
# Kept in the cache (Redis when REDIS_URL is set, so shared by every web process). The 6th
# failed login for one account within 5 minutes is refused, on the portal and the admin alike.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "request_login_code": "20/m/ip,3/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "GFMD Portal"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# --- Security --------------------------------------------------------------------------------
# Served over HTTPS unless told otherwise (`make run` sets HTTPS=0 for http://127.0.0.1:8000).
HTTPS = env.boolean("HTTPS", not DEBUG)
if env.boolean("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Uploads larger than this are refused by the forms that take them (10 MB).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Swagger UI and htmx insert style elements; scripts stay strictly same-origin files.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Languages ------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates in the en-GB style ("2 December 2026, 01:34"): gfmd_portal/formats/en/formats.py.
FORMAT_MODULE_PATH = ["gfmd_portal.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Berlin"
# Content is written in English and French; Spanish falls back to English, then French.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "fr", "es")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "fr"), "en": ("fr",), "fr": ("en",)}

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files served at the site's root (favicon.ico), by WhiteNoise like the static files.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GFMD Portal API",
    "DESCRIPTION": "The programme of the Global Forum on Migration and Development, its reference frameworks "
    "(SDG targets, Global Compact themes) and, later, its practices, sessions and declarations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
}
