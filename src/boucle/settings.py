"""Django settings, read from the environment with strict parsing.

One settings module for every situation. With no variable set, ``boucle serve`` is
safe to show to users: DEBUG off, a secret key made once in the data folder, loopback
hosts allowed, SQLite in the project's ``var/`` folder, plain local HTTP. A public
deployment adds its host names and ``BOUCLE_SECURE=True`` behind HTTPS; a developer
sets ``BOUCLE_DEBUG=True``. See ``.env.example`` for every variable.
"""

import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent


def _project_root() -> Path:
    """The checkout's root when running from a clone, else the working directory."""
    root = PACKAGE_DIR.parent.parent
    return root if (root / "pyproject.toml").exists() else Path.cwd()


def envbool(name: str, default: str) -> bool:
    """Only the words True/False (any case) or 1/0; anything else is a mistake worth stopping for."""
    value = os.environ.get(name, default).strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: expected True or False")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected an integer") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("BOUCLE_DATA_DIR", str(_project_root() / "var")))
# Pre-migrated SQLite databases (one per migration set), copied to start a new database file; a folder
# shared by several data folders (the test suite's subprocesses, scratch databases) migrates once for all.
SQLITE_TEMPLATES_DIR = Path(os.environ.get("BOUCLE_SQLITE_TEMPLATES", "").strip() or DATA_DIR / "templates")
# Production by default: a debug page shows the settings and every URL, so it is opt-in.
DEBUG = envbool("BOUCLE_DEBUG", "False")
SECURE = envbool("BOUCLE_SECURE", "False")  # HTTPS in front: secure cookies, HSTS, redirects


def stored_secret_key(folder: Path) -> str:
    """The key kept in ``folder/secret_key``, made once (mode 600) on the first start.

    Gunicorn workers and test processes start together: each writes its candidate to a
    private file and links it into place; ``os.link`` fails for all but the first, and the
    others read the winner's key, so every process signs with the same key.
    """
    import secrets
    import tempfile

    path = folder / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".secret_key.")  # created with mode 600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_urlsafe(50) + "\n")
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
        return path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"BOUCLE_SECRET_KEY is not set and {path} cannot be written ({exc}): set BOUCLE_SECRET_KEY "
            "or BOUCLE_DATA_DIR") from None


SECRET_KEY = os.environ.get("BOUCLE_SECRET_KEY", "") or stored_secret_key(DATA_DIR)

# Loopback names by default, so `boucle serve` answers http://127.0.0.1:N and http://localhost:N.
ALLOWED_HOSTS = envlist("BOUCLE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("BOUCLE_CSRF_TRUSTED_ORIGINS", "")

_db_url = os.environ.get("DATABASE_URL", "") or f"sqlite:///{DATA_DIR / 'boucle.sqlite3'}"
if not _db_url.startswith(("sqlite:", "postgres:", "postgresql:", "pgsql:")):
    raise ImproperlyConfigured(f"DATABASE_URL={_db_url!r}: expected sqlite:///path or postgres://...")
DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=envint("BOUCLE_DB_CONN_MAX_AGE", "0"))}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("BOUCLE_TEST_SQLITE", "")} if os.environ.get("BOUCLE_TEST_SQLITE") else {}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",  # Content-Security-Policy header and per-request nonces
    "axes",  # the login limiter of every login form, the admin's included (accounts.lockout)
    "ninja",  # serves the Swagger UI of /api/docs from its own static files (no CDN)
    "boucle.territories",
    "boucle.reference",
    "boucle.flows",
    "boucle.accounts",
    "boucle.matching",
    "boucle.passports",
    "boucle.observatory",
    "boucle.projects",
    "boucle.sharing",
    "boucle.notifications",
    "boucle.places",
    "boucle.sourcing",
    "boucle.aids",
    "boucle.land",
    "boucle.skills",
    "boucle.ops",
    "boucle.jobs",
    "boucle.web",
]

MIDDLEWARE = [
    "boucle.ops.middleware.RequestIdMiddleware",  # X-Request-ID in the response and in every log record
    "boucle.ops.middleware.ProbeMiddleware",  # /healthz and /readyz, before host checks and HTTPS redirects
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "boucle.ops.middleware.RequestLimitsMiddleware",  # a too-long address: 414, the platform's page, reader's language
    "boucle.ops.middleware.MethodNotAllowedPageMiddleware",  # a form's address opened as a page: 405, not a blank page
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a locked-out login into « Trop de tentatives » (429)
]

ROOT_URLCONF = "boucle.urls"
WSGI_APPLICATION = "boucle.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "boucle.web.context.site_settings",
                "boucle.notifications.context.notifications",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    "boucle.accounts.lockout.LockoutBackend",  # first: refuses an account locked out by too many attempts
    "boucle.accounts.backends.EmailOrUsernameBackend",  # log in with an e-mail address or a username
    "django.contrib.auth.backends.ModelBackend",  # sessions opened by login(..., backend=ModelBackend)
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Shared cache (the login limiter's counters): the database by default, Redis with BOUCLE_CACHE_URL.
_cache_url = os.environ.get("BOUCLE_CACHE_URL", "").strip()
if not _cache_url:
    CACHES = {"default": {"BACKEND": "boucle.accounts.cache.DatabaseCache", "LOCATION": "boucle_cache"}}
elif _cache_url.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}}
else:
    raise ImproperlyConfigured(f"BOUCLE_CACHE_URL={_cache_url!r}: expected redis://host:port/db (or empty: the database)")
# Sessions kept in Redis as well as in the database (read from Redis, written to both), if wanted.
if envbool("BOUCLE_SESSIONS_IN_CACHE", "False"):
    if not _cache_url:
        raise ImproperlyConfigured("BOUCLE_SESSIONS_IN_CACHE=True needs BOUCLE_CACHE_URL=redis://…")
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Background jobs (boucle.jobs, docs/jobs.md): a Celery broker for `boucle worker`, or none, and then a job
# runs in the process that submits it. The visibility timeout is how long a job's message stays with a
# worker that went silent (killed, machine lost) before another worker gets it again.
BOUCLE_BROKER_URL = os.environ.get("BOUCLE_BROKER_URL", "").strip()
if BOUCLE_BROKER_URL and not BOUCLE_BROKER_URL.startswith(("redis://", "rediss://", "amqp://", "amqps://")):
    raise ImproperlyConfigured(f"BOUCLE_BROKER_URL={BOUCLE_BROKER_URL!r}: expected redis://host:port/db or amqp://…")
BOUCLE_JOBS_QUEUE = os.environ.get("BOUCLE_JOBS_QUEUE", "").strip() or "boucle"
# The worker's node name, which `boucle worker --check` pings: one per worker sharing a broker on one machine
# (a container's host name is its own; two workers on one host need two names).
BOUCLE_WORKER_NAME = (os.environ.get("BOUCLE_WORKER_NAME", "").strip()
                      or f"celery@{__import__('socket').gethostname()}")
BOUCLE_JOBS_VISIBILITY_TIMEOUT = envint("BOUCLE_JOBS_VISIBILITY_TIMEOUT", "3600")
BOUCLE_JOBS_DIR = DATA_DIR / "jobs"  # the files of export and report jobs, one per job
# Periodic jobs for `boucle beat`: a matching run each night for these territories (comma-separated
# references, e.g. "region:32,epci:200093201"), at this hour (UTC). Empty: beat schedules nothing.
BOUCLE_NIGHTLY_MATCH = [ref.strip() for ref in os.environ.get("BOUCLE_NIGHTLY_MATCH", "").split(",") if ref.strip()]
BOUCLE_NIGHTLY_HOUR = envint("BOUCLE_NIGHTLY_HOUR", "2")
if not 0 <= BOUCLE_NIGHTLY_HOUR <= 23:
    raise ImproperlyConfigured(f"BOUCLE_NIGHTLY_HOUR={BOUCLE_NIGHTLY_HOUR}: expected an hour from 0 to 23")

# Logins: 10 wrong passwords for one account, from any address and any worker, lock it for
# 15 minutes on every login form, the admin's included (accounts.lockout).
from datetime import timedelta  # noqa: E402

AXES_FAILURE_LIMIT = envint("BOUCLE_LOGIN_FAILURE_LIMIT", "10")
AXES_COOLOFF_TIME = timedelta(minutes=envint("BOUCLE_LOGIN_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "boucle.accounts.lockout.account_key"
AXES_HANDLER = "boucle.accounts.lockout.ReservingCacheHandler"
AXES_LOCKOUT_CALLABLE = "boucle.accounts.lockout.locked_response"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Per account on purpose: an office behind one address is not locked out by a colleague's typos,
# and attempts are counted before the password check (accounts.lockout), whatever the client sends.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Django's default, on purpose: the workshop grid posts 60 rows of about 10 fields at most. A form or a
# query string with more fields is refused with 400 and the platform's page (400.html), never a 500.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"  # each role lands on its own page (boucle.web.views.dashboard)
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
FORMAT_MODULE_PATH = ["boucle.formats"]  # British dates in English (boucle/formats/en)
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("BOUCLE_STATIC_ROOT", str(DATA_DIR / "static")))
# Serve straight from the app folders: `boucle serve` works without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = os.environ.get("BOUCLE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if os.environ.get("BOUCLE_SMTP_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["BOUCLE_SMTP_HOST"]
    EMAIL_PORT = envint("BOUCLE_SMTP_PORT", "587")
    EMAIL_HOST_USER = os.environ.get("BOUCLE_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("BOUCLE_SMTP_PASSWORD", "")
    EMAIL_USE_TLS = envbool("BOUCLE_SMTP_TLS", "True")
DEFAULT_FROM_EMAIL = os.environ.get("BOUCLE_FROM_EMAIL", "boucle@localhost")

# Passport chain heads are signed (Ed25519) and logged outside the database (passports.anchor).
# The key is created in the data folder on first use unless the deployer names one.
BOUCLE_PASSPORT_KEY = os.environ.get("BOUCLE_PASSPORT_KEY", "") or str(DATA_DIR / "passport-signing-key.pem")
BOUCLE_PASSPORT_KEY_CONFIGURED = bool(os.environ.get("BOUCLE_PASSPORT_KEY", ""))
BOUCLE_PASSPORT_HEADS_LOG = os.environ.get("BOUCLE_PASSPORT_HEADS_LOG", "") or str(DATA_DIR / "passport-heads.jsonl")

# Map tiles: a URL template; empty means vector layers only (works offline).
BOUCLE_TILE_URL = os.environ.get("BOUCLE_TILE_URL", "")
BOUCLE_TILE_ATTRIBUTION = os.environ.get("BOUCLE_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
BOUCLE_MATCH_RADIUS_KM = float(os.environ.get("BOUCLE_MATCH_RADIUS_KM", "200"))

# The deployer's look (README, "Your name, logo and colours"): the platform carries the name of the
# region or intercommunality that runs it; the colour is made WCAG-AA readable by boucle.web.theme.
BOUCLE_SITE_NAME = os.environ.get("BOUCLE_SITE_NAME", "").strip() or "Boucle"
BOUCLE_LOGO_URL = os.environ.get("BOUCLE_LOGO_URL", "").strip()
BOUCLE_PRIMARY_COLOR = os.environ.get("BOUCLE_PRIMARY_COLOR", "").strip() or "#0b6e4f"
if not re.fullmatch(r"#[0-9a-fA-F]{6}", BOUCLE_PRIMARY_COLOR):
    raise ImproperlyConfigured(f"BOUCLE_PRIMARY_COLOR={BOUCLE_PRIMARY_COLOR!r}: expected a colour as #rrggbb")
if BOUCLE_LOGO_URL and not BOUCLE_LOGO_URL.startswith(("https://", "http://", "/")):
    raise ImproperlyConfigured(f"BOUCLE_LOGO_URL={BOUCLE_LOGO_URL!r}: expected an http(s) URL or a path from /")


def _origin(url: str) -> list[str]:
    """The scheme and host a URL template loads from ({s} subdomains become a wildcard), for the CSP."""
    if not url.startswith(("https://", "http://")):
        return []
    scheme, rest = url.split("://", 1)
    host = rest.split("/", 1)[0].replace("{s}", "*")
    return [f"{scheme}://{host}"]


# Content-Security-Policy (django-csp): scripts only from this origin, never inline, never eval;
# <style> elements only with the request's nonce; images from here plus the configured tile and logo
# servers. Style attributes stay allowed: Leaflet and ECharts position their elements with them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", *_origin(BOUCLE_TILE_URL), *_origin(BOUCLE_LOGO_URL)],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

if SECURE:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("BOUCLE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True

# Logs on stderr, each record with its request's id (boucle.ops.logs); one JSON object per line with
# BOUCLE_LOG_FORMAT=json, for a log collector.
BOUCLE_LOG_FORMAT = os.environ.get("BOUCLE_LOG_FORMAT", "text").strip().lower()
if BOUCLE_LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"BOUCLE_LOG_FORMAT={BOUCLE_LOG_FORMAT!r}: expected text or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "boucle.ops.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "boucle.ops.logs.JsonFormatter"},
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": BOUCLE_LOG_FORMAT}},
    "root": {"handlers": ["stderr"], "level": os.environ.get("BOUCLE_LOG_LEVEL", "WARNING")},
}
