"""The one settings module. Every value comes from the environment with a safe default.

With no environment variables at all govsite runs on a SQLite file under ``./data``,
does background work in-process and keeps DEBUG off. ``DATABASE_URL`` switches to
PostgreSQL, ``REDIS_URL`` switches background work to Celery workers.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from govsite.lib.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent

# Where the SQLite file, the secret key, collected static files and crawl evidence live.
DATA_DIR = Path(env_str("GOVSITE_DATA_DIR", "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use GOVSITE_SECRET_KEY, else a random key kept in the data directory across restarts."""
    key = env_str("GOVSITE_SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("GOVSITE_DEBUG", False)
ALLOWED_HOSTS = env_list("GOVSITE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("GOVSITE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "captcha",
    "govsite.core",
    "govsite.registry",
    "govsite.accounts",
    "govsite.workdays",
    "govsite.evaluations",
    "govsite.monitoring",
    "govsite.assessments",
    "govsite.rectification",
    "govsite.notifications",
    "govsite.messaging",
    "govsite.messagestats",
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
]

ROOT_URLCONF = "govsite.urls"
WSGI_APPLICATION = "govsite.wsgi.application"

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
                "govsite.accounts.context_processors.roles",
                "govsite.notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'govsite.sqlite3'}"),
        conn_max_age=env_int("GOVSITE_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a background job writes; busy timeout avoids
    # "database is locked" under the in-process worker.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Simplified Chinese by default, English available; China's calendar and clock.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app folders when collectstatic has not run (tests, first start).
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "govsite API",
    "DESCRIPTION": "政府网站监管与网民留言平台 API",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Background work: in-process (eager) unless REDIS_URL names a Redis for Celery.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is redelivered, not lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

EMAIL_BACKEND = env_str("GOVSITE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("GOVSITE_FROM_EMAIL", "govsite@localhost")
# Absolute address of this site, for links in e-mails.
GOVSITE_BASE_URL = env_str("GOVSITE_BASE_URL", "http://127.0.0.1:8000")
# SMS gateway adapter (a govsite.notifications.service.SmsSender subclass).
GOVSITE_SMS_SENDER = env_str("GOVSITE_SMS_SENDER", "govsite.notifications.service.LogSmsSender")

# Scoring and rectification (issue 4).
GOVSITE_DEFAULT_RULESET = env_str("GOVSITE_DEFAULT_RULESET", "national-2019")
# Working days a unit has to fix a finding of a published run.
GOVSITE_RECTIFICATION_WORKDAYS = env_int("GOVSITE_RECTIFICATION_WORKDAYS", 15)
# Public evaluation (网上公众评议): responses one address may send per hour.
GOVSITE_PUBLIC_RATINGS_PER_HOUR = env_int("GOVSITE_PUBLIC_RATINGS_PER_HOUR", 20)
# Public messages (issue 5): anti-abuse limits.
GOVSITE_MESSAGES_PER_HOUR = env_int("GOVSITE_MESSAGES_PER_HOUR", 5)  # per sender address
# Ask the sender for a code sent to their phone (SMS adapter) or e-mail before accepting.
GOVSITE_MESSAGE_VERIFY_CONTACT = env_bool("GOVSITE_MESSAGE_VERIFY_CONTACT", False)
GOVSITE_MESSAGE_MAX_ATTACHMENTS = env_int("GOVSITE_MESSAGE_MAX_ATTACHMENTS", 3)
GOVSITE_MESSAGE_MAX_ATTACHMENT_BYTES = env_int(
    "GOVSITE_MESSAGE_MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024
)
GOVSITE_OPEN311_API_KEYS = env_list("GOVSITE_OPEN311_API_KEYS", [])  # Open311 POST api_key values
# Start the in-process scheduler in `govsite serve` when there is no Celery beat (REDIS_URL).
GOVSITE_SCHEDULER = env_bool("GOVSITE_SCHEDULER", True)

# Registry imports larger than this are refused before parsing (bytes).
REGISTRY_IMPORT_MAX_BYTES = env_int("GOVSITE_REGISTRY_IMPORT_MAX_BYTES", 5 * 1024 * 1024)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("GOVSITE_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("GOVSITE_LOG_LEVEL", "WARNING")},
}
