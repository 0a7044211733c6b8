"""Django settings, read from the environment with strict parsing.

One settings module for every situation: the defaults serve a developer's laptop
(SQLite in the project's ``var/`` folder, plain local HTTP); production switches on
from the environment (``BOUCLE_DEBUG=False``, ``BOUCLE_SECURE=True`` ...). See
``.env.example`` for every variable.
"""

import os
from pathlib import Path

import dj_database_url
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
DEBUG = envbool("BOUCLE_DEBUG", "True")
SECURE = envbool("BOUCLE_SECURE", "False")  # HTTPS in front: secure cookies, HSTS, redirects

SECRET_KEY = os.environ.get("BOUCLE_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("BOUCLE_SECRET_KEY must be set when BOUCLE_DEBUG is False")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdefghij"

ALLOWED_HOSTS = envlist("BOUCLE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]" if DEBUG else "")
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
    "boucle.sourcing",
    "boucle.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
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

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
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

if SECURE:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("BOUCLE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": os.environ.get("BOUCLE_LOG_LEVEL", "WARNING")},
}
