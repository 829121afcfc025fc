"""Settings of the portal, read from the environment.

Every variable has an embedded default that runs on a laptop with nothing else installed
(SQLite, kombu's filesystem broker, local-memory cache), except SECRET_KEY, which must be set
whenever DEBUG is off. README.md lists every variable.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.get_str("PORTAL_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.get_bool("DEBUG", False)

SECRET_KEY = env.get_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(required whenever DEBUG is off), or DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_celery_results",
    "portal",
    "resources",
    "accounts",
    "tutorials",
    "notifications",
    "paths",
]

MIDDLEWARE = [
    # First, so that a request's latency counts every other middleware too.
    "portal.metrics.RequestMetrics",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

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
            ],
        },
    },
]

# Database: an SQLite file unless DATABASE_URL says otherwise.
DATABASES = {"default": env.get_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.get_int("CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file (not :memory:) so that a worker process started by a test sees the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.get_cache("CACHE_URL", "locmem://")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:library"
LOGOUT_REDIRECT_URL = "home"

# Internationalisation: English and Simplified Chinese.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# collectstatic writes here; STATIC_ROOT in the environment moves it (benchmarks use a temporary one).
STATIC_ROOT = Path(env.get_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# The admin's import pages refuse larger uploads.
IMPORT_UPLOAD_MAX_BYTES = env.get_int("IMPORT_UPLOAD_MAX_BYTES", 2 * 1024 * 1024, minimum=1)

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env.get_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.get_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.get_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env.get_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.get_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.get_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env.get_str("DEFAULT_FROM_EMAIL", "portal@localhost")
# The address links in e-mails point at (reminders, unsubscribe).
SITE_URL = env.get_str("SITE_URL", "http://127.0.0.1:8000")

# Security. The defaults are the safe ones whenever DEBUG is off.
SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env.get_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env.get_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.get_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.get_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is probed over plain HTTP by load balancers and compose healthchecks.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]

# Celery: JSON only, results in the database, broker from the environment.
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = env.get_broker("CELERY_BROKER_URL", VAR_DIR / "broker")
# Above the longest training's hard time limit, so Redis never redelivers a task still running.
CELERY_BROKER_TRANSPORT_OPTIONS.setdefault("visibility_timeout", 2 * 60 * 60)
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
# Three queues, each served by its own kind of worker process (docker-compose.yml, `manage.py
# serve`): "celery" for the ordinary work (imports, sync, e-mail, embeddings, periodic jobs) by
# `worker`; "training" for demo runs on CPUs by `trainer`; "training-gpu" for runs of demos that
# need or prefer a GPU, by `trainer-gpu`, when TRAINING_GPU_TRAINERS says such trainers run.
# tutorials.services.training_queue picks a run's queue at launch; the route below is the default
# for a run sent without one.
CELERY_TASK_DEFAULT_QUEUE = "celery"
TRAINING_QUEUE = "training"
TRAINING_GPU_QUEUE = "training-gpu"
TRAINING_GPU_TRAINERS = env.get_bool("TRAINING_GPU_TRAINERS", False)
CELERY_TASK_ROUTES = {"tutorials.run_training": {"queue": TRAINING_QUEUE}}
# Every queue the portal sends to: a single worker that must do everything (the tests) consumes these.
CELERY_WORKER_QUEUES = [CELERY_TASK_DEFAULT_QUEUE, TRAINING_QUEUE, TRAINING_GPU_QUEUE]

# Prometheus metrics at /metrics (portal.metrics): a bearer token guards them; without one the
# endpoint answers 404. Under gunicorn, prometheus-client shares the processes' request figures
# through files in PROMETHEUS_MULTIPROC_DIR (read by prometheus-client itself as well).
METRICS_TOKEN = env.get_str("METRICS_TOKEN", "") or ""
METRICS_MULTIPROC_DIR = env.get_str("PROMETHEUS_MULTIPROC_DIR", "") or ""

# Demo trainings: fair use, time limits, progress and failure detection.
TRAINING_MAX_ACTIVE_PER_USER = env.get_int("TRAINING_MAX_ACTIVE_PER_USER", 2, minimum=1)
TRAINING_MAX_PER_HOUR = env.get_int("TRAINING_MAX_PER_HOUR", 20, minimum=1)
TRAINING_QUEUE_CAP = env.get_int("TRAINING_QUEUE_CAP", 50, minimum=1)
TRAINING_TIME_LIMITS = {"default": 600, "mlp_digits": 300, "bert_finetune": 1800, "tiny_gpt": 900}
# PyTorch threads per training; 0: the CPUs divided among the worker's pool children, one CPU
# left for the worker's main process, the database and the web (at least 1). See tutorials.tasks.
TRAINING_TORCH_THREADS = env.get_int("TRAINING_TORCH_THREADS", 0, minimum=0)
TRAINING_PROGRESS_INTERVAL = 0.3  # seconds between progress writes
TRAINING_CANCEL_POLL_SECONDS = 0.5
TRAINING_HEARTBEAT_STALE_SECONDS = env.get_int("TRAINING_HEARTBEAT_STALE_SECONDS", 20, minimum=2)
TRAINING_REAP_AFTER_SECONDS = env.get_int("TRAINING_REAP_AFTER_SECONDS", 120, minimum=5)
TRAINING_QUEUED_EXPIRY_SECONDS = env.get_int("TRAINING_QUEUED_EXPIRY_SECONDS", 6 * 60 * 60, minimum=60)
TRAINING_MAX_ATTEMPTS = 3
CELERY_BEAT_SCHEDULE = {
    "reap-stale-runs": {
        "task": "tutorials.reap_stale_runs",
        "schedule": env.get_int("TRAINING_REAP_EVERY", 30, minimum=1),
    },
    # Reminders before followed deadlines and alerts when one moves: one pass, each message once.
    "deliver-notifications": {
        "task": "notifications.deliver",
        "schedule": env.get_int("NOTIFICATIONS_EVERY", 5 * 60, minimum=10),
    },
}

# Deadline sync: local checkouts of ccf-deadlines and ai-deadlines, read by `sync_deadlines` and,
# when the variable is set, by a beat job every DEADLINE_SYNC_EVERY seconds (one run at a time).
DEADLINE_SYNC_PATHS = env.get_list("DEADLINE_SYNC_PATHS", [])
DEADLINE_SYNC_EVERY = env.get_int("DEADLINE_SYNC_EVERY", 6 * 60 * 60, minimum=60)
# A sync still marked running after this long is taken to have died, and its lock is taken over.
DEADLINE_SYNC_STALE_SECONDS = env.get_int("DEADLINE_SYNC_STALE_SECONDS", 60 * 60, minimum=60)
if DEADLINE_SYNC_PATHS:
    CELERY_BEAT_SCHEDULE["sync-deadlines"] = {
        "task": "resources.sync_deadlines",
        "schedule": DEADLINE_SYNC_EVERY,
    }


# Django REST framework and its OpenAPI schema.
def _throttle_rate(name: str, default: str) -> str:
    """A DRF rate such as 100/minute; a malformed one stops start-up rather than the first request."""
    import re

    value = env.get_str(name, default)
    if not re.fullmatch(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", value or ""):
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate such as 100/minute or 1000/day.")
    return value


REST_FRAMEWORK = {
    # Token first: an unauthenticated client is told 401 with WWW-Authenticate, not a bare 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.CatalogueWritePermission"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.ApiPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "portal.api.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttling.AnonThrottle",
        "portal.api.throttling.UserThrottle",
        "portal.api.throttling.WriteThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": _throttle_rate("API_THROTTLE_ANON", "120/minute"),
        "user": _throttle_rate("API_THROTTLE_USER", "600/minute"),
        "write": _throttle_rate("API_THROTTLE_WRITE", "60/hour"),
        "launch": _throttle_rate("API_THROTTLE_LAUNCH", "10/hour"),
    },
    # Behind N proxies the client is the Nth address from the right of X-Forwarded-For; with 0
    # the header is ignored, so that a client cannot dodge its rate by inventing addresses.
    "NUM_PROXIES": env.get_int("API_NUM_PROXIES", 0, minimum=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AI learning-resource portal API",
    "DESCRIPTION": (
        "Conferences and deadlines, courses, books, papers, communities and topics. Reading is open; "
        "writing needs a staff account or the model's permission (token or session authentication). "
        'Every error answers `{"error": {"status", "code", "detail", "fields"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The docs ask no other host for anything: ReDoc in the system's fonts, not Google's.
    "REDOC_UI_SETTINGS": {
        "theme": {
            "typography": {
                "fontFamily": "system-ui, -apple-system, 'Segoe UI', sans-serif",
                "headings": {"fontFamily": "system-ui, -apple-system, 'Segoe UI', sans-serif"},
            }
        }
    },
    "COMPONENT_SPLIT_REQUEST": True,
    # The default hook, then OpenAPI links from each POST to the item it created.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema_links.add_links",
    ],
    # Three models have a "kind" with different choices; name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "ConferenceKindEnum": "resources.models.ConferenceSeries.Kind",
        "DeadlineKindEnum": "resources.models.Deadline.Kind",
        "CommunityKindEnum": "resources.models.Community.Kind",
        # A run's status (queued … cancelled) is not the catalogue's draft/published one.
        "StatusEnum": "resources.models.Status",
        "RunStatusEnum": "tutorials.models.TrainingRun.Status",
    },
}

CORS_ALLOWED_ORIGINS = env.get_list("CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "Retry-After", "X-Total-Count"]

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.get_choice("LOG_LEVEL", "INFO", LOG_LEVELS)},
    # faiss reports at INFO which CPU build it tried and could not load before the one it uses.
    "loggers": {"faiss.loader": {"level": "WARNING"}},
}

# Discovery: sentence embeddings for meaning-based search, related items and recommendations
# (resources/embeddings.py). Off: search is keyword only and says so.
EMBEDDINGS_ENABLED = env.get_bool("EMBEDDINGS_ENABLED", True)
# Queue an item's embedding after its save commits (``manage.py embed`` catches up otherwise).
EMBEDDINGS_ON_SAVE = env.get_bool("EMBEDDINGS_ON_SAVE", True)
# torch threads per process for encoding; 0 leaves torch's default.
EMBEDDINGS_TORCH_THREADS = env.get_int("EMBEDDINGS_TORCH_THREADS", 0, minimum=0)
# A kind with at least this many vectors is searched through an approximate faiss index
# (resources/approximate.py; 0: always exact); a query visits this many of its k-means cells.
SEMANTIC_APPROXIMATE_ROWS = env.get_int("SEMANTIC_APPROXIMATE_ROWS", 50_000, minimum=0)
SEMANTIC_APPROXIMATE_PROBES = env.get_int("SEMANTIC_APPROXIMATE_PROBES", 64, minimum=1)
