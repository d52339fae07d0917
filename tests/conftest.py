"""Shared fixtures. Few on purpose: most tests build what they need with tests/factories.py."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from tests.charter_fixtures import charter_content, charter_edition  # noqa: F401 (shared fixtures)
from tests.factories import OfficerFactory, OwnerMembershipFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests hash passwords with a fast hasher; production keeps Django's default (PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def clear_cache():
    """Each test starts with an empty cache, so rate-limit counters (kept in Redis on CI) never leak."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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
