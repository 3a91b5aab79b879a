"""Settings of the Kitsu API server, read from the environment.

Every variable is listed in README.md with its default. Without any of them the
server runs on the embedded default: SQLite and media files under ``var/``,
Celery jobs run in-process, token revocation and events kept in the database.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from kitsu_backend.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KITSU_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)


def _secret_key():
    value = env_str("SECRET_KEY")
    if value:
        return value
    key_file = Path(env_str("SECRET_KEY_FILE", str(VAR_DIR / "secret_key")))
    if key_file.exists():
        return key_file.read_text().strip()
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it in the environment, or run `make secret-key` "
        "to write a random one to var/secret_key."
    )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "kitsu_backend.api",
    "people",
    "productions",
    "tasks",
    "assets",
    "shots",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kitsu_backend.api.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kitsu_backend.urls"
WSGI_APPLICATION = "kitsu_backend.wsgi.application"
# Both forms of every API path are routed explicitly: no redirect to add a slash.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kitsu.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Zou stores naive UTC timestamps and serializes them without offset.
USE_TZ = False
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en-us"

# --- People and passwords -----------------------------------------------------
AUTH_USER_MODEL = "people.Person"
AUTHENTICATION_BACKENDS = ["people.backends.PersonBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    # Verifies bcrypt hashes imported from a Zou database; they are upgraded on login.
    "django.contrib.auth.hashers.BCryptPasswordHasher",
]
MIN_PASSWORD_LENGTH = env_int("MIN_PASSWORD_LENGTH", 8)
# E-mail is unique per kind of account (a bot may share a person's e-mail), as
# in Zou, so Django's "USERNAME_FIELD must be unique" check does not apply.
SILENCED_SYSTEM_CHECKS = [
    "auth.W004",
    # Zou sends "X-Frame-Options: SAMEORIGIN" (the Kitsu UI frames its own
    # pages); Django's deploy check would rather have DENY.
    "security.W019",
]

# --- Redis, cache, Celery -----------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 3600)

# --- Storage ------------------------------------------------------------------
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_URL = "/static/"
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME") or None
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    _default_storage = {"BACKEND": "storages.backends.s3.S3Storage"}
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- API ----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["people.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["kitsu_backend.api.renderers.KitsuJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "kitsu_backend.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "kitsu_backend.api.docs.KitsuAutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kitsu API",
    "DESCRIPTION": "Production tracking API compatible with Kitsu and the Gazu client.",
    "VERSION": "1.0.97",
    "SERVE_INCLUDE_SCHEMA": False,
    "DEFAULT_GENERATOR_CLASS": "kitsu_backend.api.docs.KitsuSchemaGenerator",
    "GET_MOCK_REQUEST": "kitsu_backend.api.docs.build_mock_request",
    # Paths keep their /api prefix; tags and operation ids are computed without it.
    "SCHEMA_PATH_PREFIX": "/api",
    # Schema warnings are not deployment problems; GET /api/openapi.json is
    # covered by the test suite instead of `check --deploy`.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}

# Version reported by GET /api/: the Zou release whose API this server implements.
KITSU_API_VERSION = "1.0.97"
NB_RECORDS_PER_PAGE = env_int("NB_RECORDS_PER_PAGE", 100)
# Number of active people the studio may have, shown to admins in the user context.
USER_LIMIT = env_int("USER_LIMIT", 1000)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env_int("JWT_ACCESS_TOKEN_EXPIRES", 7 * 24 * 3600)),
    "REFRESH_TOKEN_LIFETIME": timedelta(
        seconds=env_int("JWT_REFRESH_TOKEN_EXPIRES", 15 * 24 * 3600)
    ),
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env_str("JWT_SECRET_KEY", SECRET_KEY),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    "TOKEN_TYPE_CLAIM": "type",
    "JTI_CLAIM": "jti",
    "UPDATE_LAST_LOGIN": False,
}

# Instance settings shown to the Kitsu web UI by GET /api/config.
DEFAULT_LOCALE = env_str("DEFAULT_LOCALE", "en_US")
DEFAULT_TIMEZONE = env_str("DEFAULT_TIMEZONE", "Europe/Paris")
DARK_THEME_BY_DEFAULT = env_bool("DARK_THEME_BY_DEFAULT", False)
CRISP_TOKEN = env_str("CRISP_TOKEN")
IS_SELF_HOSTED = env_bool("IS_SELF_HOSTED", True)
ENFORCE_2FA = env_bool("ENFORCE_2FA", False)
TWO_FA_EXEMPT_USERS = env_list("2FA_EXEMPT_USERS")
MOVIE_HIGHDEF_BITRATE = env_int("MOVIE_HIGHDEF_BITRATE", 28)
MOVIE_LOWDEF_BITRATE = env_int("MOVIE_LOWDEF_BITRATE", 6)
PREVIEW_ACCOUNTS_ENABLED = env_bool("PREVIEW_ACCOUNTS_ENABLED", True)
DOMAIN_NAME = env_str("DOMAIN_NAME", "localhost:8000")
DOMAIN_PROTOCOL = env_str("DOMAIN_PROTOCOL", "http")
LOGIN_MAX_FAILED_ATTEMPTS = 5
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 60)

# --- E-mail -------------------------------------------------------------------
EMAIL_HOST = env_str("MAIL_SERVER", "localhost")
EMAIL_PORT = env_int("MAIL_PORT", 25)
EMAIL_HOST_USER = env_str("MAIL_USERNAME")
EMAIL_HOST_PASSWORD = env_str("MAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("MAIL_DEFAULT_SENDER", "no-reply@localhost")
if not env_str("MAIL_SERVER"):
    # Without a mail server the messages are written to the log.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- HTTPS --------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# JWT cookies follow Zou: no Secure flag unless asked, so that plain-HTTP studio
# installs keep working.
JWT_COOKIE_SECURE = env_bool("JWT_COOKIE_SECURE", False)
X_FRAME_OPTIONS = "SAMEORIGIN"

# --- Logging ------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
