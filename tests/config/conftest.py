"""Helpers for testing config/settings.py as production would load it."""

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
SETTINGS_FILE = BASE_DIR / "config" / "settings.py"

# Everything the settings read that a developer's or CI's environment might already set.
SETTINGS_VARIABLES = [
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "NOTIFY_API_KEY",
    "NOTIFY_TEMPLATE_ID",
    "NOTIFY_REPLY_TO_ID",
    "NOTIFY_BASE_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_LOCATION",
    "AWS_QUERYSTRING_EXPIRE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "TASK_BACKEND",
    "CONN_MAX_AGE",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "PAYMENT_GATEWAY",
    "SITE_URL",
]


# Only what a process needs to run: nothing the test session set (pytest-env's DEBUG, the browser tests'
# DJANGO_ALLOW_ASYNC_UNSAFE, a developer's DATABASE_URL) leaks into the "production" process.
PASSED_THROUGH = ["PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ"]


def production_environment(**overrides) -> dict:
    """A minimal process environment with production-like settings: DEBUG off, a random key, a host, SMTP, Stripe."""
    environment = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    environment.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="charter.example.gov.uk",
        EMAIL_URL="smtp+tls://mailer:password@smtp.example.gov.uk:587",
        # Production takes real payments: the deploy check warns while the test gateway is in use.
        STRIPE_SECRET_KEY="sk_test_dummy",
        STRIPE_WEBHOOK_SECRET="whsec_dummy",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    environment.update(overrides)
    return {key: value for key, value in environment.items() if value is not None}


def manage(*args, environment: dict) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh interpreter, so the settings are loaded from `environment` alone."""
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def load_settings(monkeypatch):
    """Execute config/settings.py afresh with the given variables; returns its names as a dict.

    The running Django's settings are untouched: this reads what another process would get.
    """

    def load(**variables):
        for key in SETTINGS_VARIABLES:
            monkeypatch.delenv(key, raising=False)
        for key, value in variables.items():
            monkeypatch.setenv(key, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return load
