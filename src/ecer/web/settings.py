"""Django settings, read from the environment (DATABASE_URL, SECRET_KEY, ECER_*).

The defaults give a working local install on the embedded SQLite database.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from ecer.core.carbon import GRID_FACTOR_2022_GUANGXI_T_PER_MWH, HEAT_FACTOR_DEFAULT_T_PER_GJ
from ecer.web.env import (
    ConfigError,
    env_bool,
    env_int,
    env_list,
    env_non_negative_float,
    env_positive_float,
    env_positive_int,
    env_str,
    persistent_secret,
)

WEB_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("ECER_DATA_DIR", str(Path.cwd() / "var"))).resolve()

# Off unless turned on: a server started without any variable shows no tracebacks and no URL
# list (`make run`, the demo, sets ECER_DEBUG=1 itself).
DEBUG = env_bool("ECER_DEBUG", False)
_DEV_SECRET = "ecer-development-only-secret-key-do-not-use-in-production"
# SECRET_KEY (or SECRET_KEY_FILE) when given; otherwise a random key kept in DATA_DIR, so an
# installation is safe without knowing the variable and sessions survive restarts.
SECRET_KEY = env_str("SECRET_KEY", "") or (_DEV_SECRET if DEBUG else persistent_secret(DATA_DIR))
ALLOWED_HOSTS = env_list("ECER_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs' Swagger UI from its own static files (no CDN)
    "simple_history",
    "ecer.web.accounts",
    "ecer.web.audit",
    "ecer.web.catalog",
    "ecer.web.energy",
    "ecer.web.enterprises",
    "ecer.web.reductions",
    "ecer.web.registers",
    "ecer.web.projects",
    "ecer.web.rights",
    "ecer.web.monitoring",
    "ecer.web.reports",
    "ecer.web.quality",
    "ecer.web.uploads",
    "ecer.web.tasks",
    "ecer.web.notifications",
    "ecer.web.cases",
    "ecer.web.leaders",
    "ecer.web.jobs",
    "ecer.web.home",
    "ecer.web.programmes",
]

MIDDLEWARE = [
    # Outermost: every response is counted and timed for /metrics (ecer.web.health).
    "ecer.web.health.metrics.RequestMetricsMiddleware",
    # First: a body over ECER_REQUEST_MAX_BYTES is answered 413 before anything reads it.
    "ecer.web.uploads.middleware.RequestSizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "ecer.web.accounts.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "ecer.web.accounts.middleware.ScopeMiddleware",
    "ecer.web.errors.RefusedValueMiddleware",
    "ecer.web.accounts.scoping.ScopedQueryMiddleware",
]

# Users are found by the normal form of their name (ecer.web.accounts.names).
AUTHENTICATION_BACKENDS = ["ecer.web.accounts.backends.NormalizedUsernameBackend"]

ROOT_URLCONF = "ecer.web.urls"
WSGI_APPLICATION = "ecer.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ecer.web.navigation.context",
                "ecer.web.quality.context.notifications",
                "ecer.web.home.context.todo_counts",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'ecer.sqlite3'}"),
        conn_max_age=env_int("ECER_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the pages' queries are short, but the batched reads (arrays of
    # points joined with unnest, whose length the planner cannot know) get high cost
    # estimates, and JIT then spent 0.5–0.9 s compiling each (issue #10, measured).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Python's first garbage-collection threshold (objects allocated between collections of the
# youngest generation; Python's default 700). The monitoring pages of a province build
# hundreds of thousands of short-lived objects per request, and at 700 about a third of
# such a request went to collections (issue #10, measured); applied in every process that
# loads the apps (MonitoringConfig.ready). 0 leaves Python's default.
ECER_GC_THRESHOLD = env_int("ECER_GC_THRESHOLD", 10_000)

# The alarm list reads the alarm journal (ecer.web.monitoring.journal), which
# `ecer monitoring alarms` keeps from cron; when its latest run is older than this many
# seconds, the list runs it first (nobody runs the job, as in `make run`).
ECER_ALARM_MAX_AGE = env_int("ECER_ALARM_MAX_AGE", 300)
# HJ 212 data times further ahead of the clock than this are refused by the gateway
# (`ecer hj212 serve` reads the same variable) and never shown as a point's latest data.
ECER_HJ212_MAX_FUTURE_MINUTES = env_int("ECER_HJ212_MAX_FUTURE_MINUTES", 10)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The interface speaks Simplified Chinese by default; English is available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [WEB_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [WEB_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"

LOGIN_URL = "login"
# Every role lands on its to-do (ecer.web.home), never on a page its role may not open.
LOGIN_REDIRECT_URL = "home:todo"
LOGOUT_REDIRECT_URL = "catalog:dashboard"

# Sessions end after a working day or when the browser closes.
SESSION_COOKIE_AGE = env_int("ECER_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Login throttling (ecer.web.accounts.throttle; the rule is in its docstring and in
# docs/security.md).
ECER_LOGIN_MAX_FAILURES = env_int("ECER_LOGIN_MAX_FAILURES", 5)
ECER_LOGIN_WINDOW_SECONDS = env_int("ECER_LOGIN_WINDOW_SECONDS", 900)
ECER_LOGIN_NAME_SLOWDOWN_AFTER = env_int("ECER_LOGIN_NAME_SLOWDOWN_AFTER", 10)
ECER_LOGIN_MAX_DELAY_SECONDS = env_int("ECER_LOGIN_MAX_DELAY_SECONDS", 60)
ECER_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("ECER_LOGIN_MAX_FAILURES_PER_ADDRESS", 100)
ECER_LOGIN_KNOWN_ADDRESS_DAYS = env_int("ECER_LOGIN_KNOWN_ADDRESS_DAYS", 30)
# Trusted reverse proxies in front of the platform: the client's address is then the one the
# outermost proxy saw in X-Forwarded-For (0: REMOTE_ADDR, nobody's header is believed).
ECER_PROXY_COUNT = env_int("ECER_PROXY_COUNT", 0)

# Served over TLS (directly or behind a TLS-terminating proxy): secure cookies and HSTS.
ECER_HTTPS = env_bool("ECER_HTTPS", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = ECER_HTTPS
CSRF_COOKIE_SECURE = ECER_HTTPS
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = ECER_HTTPS and env_bool("ECER_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("ECER_HSTS_SECONDS", 365 * 24 * 3600) if ECER_HTTPS else 0
if ECER_HTTPS and ECER_PROXY_COUNT > 0:
    # The proxy terminates TLS and says so; only believed when proxies are declared.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy of every response (ecer.web.accounts.middleware): scripts only from
# this site's static files (no inline script, no eval); inline styles are allowed because
# ECharts' tooltips and the progress bars set them, and a style cannot run code.
ECER_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
CSRF_TRUSTED_ORIGINS = env_list("ECER_CSRF_TRUSTED_ORIGINS", [])
X_FRAME_OPTIONS = "DENY"
# Uploads and imports (ecer.web.uploads): work is bounded by these, never by what a file
# claims about itself. One uploaded file, and one request body (the file, its form fields and
# their multipart framing); a body over the limit is answered 413 before it is read.
ECER_UPLOAD_MAX_BYTES = env_positive_int("ECER_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
ECER_REQUEST_MAX_BYTES = env_positive_int(
    "ECER_REQUEST_MAX_BYTES", ECER_UPLOAD_MAX_BYTES + 512 * 1024
)
FILE_UPLOAD_MAX_MEMORY_SIZE = ECER_UPLOAD_MAX_BYTES
# An xlsx is a zip archive: all its parts together, uncompressed (as declared; zipfile never
# inflates a part beyond its declared size), and the largest ratio of a part over 1 MB.
ECER_IMPORT_MAX_UNZIPPED_BYTES = env_positive_int(
    "ECER_IMPORT_MAX_UNZIPPED_BYTES", 100 * 1024 * 1024
)
ECER_IMPORT_MAX_ZIP_RATIO = env_positive_int("ECER_IMPORT_MAX_ZIP_RATIO", 100)
ECER_IMPORT_MAX_ZIP_ENTRIES = env_positive_int("ECER_IMPORT_MAX_ZIP_ENTRIES", 1000)
# Shared strings and cell formats are read whole when a workbook opens.
ECER_IMPORT_MAX_SHARED_STRINGS = env_positive_int("ECER_IMPORT_MAX_SHARED_STRINGS", 500_000)
ECER_IMPORT_MAX_STYLES = env_positive_int("ECER_IMPORT_MAX_STYLES", 20_000)
# Data rows of a sheet or CSV file (an importer may set a lower limit of its own), cells of a
# row, characters of a cell, and seconds to read and check one file.
ECER_IMPORT_MAX_ROWS = env_positive_int("ECER_IMPORT_MAX_ROWS", 100_000)
ECER_IMPORT_MAX_COLUMNS = env_positive_int("ECER_IMPORT_MAX_COLUMNS", 200)
ECER_IMPORT_MAX_CELL_CHARS = env_positive_int("ECER_IMPORT_MAX_CELL_CHARS", 2000)
_import_seconds = env_positive_float("ECER_IMPORT_MAX_SECONDS", 120.0)
if _import_seconds is None:
    raise ConfigError("ECER_IMPORT_MAX_SECONDS: an import always has a time limit (> 0)")
ECER_IMPORT_MAX_SECONDS: float = _import_seconds
# A refused file's errors: how many of each sheet the page lists, how many the download keeps.
ECER_IMPORT_ERRORS_SHOWN = env_positive_int("ECER_IMPORT_ERRORS_SHOWN", 200)
ECER_IMPORT_ERRORS_KEPT = env_positive_int("ECER_IMPORT_ERRORS_KEPT", 20_000)

# An enterprise's annual report may differ from the sum of its online meter data by this many
# per cent before the difference is a finding (ecer.core.meters.report_mismatch).
ECER_REPORT_ONLINE_TOLERANCE_PCT = env_int("ECER_REPORT_ONLINE_TOLERANCE_PCT", 5)
# A reported figure of a computed target may differ from the computed one by this many per cent
# of the computed figure before the difference is a data-quality finding (填报值与核算值不一致;
# ecer.core.reconciliation, issue 18 item 3).
ECER_RECONCILE_TOLERANCE_PCT = env_non_negative_float("ECER_RECONCILE_TOLERANCE_PCT", 2.0)
# CO2 of energy use (ecer.core.carbon). Grid factor [tCO2/MWh]: default the 广西 provincial
# average electricity CO2 factor 2022, 0.4044 (生态环境部、国家统计局《关于发布2022年电力二氧化碳
# 排放因子的公告》, 2024-12-20). Heat factor [tCO2/GJ]: default 0.11, "暂按 0.11 tCO2/GJ 计" of
# the NDRC industry GHG accounting guidelines (发改办气候〔2013〕2526号 et seq.); "none" shows
# CO2 as incomplete wherever heat is used. One factor for every year, so declines reflect use.
_grid_co2 = env_positive_float("ECER_GRID_CO2_T_PER_MWH", GRID_FACTOR_2022_GUANGXI_T_PER_MWH)
if _grid_co2 is None:
    raise ConfigError("ECER_GRID_CO2_T_PER_MWH: electricity always needs a factor (> 0)")
ECER_GRID_CO2_T_PER_MWH: float = _grid_co2
ECER_HEAT_CO2_T_PER_GJ = env_positive_float("ECER_HEAT_CO2_T_PER_GJ", HEAT_FACTOR_DEFAULT_T_PER_GJ)
# PDF reports: a CJK font (OTF/TTF) path; empty = the Noto Sans CJK SC face extracted from the
# system's TTC into DATA_DIR/fonts on first use.
ECER_PDF_FONT = env_str("ECER_PDF_FONT", "")
# Reports are generated in a background thread; tests may run them inline.
ECER_REPORTS_INLINE = env_bool("ECER_REPORTS_INLINE", False)
DATA_UPLOAD_MAX_MEMORY_SIZE = ECER_REQUEST_MAX_BYTES

# The city's reporting calendar (ecer.core.schedule): days after a quarter's end for the
# districts' quarterly figures, and the month-day of the following year for annual ones.
ECER_DUE_QUARTERLY_DAYS = env_int("ECER_DUE_QUARTERLY_DAYS", 15)
ECER_DUE_ENTERPRISE_REPORT = env_str("ECER_DUE_ENTERPRISE_REPORT", "03-31")
ECER_DUE_TARGET_OBSERVATION = env_str("ECER_DUE_TARGET_OBSERVATION", "03-31")
ECER_DUE_DISTRICT_ENERGY = env_str("ECER_DUE_DISTRICT_ENERGY", "04-30")
# Submissions due longer ago than this are not tracked (a new installation starts clean).
ECER_SCHEDULE_LOOKBACK_DAYS = env_int("ECER_SCHEDULE_LOOKBACK_DAYS", 400)
# The department responsible for districts' yearly energy data (plan catalog code).
ECER_ENERGY_DATA_DEPARTMENT = env_str("ECER_ENERGY_DATA_DEPARTMENT", "statistics")
# E-mail (Django's mail over SMTP). Which messages go by e-mail is each user's choice per
# kind (ecer.web.notifications; the notification settings page).
EMAIL_BACKEND = env_str("ECER_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("ECER_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ECER_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("ECER_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("ECER_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("ECER_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("ECER_EMAIL_FROM", "ecer@localhost")
# Notifications (ecer.web.notifications): e-mail and webhook deliveries leave through an
# outbox that a worker sends (`ecer manage deliver_notifications --loop`; in DEBUG a thread of
# the server does it). A failed send is tried again after 30 s, 60 s, 120 s… (capped), up to
# this many attempts, then recorded as failed and reported to the city administrators.
ECER_NOTIFY_BACKGROUND = env_bool("ECER_NOTIFY_BACKGROUND", DEBUG)
ECER_NOTIFY_MAX_ATTEMPTS = env_positive_int("ECER_NOTIFY_MAX_ATTEMPTS", 5)
ECER_NOTIFY_RETRY_SECONDS = env_positive_int("ECER_NOTIFY_RETRY_SECONDS", 30)
ECER_NOTIFY_RETRY_MAX_SECONDS = env_positive_int("ECER_NOTIFY_RETRY_MAX_SECONDS", 3600)
ECER_NOTIFY_TIMEOUT_SECONDS = env_positive_int("ECER_NOTIFY_TIMEOUT_SECONDS", 10)
ECER_NOTIFY_POLL_SECONDS = env_positive_int("ECER_NOTIFY_POLL_SECONDS", 30)
# Two-high projects: their district and the city are told this many days before a decided
# disposal's deadline (ecer.web.notifications.deadlines).
ECER_TWO_HIGH_NOTICE_DAYS = env_positive_int("ECER_TWO_HIGH_NOTICE_DAYS", 30)
# The address people reach the platform at, for links in e-mail and group robots
# (e.g. https://ecer.beihai.gov.cn); empty: links are paths on the site.
ECER_SITE_URL = env_str("ECER_SITE_URL", "")
# The alarm handling loop (ecer.web.cases, ecer.core.cases): hours allowed for each step —
# verify after dispatch, rectify after verification, feed back after rectification, and for
# the city to close — and which journal alarms (started within the look-back) open cases.
_case_hours = {
    name: env_positive_float(name, default)
    for name, default in (
        ("ECER_CASE_VERIFY_HOURS", 24.0),
        ("ECER_CASE_RECTIFY_HOURS", 168.0),
        ("ECER_CASE_FEEDBACK_HOURS", 24.0),
        ("ECER_CASE_CLOSE_HOURS", 72.0),
    )
}
for _name, _hours in _case_hours.items():
    if _hours is None:
        raise ConfigError(f"{_name}: every step of a case has a time limit (> 0 hours)")
ECER_CASE_VERIFY_HOURS: float = _case_hours["ECER_CASE_VERIFY_HOURS"] or 24.0
ECER_CASE_RECTIFY_HOURS: float = _case_hours["ECER_CASE_RECTIFY_HOURS"] or 168.0
ECER_CASE_FEEDBACK_HOURS: float = _case_hours["ECER_CASE_FEEDBACK_HOURS"] or 24.0
ECER_CASE_CLOSE_HOURS: float = _case_hours["ECER_CASE_CLOSE_HOURS"] or 72.0
ECER_CASE_ALARM_KINDS = env_list("ECER_CASE_ALARM_KINDS", ["exceedance", "gap", "offline"])
ECER_CASE_LOOKBACK_DAYS = env_positive_int("ECER_CASE_LOOKBACK_DAYS", 7)

# --- Production (docs/deploy.md; `ecer serve` checks these are set) ---------------------------
# The task queue's broker (Celery; e.g. amqp://user:password@127.0.0.1:5672//). Empty: no
# queue: reports are generated in a thread of the web process and the scheduled jobs are run
# by `ecer jobs run` or cron (`make run`).
ECER_BROKER_URL = env_str("ECER_BROKER_URL", "")
ECER_QUEUE = env_str("ECER_QUEUE", "ecer")
# NATS with JetStream, when the HJ 212 gateway hands frames to it: /readyz checks it.
ECER_NATS_URL = env_str("ECER_NATS_URL", "")
# The process serves its own static files (WhiteNoise; `ecer serve web` turns it on unless
# the reverse proxy serves STATIC_ROOT).
ECER_SERVE_STATIC = env_bool("ECER_SERVE_STATIC", False)
if ECER_SERVE_STATIC:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )
# Probes and scrapes come over plain HTTP from the machine itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ConfigError("SECRET_KEY is the development key, which is public: unset it or set another")
