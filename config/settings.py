"""One settings module for every environment, driven by environment variables.

DJANGO_ENV=production turns on the secure defaults and makes SECRET_KEY and
ALLOWED_HOSTS mandatory. Anything else is a development or test run.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DJANGO_ENV = env_str("DJANGO_ENV", "development")
IS_PRODUCTION = DJANGO_ENV == "production"

if IS_PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY", required=True)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
    DEBUG = False
else:
    SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-never-use-in-production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
    # Off unless asked for: the debug 404 page lists every URL of the service.
    DEBUG = env_bool("DEBUG", False)

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "simple_history",
    "csp",
    "accounts",
    "audit",
    "cases",
    "triage",
    "risk",
    "advocacy",
    "interventions",
    "reporting",
    "imports",
    "config",  # the project-wide commands (seed_demo)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.AccessGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "config.middleware.InputGuardMiddleware",
]

if IS_PRODUCTION:
    # Static files from the app server in production; runserver serves them in development.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.navigation",
                "reporting.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if IS_PRODUCTION else 0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # Fails open (config/cache.py): with Redis down the API keeps serving, unthrottled.
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Accounts, sign-in and sessions
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
# Idle expiry: the cookie lives SESSION_IDLE_MINUTES and every request renews it.
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Two-factor sign-in: mandatory in production, optional in the demo.
OTP_REQUIRED = env_bool("OTP_REQUIRED", IS_PRODUCTION)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Stalking Partnership")

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
# Lock the account, not the address: partner staff share a few NAT addresses per building,
# so an IP lock-out would lock out a whole police station. Hence axes.W006 is silenced.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# SQLite (the zero-set-up demo) ignores an index's INCLUDE columns; PostgreSQL uses them.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    SILENCED_SYSTEM_CHECKS.append("models.W040")
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

BREAK_GLASS_HOURS = env_int("BREAK_GLASS_HOURS", 4)

# Victim advocacy: first contact is due this many working days (Monday to Friday) after
# the referral date.
ADVOCACY_FIRST_CONTACT_WORKING_DAYS = env_int("ADVOCACY_FIRST_CONTACT_WORKING_DAYS", 2)

# Internationalisation: stored in UTC, shown in Europe/London, en-GB formats.
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# Django's en_GB locale formats win over DATE_FORMAT settings; ours (GOV.UK style) win over
# those: config/formats/en_GB/formats.py.
FORMAT_MODULE_PATH = ["config.formats"]
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

# Static files: GOV.UK and MOJ Frontend are copied from node_modules into static/vendor.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = BASE_DIR / env_str("MEDIA_DIR", "media")

# Request bodies: config.middleware.InputGuardMiddleware limits each view (2.5 MB, more for
# the crime-screen JSON import); Django's own limit is the largest of those.
DATA_UPLOAD_MAX_MEMORY_SIZE = 40 * 1024 * 1024

# API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated call gets 401 with WWW-Authenticate.
        # Personal API tokens (django-rest-knox, hashed and expiring): accounts/authentication.py.
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.IsActiveMember"],
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "config.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.field_keyed_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"user": "600/minute", "imports-bulk": "120/minute"},
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
}
# API tokens: issued on the user's own page after two-factor sign-in, or by the
# issue_api_token command; only the digest is stored; "Authorization: Token <token>".
KNOX_TOKEN_MODEL = "accounts.ApiToken"
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env_int("API_TOKEN_DAYS", 90)),
    "TOKEN_PREFIX": "spcm_",
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
API_TOKEN_MAX_DAYS = 365
SPECTACULAR_SETTINGS = {
    "TITLE": "Stalking Partnership Case Manager API",
    "DESCRIPTION": (
        "Every list and object is scoped to the caller's partnership, agency and role. "
        "Objects outside scope answer 404. Errors are JSON objects keyed by field."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI served from our own static files (no CDN), so the CSP holds.
    "SWAGGER_UI_DIST": "SIDECAR",
    # Choice sets with the same field name in several apps get distinct names.
    "ENUM_NAME_OVERRIDES": {
        "MeetingKindEnum": "triage.models.MeetingKind",
        "MeetingStatusEnum": "triage.models.MeetingStatus",
        "AttendanceStatusEnum": "triage.models.AttendanceStatus",
        "ClinicDecisionEnum": "triage.models.Decision",
        "ActionStatusEnum": "triage.models.ActionStatus",
        "JobStatusEnum": "config.jobs.JobStatus",
        "PriorityEnum": "cases.models.Priority",
        "ConsentMethodEnum": "advocacy.models.ConsentMethod",
        "NeedAreaEnum": "advocacy.models.NeedArea",
        "MeasureKindEnum": "advocacy.models.MeasureKind",
        "MeasureStateEnum": "advocacy.models.MeasureState",
        "PlanItemOwnerEnum": "advocacy.models.PlanItemOwner",
        "AdvocacyReferralStatusEnum": "advocacy.models.ReferralStatus",
        "ReferralRouteEnum": "advocacy.models.ReferralRoute",
        "DeclineReasonEnum": "advocacy.models.DeclineReason",
        "ReferralStatusEnum": "cases.models.referral.ReferralStatus",
        "ProgrammeKindEnum": "interventions.models.ProgrammeKind",
        "AgendaMoveDirectionEnum": [("up", "Up"), ("down", "Down")],
        "DirectionEnum": "advocacy.models.Direction",
        "FlagKindEnum": "interventions.models.FlagKind",
        "CaseEventKindEnum": "cases.models.events.CaseEventKind",
        "CancellationReasonEnum": "interventions.models.CancellationReason",
        "WithdrawalReasonEnum": "interventions.models.WithdrawalReason",
        "EligibilityOutcomeEnum": "interventions.models.EligibilityOutcome",
        "NotificationOutcomeEnum": "cases.models.events.NotificationOutcome",
        "MeasureTimingEnum": "interventions.models.MeasureTiming",
        "QuestionnaireTimingEnum": "advocacy.models.QuestionnaireTiming",
        "ReportKindEnum": "reporting.models.ReportKind",
        "ApprovalStatusEnum": "reporting.models.ApprovalStatus",
        "ReferralDecisionEnum": [
            ("accepted", "Accepted"),
            ("not_stalking", "Not stalking"),
            ("not_applicable", "Not applicable"),
            ("declined", "Declined"),
        ],
        # What a referral's decision field holds: a decision or the referrer's withdrawal.
        "ReferralOutcomeEnum": [
            ("accepted", "Accepted"),
            ("not_stalking", "Not stalking"),
            ("not_applicable", "Not applicable"),
            ("declined", "Declined"),
            ("withdrawn", "Withdrawn by the referrer"),
        ],
    },
    "SWAGGER_UI_FAVICON_HREF": "data:,",
    "REDOC_DIST": "SIDECAR",
    # A blank choice is read back as "" and a missing one as null: both are in the schema.
    "ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api_schema.local_times",
    ],
}

# Celery: without REDIS_URL tasks run eagerly in-process, so the demo needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/London"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every task ends within CELERY_TASK_TIME_LIMIT (the longest job, a 50,000-row import, takes
# a few minutes). A message not acknowledged within the visibility timeout is delivered
# again (a worker killed outright): longer than any task may run, so a running task is
# never delivered twice, and far shorter than Redis's default hour. The stuck-job sweeper
# (config.jobs) ends job rows sooner still.
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 40 * 60, "socket_connect_timeout": 2}
# A broker that is down refuses a new task within about a second (the job row then says
# so) rather than holding the person's request.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "no-reply@stalking-partnership.invalid")
# Where links in emails point (scheme and host, no trailing slash); empty: paths only.
SITE_URL = env_str("SITE_URL", "")
# An action still open this many days after its due date is escalated to supervisors.
REMINDER_ESCALATION_DAYS = env_int("REMINDER_ESCALATION_DAYS", 3)

SERVICE_NAME = env_str("SERVICE_NAME", "Stalking Partnership Case Manager")

# Content Security Policy: no inline script; htmx and GOV.UK JS come from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # /healthz is probed over plain HTTP inside the container network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_denials": {"()": "config.logging.OneLineDenials"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_denials"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
