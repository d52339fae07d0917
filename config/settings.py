"""Settings for the Fine City Employers Charter portal.

One file, read from environment variables. The defaults are safe for a developer's machine
(SQLite, console email, local private storage, the test payment gateway); production sets
DEBUG off and must then provide SECRET_KEY and ALLOWED_HOSTS, or the portal refuses to start.
"""

import hashlib
import hmac
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():  # optional: a developer's local variables; never committed
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-only")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    try:
        SECRET_KEY = env("SECRET_KEY")
        ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(
            "With DEBUG off the portal needs SECRET_KEY and ALLOWED_HOSTS in the environment "
            f"({exc}). For local development set DEBUG=true, or use `make run`."
        ) from None
    if not SECRET_KEY or not ALLOWED_HOSTS:
        raise ImproperlyConfigured("SECRET_KEY and ALLOWED_HOSTS must not be empty when DEBUG is off.")

# Old keys stay valid for signatures and encrypted two-factor secrets after SECRET_KEY is rotated.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- The council and the service: another council changes these, not code -------------------
COUNCIL_NAME = env("COUNCIL_NAME", default="Norwich City Council")
SERVICE_NAME = env("SERVICE_NAME", default="Fine City Employers Charter")
COUNCIL_URL = env("COUNCIL_URL", default="https://www.norwich.gov.uk/")
SERVICE_EMAIL = env("SERVICE_EMAIL", default="employerscharter@norwich.gov.uk")
SERVICE_PHONE = env("SERVICE_PHONE", default="0344 980 3333")
COUNCIL_ADDRESS = env("COUNCIL_ADDRESS", default="City Hall, St Peters Street, Norwich, NR2 1NH")
# The name of the group whose members are council officers (they must use two-factor authentication).
OFFICERS_GROUP = env("OFFICERS_GROUP", default="Officers")
# Officers in this group may reassign cases to other officers.
LEAD_OFFICERS_GROUP = env("LEAD_OFFICERS_GROUP", default="Lead officers")
# Four eyes: the officer who recommends a decision cannot approve or reject it (off only for very small councils).
FOUR_EYES_APPROVAL = env.bool("FOUR_EYES_APPROVAL", default=True)

# --- Applications --------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tables2",
    "django_filters",
    "django_tasks_db",
    "accounts",
    "audit",
    "portal",
    "charter",
    "employers",
    "accreditation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.OfficerTwoFactorMiddleware",
]

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
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.service",
            ],
            "builtins": ["portal.templatetags.govuk"],
        },
    },
]
# Forms render through GOV.UK templates (templates/django/forms/), so every form gets labels,
# hints, error messages and the error summary without per-form markup.
FORM_RENDERER = "portal.forms.GovukFormRenderer"

# The employer dashboard's sections from other apps: each a callable (request, membership) -> HTML.
# employers imports none of them directly, so its arrows keep pointing one way.
EMPLOYER_DASHBOARD_SECTIONS = [
    "accreditation.dashboard.accreditations_section",
    "accreditation.dashboard.applications_section",
]

# --- Data ----------------------------------------------------------------------------------------
LOCAL_DATA_DIR = BASE_DIR / "var"  # the embedded default's SQLite file and private files (git-ignored)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{LOCAL_DATA_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    LOCAL_DATA_DIR.mkdir(exist_ok=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Tasks (django.tasks): immediate by default, a database queue with `manage.py db_worker` in production
TASK_BACKEND = env("TASK_BACKEND", default="immediate")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[TASK_BACKEND]
    }
}

# --- Accounts ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:after_login"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"{SERVICE_NAME}: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Rate limits are allauth's defaults made explicit, plus a tighter sign-up limit.
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "10/m/ip",
    "send_email": "5/m/key",
    "confirm_email": "1/3m/key",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
}

# Security emails (password changed, two-factor turned on or off, key added) go to the account's address.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# allauth's forms with the council's labels, hints and error messages (accounts/forms.py).
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.forms.SignupForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
    "change_password": "accounts.forms.ChangePasswordForm",
    "set_password": "accounts.forms.SetPasswordForm",
    "add_email": "accounts.forms.AddEmailForm",
    "reauthenticate": "accounts.forms.ReauthenticateForm",
}

MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_FORMS = {
    "activate_totp": "accounts.forms.ActivateTOTPForm",
    "authenticate": "accounts.forms.AuthenticateForm",
    "reauthenticate": "accounts.forms.MfaReauthenticateForm",
    "add_webauthn": "accounts.forms.AddWebAuthnForm",
    "edit_webauthn": "accounts.forms.EditWebAuthnForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = SERVICE_NAME
MFA_PASSKEY_LOGIN_ENABLED = False
# Browsers allow WebAuthn on http://localhost only; production is served over HTTPS.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# --- Email ---------------------------------------------------------------------------------------
# EMAIL_URL: consolemail:// (default), smtp://user:password@host:587 (STARTTLS with smtp+tls://),
# smtps:// for implicit TLS, or notify:// for GOV.UK Notify (portal/notify.py) with the NOTIFY_* variables.
# Django 6.1's MAILERS replaces the EMAIL_* settings.
_email_url = env.str("EMAIL_URL", default="consolemail://")
if _email_url.partition("://")[0] == "notify":
    _notify_options = {
        "api_key": env.str("NOTIFY_API_KEY", default=""),
        "template_id": env.str("NOTIFY_TEMPLATE_ID", default=""),
        "reply_to_id": env.str("NOTIFY_REPLY_TO_ID", default=""),
        "base_url": env.str("NOTIFY_BASE_URL", default=""),
    }
    if not _notify_options["api_key"] or not _notify_options["template_id"]:
        raise ImproperlyConfigured(
            "EMAIL_URL=notify:// needs NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID (the generic template with "
            "((subject)) and ((body))): see the README's configuration table."
        )
    MAILERS = {
        "default": {
            "BACKEND": "portal.notify.NotifyEmailBackend",
            "OPTIONS": {k: v for k, v in _notify_options.items() if v},
        }
    }
else:
    _email = environ.Env.email_url_config(_email_url)
    _email_options = {
        "host": _email.get("EMAIL_HOST"),
        "port": _email.get("EMAIL_PORT"),
        "username": _email.get("EMAIL_HOST_USER"),
        "password": _email.get("EMAIL_HOST_PASSWORD"),
        "use_tls": _email.get("EMAIL_USE_TLS"),
        "use_ssl": _email.get("EMAIL_USE_SSL"),
    }
    MAILERS = {
        "default": {
            "BACKEND": _email["EMAIL_BACKEND"],
            "OPTIONS": {k: v for k, v in _email_options.items() if v}
            if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
            else {},
        }
    }
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"{SERVICE_NAME} <no-reply@norwich.gov.uk>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Files ---------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Compiled front-end assets (make assets) live in a git-ignored folder beside the sources.
STATICFILES_DIRS = [BASE_DIR / "static_build"]
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=LOCAL_DATA_DIR / "private")

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    # S3-compatible object storage for evidence and certificates. Objects get no ACL of their own, so
    # they stay private to the bucket's owner (a canned ACL would also be refused by buckets with ACLs
    # disabled, AWS's default); they are reached only through short-lived signed URLs.
    private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "location": env("AWS_LOCATION", default=""),
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            "file_overwrite": False,
        },
    }
else:
    private_storage = {
        # A local folder with no URL at all: private files are served only through permission-checked
        # views, never from a public path. Files are readable by the portal's own user only.
        "BACKEND": "portal.storage.PrivateFileSystemStorage",
        "OPTIONS": {
            "location": PRIVATE_MEDIA_ROOT,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
STORAGES = {
    "default": private_storage,
    "private": private_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# In development whitenoise serves straight from the finders, so no collectstatic is needed. In production
# the compressed, hashed files come from `manage.py collectstatic` (run it at every release, after `make assets`).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_PERMISSIONS = 0o600
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Evidence uploads and virus scanning (accreditation/uploads.py, accreditation/scanning.py) ----
# The largest evidence file accepted, in bytes (the spec's 20 MB). Proxies in front must allow a little more.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
# Every file is scanned by clamd when one is configured (a unix socket wins over a host). Without either,
# a stub that recognises only the EICAR test string is used, and each use with DEBUG off logs a warning.
# A scanner that cannot be reached, times out or gives no verdict refuses the file (fail closed).
CLAMAV_SOCKET = env("CLAMAV_SOCKET", default="")
CLAMAV_HOST = env("CLAMAV_HOST", default="")
CLAMAV_PORT = env.int("CLAMAV_PORT", default=3310)
CLAMAV_TIMEOUT = env.float("CLAMAV_TIMEOUT", default=30.0)

# --- Security ------------------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Sent with the header; a site joins browsers' preload list only when its owner submits the domain.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# The health check answers plain HTTP from the load balancer.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Language and time ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False}},
}

# --- Payments (accreditation/gateways/, issue 5) --------------------------------------------------
# Fees are paid through Stripe Checkout when STRIPE_SECRET_KEY is set; otherwise through the built-in test
# gateway, a local page that takes no money (the embedded default and demos). With DEBUG off the deploy
# check warns while the test gateway is in use (accreditation/gateways/checks.py).
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
# The signing secret of the webhook endpoint (/payments/stripe/webhook/) set up in Stripe's dashboard.
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# With DEBUG off there is no default: a live service without Stripe keys must not fall back, unnoticed, to a
# gateway that marks fees paid without taking money. PAYMENT_GATEWAY=test says so on purpose (a public demo).
PAYMENT_GATEWAY = env("PAYMENT_GATEWAY", default="stripe" if STRIPE_SECRET_KEY else ("test" if DEBUG else ""))
if not PAYMENT_GATEWAY:
    raise ImproperlyConfigured(
        "No payment gateway: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET to take fees through Stripe, or "
        "PAYMENT_GATEWAY=test for a demonstration that takes no money. See the README's configuration table."
    )
if PAYMENT_GATEWAY not in ("stripe", "test"):
    raise ImproperlyConfigured(f'PAYMENT_GATEWAY must be "stripe" or "test", not "{PAYMENT_GATEWAY}".')
if PAYMENT_GATEWAY == "stripe" and not (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET):
    raise ImproperlyConfigured(
        "The Stripe payment gateway needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET (the signing secret of the "
        "webhook endpoint /payments/stripe/webhook/ in Stripe's dashboard): without the webhook secret no payment "
        "could ever be confirmed. See the README's configuration table."
    )
# The test gateway signs its events like Stripe does, with a secret derived from SECRET_KEY (never configured).
TEST_GATEWAY_WEBHOOK_SECRET = (
    "whsec_test_"
    + hmac.new(SECRET_KEY.encode(), b"fine-city-employers-charter.test-payment-gateway", hashlib.sha256).hexdigest()
)
# The portal's public address (https://charter.example.gov.uk), for links in emails sent when no request is at
# hand (a payment confirmed by the webhook). Empty: the webhook request's own host is used.
SITE_URL = env("SITE_URL", default="").rstrip("/")
# "Pay now" answers with a redirect to Stripe's hosted checkout; browsers apply form-action to a form's redirects.
if PAYMENT_GATEWAY == "stripe":
    SECURE_CSP["form-action"] = [*SECURE_CSP["form-action"], "https://checkout.stripe.com"]
