"""Hafen's one settings module: everything comes from the environment (see README.md).

Two modes. The embedded default (no HAFEN_PRODUCTION) runs on one machine with
SQLite and an in-process channel layer, and generates its secrets into the data
folder. Production mode requires every secret from the environment, forces
secure cookies and HSTS, and never turns DEBUG on by default.
"""

from __future__ import annotations

import base64
import secrets
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from redis.exceptions import ConnectionError as RedisConnectionError

from hafen import languages
from hafen.env import env_bool, env_int, env_list, env_str, secret_from_env_or_file

BASE_DIR = Path(__file__).resolve().parent
PRODUCTION = env_bool("HAFEN_PRODUCTION", False)
DATA_DIR = Path(env_str("HAFEN_DATA_DIR", "data")).resolve()

DEBUG = env_bool("HAFEN_DEBUG", False)

SECRET_KEY = secret_from_env_or_file(
    "HAFEN_SECRET_KEY", DATA_DIR / "secret.key", production=PRODUCTION
)


def _new_master_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


# The master keyring: comma-separated base64 AES-256 keys, the first is used to
# wrap new data keys, the others only to unwrap during a rotation (hafen keys rotate).
HAFEN_MASTER_KEYS = [
    key.strip()
    for key in secret_from_env_or_file(
        "HAFEN_MASTER_KEYS",
        DATA_DIR / "master.keys",
        production=PRODUCTION,
        factory=_new_master_key,
    )
    .replace("\n", ",")
    .split(",")
    if key.strip()
]
HAFEN_MASTER_KEY_FILE = None if env_str("HAFEN_MASTER_KEYS") else DATA_DIR / "master.keys"

ALLOWED_HOSTS = env_list(
    "HAFEN_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env_list("HAFEN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # One app per part of DESIGN.md.
    "hafen.privacy",
    "hafen.accounts",
    "hafen.home",
    "hafen.conversations",
    "hafen.push",
    "hafen.bridge",
    "hafen.cases",
    "hafen.publishing",
    "hafen.strategy",
    "hafen.network",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "hafen.home.middleware.RejectInvalidUtf8Middleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hafen.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hafen.home.middleware.PermissionsPolicyMiddleware",
    "hafen.privacy.middleware.RestrictedCaseMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hafen.urls"
ASGI_APPLICATION = "hafen.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "hafen.languages.context",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hafen.home.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite in the data folder unless DATABASE_URL names another one.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A pool per process (psycopg_pool): taking and returning a connection costs no
        # round trip, where a kept connection with health checks cost a "SELECT 1" on
        # every database call of the websocket consumers. A broken connection is
        # dropped by the pool when it comes back.
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 2,
            "max_size": env_int("HAFEN_DB_POOL_SIZE", 20),
            "timeout": 10,
        }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "hafen.sqlite3"),
            # Keep the connection: the websocket consumers' database thread would otherwise
            # open and close one (and checkpoint the WAL) for every message.
            "CONN_MAX_AGE": env_int("HAFEN_DB_CONN_MAX_AGE", 60),
            "OPTIONS": {
                # IMMEDIATE: a transaction takes the write lock when it starts, so two
                # writers never read the same audit-chain head (see privacy/audit.py).
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": {"NAME": env_str("HAFEN_TEST_SQLITE_NAME") or None},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Threads for the websockets' database calls on PostgreSQL (see hafen/lib/db.py); each
# holds a pooled connection while it works, so keep it below HAFEN_DB_POOL_SIZE.
HAFEN_DB_THREADS = env_int("HAFEN_DB_THREADS", 4, minimum=1)

# Redis (optional): the Channels layer and the cache for several app processes.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Redis Pub/Sub: events are pushed to every process that listens, where the
            # list-based layer fetched each one with a round trip from a single loop per
            # process, which capped deliveries near 100 a second (bench/chat_load.py), and
            # silently dropped events past its capacity. At-most-once is enough here:
            # events only say "read the database", and a lost one is caught up by the
            # next event, the page's ping or a reconnect.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            # redis-py 8 times reads out after 5 s by default: a quiet socket would crash.
            # And its pool refuses the 101st connection instead of waiting. After Redis
            # was away, every pooled connection fails once ("Connection closed by
            # server"): without a retry on a fresh one, the first events after its
            # return were lost, and sockets waited for the page's ping to catch up.
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 10,
                        "max_connections": 1000,
                        "retry_on_error": [RedisConnectionError],
                    }
                ],
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "hafen",
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "hafen.lib.local_layer.LocalChannelLayer",
            "CONFIG": {"capacity": 1000},  # waiting events per socket
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background and scheduled work: django-tasks with its database backend, run by
# `hafen worker` (started by `hafen run`). No broker is needed, on SQLite or PostgreSQL.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:start"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after inactivity: every request pushes the expiry forward.
# Database sessions that refuse a forged key before it reaches the database (lib/sessions.py).
SESSION_ENGINE = "hafen.lib.sessions"
SESSION_IDLE_MINUTES = env_int("HAFEN_SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Login throttling (django-axes): five failures for a user name from one address
# lock that pair for a quarter of an hour; the lockout page explains it.
AXES_FAILURE_LIMIT = env_int("HAFEN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HAFEN_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env_int("HAFEN_PROXY_COUNT", 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Hafen"

# Security headers. The CSP allows nothing from another host: every asset is vendored.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("HAFEN_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("HAFEN_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("HAFEN_HSTS_PRELOAD", True)
    if env_bool("HAFEN_BEHIND_PROXY", True):
        # The reverse proxy terminates TLS and says so in this header.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Language: German first, English complete; the client door also in Einfache Sprache,
# prepared for Turkish, Arabic, Ukrainian and Russian (see hafen/languages.py).
LANGUAGE_CODE = "de"
LANGUAGES = languages.LANGUAGES
HAFEN_STAFF_LANGUAGES = list(languages.STAFF)
HAFEN_DOOR_LANGUAGES = list(languages.DOOR)
# The client's choice lives in a cookie that ends with the browser (no max age), sent to
# this site only, unreadable for scripts.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("HAFEN_TIME_ZONE", "Europe/Berlin")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "files"},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (embedded default) WhiteNoise serves from the app folders.
# Compression: WhiteNoise sends the gzip files collectstatic made (production mode) to
# browsers that accept them; static files hold no secrets. HTML is sent uncompressed on
# purpose (no GZipMiddleware): pages carry secrets (a client's return code, CSRF tokens,
# case and conversation content) next to text an attacker may choose (messages, search
# terms, query strings), and compressing both together lets the response's length leak
# the secret (BREACH). The door's first visit is 13 KB this way (bench/weight.py); a
# reverse proxy in front must not compress text/html either.
WHITENOISE_USE_FINDERS = not PRODUCTION
# WhiteNoise streams files synchronously; under ASGI Django buffers them and warns on
# every static request. Hafen's static files are a few small files: the cost is nil.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("HAFEN_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("HAFEN_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("HAFEN_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("HAFEN_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("HAFEN_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("HAFEN_EMAIL_TLS", True)
DEFAULT_FROM_EMAIL = env_str("HAFEN_EMAIL_FROM", "hafen@localhost")

# Invitation links for staff are valid this long, and only once.
INVITATION_VALID_DAYS = env_int("HAFEN_INVITATION_VALID_DAYS", 7, minimum=1)

# Logs never carry content or client addresses; uvicorn's access log is off (hafen run).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("HAFEN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

# The public address of this installation, for links in e-mails (no trailing slash).
HAFEN_BASE_URL = env_str("HAFEN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Where the client door's quick-exit button leads: a neutral page that hides nothing.
HAFEN_QUICK_EXIT_URL = env_str("HAFEN_QUICK_EXIT_URL", "https://de.wikipedia.org/wiki/Wetter")

# Case files: how many days before a plan review its responsible staff are reminded.
HAFEN_REVIEW_REMINDER_DAYS = env_int("HAFEN_REVIEW_REMINDER_DAYS", 7, minimum=1)

# Attachments of messages (photos, PDF): the largest file a client or the team may send.
HAFEN_ATTACHMENT_MAX_MB = env_int("HAFEN_ATTACHMENT_MAX_MB", 10, minimum=1)
# Uploads stay in memory, up to that size per request, and never touch the disk in plain
# text (Django's default writes larger files to a temporary file, without any bound).
FILE_UPLOAD_HANDLERS = ["hafen.conversations.attachments.BoundedMemoryUploadHandler"]
