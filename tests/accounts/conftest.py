"""Fixtures for the accounts tests. (tests/conftest.py empties the cache, so rate limits start at zero.)"""

import pytest

from tests.conftest import give_totp
from tests.factories import OfficerFactory

from .journeys import sign_in, totp_code


@pytest.fixture
def officer_with_totp(db):
    """An officer with an authenticator app; `.totp_secret` holds its secret."""
    user = OfficerFactory()
    user.totp_secret = give_totp(user)
    return user


@pytest.fixture
def signed_in_officer_with_totp(client, officer_with_totp):
    """A client that signed in as an officer with password and TOTP code, as a person would."""
    sign_in(client, officer_with_totp.email)
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(officer_with_totp.totp_secret)})
    assert response.status_code == 302, response.content
    client.user = officer_with_totp
    return client
