"""config/settings.py: everything from the environment, safe locally, refusing to run unsafe in production."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured

from tests.config.conftest import BASE_DIR, manage, production_environment

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "charter.example.gov.uk",
    "STRIPE_SECRET_KEY": "sk_test_x",
    "STRIPE_WEBHOOK_SECRET": "whsec_x",
}


def test_check_deploy_reports_no_issues_with_production_settings():
    """`manage.py check --deploy --fail-level WARNING` passes with production-like variables."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", environment=production_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_flags_console_email_in_production():
    """Without EMAIL_URL, production would print emails to the console: the deploy check says so."""
    result = manage("check", "--deploy", environment=production_environment(EMAIL_URL=None))
    assert result.returncode != 0
    assert "mail.E001" in result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_secret_key_or_allowed_hosts(missing):
    """With DEBUG off, a missing SECRET_KEY or ALLOWED_HOSTS stops the portal with a clear message."""
    result = manage("check", environment=production_environment(**{missing: None}))
    assert result.returncode != 0
    assert "With DEBUG off the portal needs SECRET_KEY and ALLOWED_HOSTS" in result.stderr
    assert missing in result.stderr


@pytest.mark.parametrize("empty", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_empty_secret_key_or_allowed_hosts(empty):
    """An empty SECRET_KEY or ALLOWED_HOSTS is refused as firmly as a missing one."""
    result = manage("check", environment=production_environment(**{empty: ""}))
    assert result.returncode != 0
    assert "SECRET_KEY and ALLOWED_HOSTS must not be empty when DEBUG is off" in result.stderr


def test_development_defaults_need_no_variables(load_settings):
    """With only DEBUG on, the portal runs on SQLite under var/, the console mailer and local memory cache."""
    loaded = load_settings(DEBUG="true")
    assert loaded["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded["DATABASES"]["default"]["NAME"] == str(BASE_DIR / "var" / "db.sqlite3")
    assert loaded["MAILERS"]["default"]["BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert "SESSION_ENGINE" not in loaded  # Django's default: sessions in the database
    assert loaded["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]


def test_database_url_for_postgresql(load_settings):
    """DATABASE_URL is parsed into Django's DATABASES, with persistent, health-checked connections."""
    loaded = load_settings(
        **PRODUCTION, DATABASE_URL="postgres://charter:s3cret%21@db.internal.example:5433/charter_live"
    )
    database = loaded["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == ("charter_live", "charter", "s3cret!")
    assert (database["HOST"], database["PORT"]) == ("db.internal.example", 5433)
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["ATOMIC_REQUESTS"] is False


def test_conn_max_age_can_be_changed(load_settings):
    """CONN_MAX_AGE tunes how long PostgreSQL connections are kept (0 closes them after each request)."""
    loaded = load_settings(DEBUG="true", DATABASE_URL="postgres://postgres@127.0.0.1:5432/charter", CONN_MAX_AGE="0")
    assert loaded["DATABASES"]["default"]["CONN_MAX_AGE"] == 0


def test_database_url_for_sqlite_elsewhere(load_settings, tmp_path):
    """A sqlite:// DATABASE_URL points the embedded database at another file."""
    loaded = load_settings(DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path}/other.sqlite3")
    assert loaded["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded["DATABASES"]["default"]["NAME"] == f"{tmp_path}/other.sqlite3"


def test_redis_url_switches_cache_and_sessions_to_redis(load_settings):
    """REDIS_URL puts the cache (rate limits) in Redis and keeps sessions in it, backed by the database."""
    loaded = load_settings(**PRODUCTION, REDIS_URL="redis://cache.internal.example:6379/2")
    assert loaded["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal.example:6379/2",
    }
    assert loaded["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"


@pytest.mark.skipif(not settings.REDIS_URL, reason="runs when the suite itself runs with REDIS_URL (.ci/run)")
def test_configured_redis_answers_and_holds_sessions(client, db):
    """With REDIS_URL set, the cache really is Redis and a signed-in session is cached there."""
    from django.core.cache.backends.redis import RedisCache

    from tests.factories import UserFactory

    assert isinstance(caches["default"], RedisCache)
    cache.set("ci-probe", "ok", 10)
    assert cache.get("ci-probe") == "ok"
    client.force_login(UserFactory())
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert cache.get(f"django.contrib.sessions.cached_db{session_key}") is not None


def test_email_url_configures_the_smtp_mailer(load_settings):
    """EMAIL_URL=smtp+tls://... gives Django 6.1's MAILERS an SMTP backend with STARTTLS."""
    loaded = load_settings(**PRODUCTION, EMAIL_URL="smtp+tls://mailer:pa55@smtp.example.gov.uk:587")
    mailer = loaded["MAILERS"]["default"]
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"] == {
        "host": "smtp.example.gov.uk",
        "port": 587,
        "username": "mailer",
        "password": "pa55",
        "use_tls": True,
    }


def test_production_security_settings(load_settings):
    """DEBUG off: HTTPS only with HSTS, secure cookies, hashed static files; /healthz exempt from the redirect."""
    loaded = load_settings(**PRODUCTION)
    assert loaded["DEBUG"] is False
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert loaded["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert loaded["SESSION_COOKIE_SECURE"] is True
    assert loaded["CSRF_COOKIE_SECURE"] is True
    assert loaded["SESSION_COOKIE_HTTPONLY"] is True
    assert loaded["X_FRAME_OPTIONS"] == "DENY"
    assert loaded["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert loaded["WHITENOISE_USE_FINDERS"] is False
    assert loaded["SECURE_REDIRECT_EXEMPT"] == [r"^healthz$"]


def test_secret_key_and_hosts_come_from_the_environment(load_settings):
    """Production's SECRET_KEY and ALLOWED_HOSTS are exactly what the environment gives."""
    loaded = load_settings(**{**PRODUCTION, "ALLOWED_HOSTS": "charter.example.gov.uk,www.charter.example.gov.uk"})
    assert loaded["SECRET_KEY"] == "x" * 50
    assert loaded["ALLOWED_HOSTS"] == ["charter.example.gov.uk", "www.charter.example.gov.uk"]


def test_s3_storage_is_configured_from_the_environment(load_settings):
    """AWS_STORAGE_BUCKET_NAME switches private files to S3: no object ACL, signed short-lived URLs."""
    loaded = load_settings(
        **PRODUCTION,
        AWS_STORAGE_BUCKET_NAME="charter-evidence",
        AWS_S3_REGION_NAME="eu-west-2",
        AWS_S3_ENDPOINT_URL="https://s3.eu-west-2.amazonaws.com",
        AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY="example-secret",
    )
    private = loaded["STORAGES"]["private"]
    assert private["BACKEND"] == "storages.backends.s3.S3Storage"
    options = private["OPTIONS"]
    assert options["bucket_name"] == "charter-evidence"
    assert options["region_name"] == "eu-west-2"
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["querystring_expire"] == 300
    assert options["file_overwrite"] is False
    assert loaded["STORAGES"]["default"] == private


def test_local_private_storage_by_default(load_settings):
    """Without a bucket, private files go to a local folder under var/ that has no URL."""
    loaded = load_settings(DEBUG="true")
    private = loaded["STORAGES"]["private"]
    assert private["BACKEND"] == "portal.storage.PrivateFileSystemStorage"
    assert str(private["OPTIONS"]["location"]) == str(BASE_DIR / "var" / "private")
    assert private["OPTIONS"]["file_permissions_mode"] == 0o600
    assert loaded["STORAGES"]["default"] == private


def test_readme_documents_every_environment_variable():
    """Each variable config/settings.py reads has a row in the README's configuration table."""
    settings_source = (BASE_DIR / "config" / "settings.py").read_text()
    variables = set(re.findall(r"\benv(?:\.[a-z_]+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", settings_source))
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "AWS_STORAGE_BUCKET_NAME"} <= variables
    readme = (BASE_DIR / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Running it in production")]
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)`(?:, `([A-Z0-9_]+)`)?", table, re.M))
    documented = {name for pair in documented for name in pair if name}
    assert variables - documented == set(), "not in the README's configuration table"


def test_stripe_checkout_is_an_allowed_form_target_only_with_stripe(load_settings):
    """Pay now redirects to checkout.stripe.com, so the CSP form-action allows it with Stripe (only)."""
    stripe = load_settings(DEBUG="true", STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="whsec_x")
    assert stripe["PAYMENT_GATEWAY"] == "stripe"
    assert "https://checkout.stripe.com" in stripe["SECURE_CSP"]["form-action"]
    local = load_settings(DEBUG="true")
    assert local["PAYMENT_GATEWAY"] == "test"
    assert local["SECURE_CSP"]["form-action"] == ["'self'"]


def test_production_needs_a_payment_gateway_chosen(load_settings):
    """DEBUG off and no Stripe keys: no silent fall-back to the test gateway; PAYMENT_GATEWAY=test is a choice."""
    without = {key: value for key, value in PRODUCTION.items() if not key.startswith("STRIPE_")}
    with pytest.raises(ImproperlyConfigured, match="No payment gateway"):
        load_settings(**without)
    assert load_settings(**without, PAYMENT_GATEWAY="test")["PAYMENT_GATEWAY"] == "test"
    assert load_settings(**PRODUCTION)["PAYMENT_GATEWAY"] == "stripe"
