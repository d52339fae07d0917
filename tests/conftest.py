"""Shared fixtures. Few on purpose: most tests build what they need with tests/factories.py."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.storage import storages

from accreditation.models import Evidence
from tests.charter_fixtures import charter_content, charter_edition  # noqa: F401 (shared fixtures)
from tests.factories import OfficerFactory, OwnerMembershipFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests hash passwords with a fast hasher; production keeps Django's default (PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def own_redis_database_per_worker(worker_id):
    """Under pytest-xdist each worker uses its own Redis database (REDIS_URL's number + 1 + the worker's).

    Each test empties the cache (below); with one shared database a worker would empty the other's
    sessions and rate-limit counters in the middle of its tests.
    """
    from django.conf import settings
    from django.test import override_settings

    cache = settings.CACHES["default"]
    if worker_id == "master" or not cache["BACKEND"].endswith("RedisCache"):
        yield
        return
    scheme, _, rest = cache["LOCATION"].partition("://")
    host, _, database = rest.partition("/")
    own = (int(database) if database.isdigit() else 0) + 1 + int(worker_id.removeprefix("gw"))
    with override_settings(CACHES={"default": cache | {"LOCATION": f"{scheme}://{host}/{own}"}}):
        yield


@pytest.fixture(autouse=True)
def clear_cache():
    """Each test starts with an empty cache, so rate-limit counters (kept in Redis on CI) never leak."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path, monkeypatch):
    """Private files go to a temporary folder (settings.STORAGES), and uploads use the EICAR stub scanner.

    The Evidence model's file field took its storage when the model was loaded, so it is pointed at the
    new one too.
    """
    folder = tmp_path / "private"
    backend = {
        "BACKEND": "portal.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": folder, "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
    }
    settings.STORAGES = {**settings.STORAGES, "default": backend, "private": backend}
    settings.CLAMAV_SOCKET = ""
    settings.CLAMAV_HOST = ""
    settings.EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
    monkeypatch.setattr(Evidence._meta.get_field("file"), "storage", storages["private"])
    folder.mkdir()
    return folder


def give_totp(user) -> str:
    """Set up a TOTP authenticator for `user`; returns the secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture
def owner_membership(db):
    return OwnerMembershipFactory()


@pytest.fixture
def employer_client(client, owner_membership):
    """A client signed in as the owner of an organisation."""
    client.force_login(owner_membership.user)
    client.membership = owner_membership
    return client


@pytest.fixture
def officer(db):
    """An officer who has set up two-factor authentication."""
    user = OfficerFactory()
    give_totp(user)
    assert Authenticator.objects.filter(user=user).exists()
    return user


@pytest.fixture
def officer_client(client, officer):
    """A client signed in as an officer with two-factor set up."""
    client.force_login(officer)
    return client


@pytest.fixture
def officer_without_2fa_client(client, db):
    """A client signed in as an officer who has not set up two-factor."""
    client.force_login(OfficerFactory())
    return client


@pytest.fixture(autouse=True)
def default_fee_schedule(request):
    """Put back the default fee schedule (accreditation migration 0005) before each transactional test.

    Transactional tests (the browser tests, the PostgreSQL races) empty every table when they end, data
    migrations' rows too, so a later one would find no fee band to fix a fee from.
    """
    marker = request.node.get_closest_marker("django_db")
    uses_live_server = "live_server" in request.fixturenames or "transactional_db" in request.fixturenames
    if not uses_live_server and (marker is None or not marker.kwargs.get("transaction", False)):
        return
    request.getfixturevalue("transactional_db")
    from tests.accreditation.fee_helpers import ensure_default_fees

    ensure_default_fees()
