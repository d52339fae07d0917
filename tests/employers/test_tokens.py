"""employers.tokens: invitation links are signed, carry their age, and refuse tampering."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from employers.exceptions import InvitationInvalid
from employers.tokens import invitation_key, invitation_max_age, invitation_token


def test_a_token_gives_back_its_key():
    """A fresh token yields its key, not expired."""
    assert invitation_key(invitation_token("abc123")) == ("abc123", False)


def test_a_token_is_safe_in_a_url_path():
    """Tokens contain no slash, so they fit one path segment."""
    assert "/" not in invitation_token("a-b_c")


def test_a_token_older_than_the_max_age_is_expired(settings):
    """After INVITATION_MAX_AGE_DAYS the key is still read but flagged as expired."""
    settings.INVITATION_MAX_AGE_DAYS = 2
    token = invitation_token("abc123")
    with time_machine.travel(timezone.now() + timedelta(days=2, seconds=5)):
        assert invitation_key(token) == ("abc123", True)


def test_max_age_defaults_to_14_days(settings):
    """Without the setting, links last 14 days."""
    del settings.INVITATION_MAX_AGE_DAYS
    assert invitation_max_age() == timedelta(days=14)


@pytest.mark.parametrize("token", ["", "abc123", "abc123:xxxx:yyyy", "x" * 201])
def test_anything_not_signed_by_us_is_invalid(token):
    """Unsigned, wrongly signed and oversized tokens are refused."""
    with pytest.raises(InvitationInvalid):
        invitation_key(token)


def test_a_token_signed_with_another_secret_is_invalid(settings):
    """A token made with a different SECRET_KEY is refused."""
    settings.SECRET_KEY = "another-secret-key-that-is-long-enough-0123456789"
    token = invitation_token("abc123")
    settings.SECRET_KEY = "the-real-secret-key-that-is-long-enough-0123456789"
    with pytest.raises(InvitationInvalid):
        invitation_key(token)
