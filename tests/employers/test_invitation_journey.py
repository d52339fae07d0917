"""The invitation journey across allauth: open the link, sign up or in, confirm the email, land back, accept."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from employers.models import Membership
from employers.tokens import invitation_token
from tests.factories import PASSWORD, InvitationFactory, UserFactory

INVITED = "sam@example.org"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth counts sign-ups and logins in the cache: start each journey with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def invitation(db):
    return InvitationFactory(email=INVITED)


@pytest.fixture
def invite_url(invitation):
    return reverse("employers:invite_accept", kwargs={"token": invitation_token(invitation.key)})


def sign_up(client, *, query=""):
    response = client.post(
        reverse("account_signup") + query,
        {"email": INVITED, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def confirmation_path() -> str:
    [message] = [m for m in mail.outbox if INVITED in m.to]
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)


def accept(client, invite_url, invitation):
    page = client.get(invite_url)
    assert page.status_code == 200
    assert "Accept and join" in page.content.decode()
    client.post(invite_url)
    assert Membership.objects.filter(user__email=INVITED, organisation=invitation.organisation).exists()


def test_sign_up_with_next_then_confirm_lands_on_the_invitation(client, invitation, invite_url):
    """Create an account from the invitation's link, confirm the email in the same browser: back on the invitation."""
    client.get(invite_url)
    sign_up(client, query=f"?next={invite_url}")
    response = client.post(confirmation_path())
    assert response["Location"] == invite_url
    accept(client, invite_url, invitation)


def test_sign_up_without_next_still_lands_on_the_invitation(client, invitation, invite_url):
    """If the sign-up form loses `next`, the invitation remembered in the session brings them back."""
    client.get(invite_url)
    sign_up(client)
    response = client.post(confirmation_path())
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == invite_url
    accept(client, invite_url, invitation)


def test_confirming_in_another_browser_then_signing_in_lands_on_the_invitation(client, invitation, invite_url):
    """Confirm the email elsewhere, then sign in where the invitation was opened: back on the invitation."""
    client.get(invite_url)
    sign_up(client)
    Client().post(confirmation_path())
    response = client.post(reverse("account_login"), {"login": INVITED, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == invite_url
    accept(client, invite_url, invitation)


def test_signing_in_with_next_lands_on_the_invitation(client, invitation, invite_url):
    """An existing user signs in from the invitation's link and comes straight back to it."""
    UserFactory(email=INVITED)
    client.get(invite_url)
    response = client.post(reverse("account_login") + f"?next={invite_url}", {"login": INVITED, "password": PASSWORD})
    assert response["Location"] == invite_url
    accept(client, invite_url, invitation)
