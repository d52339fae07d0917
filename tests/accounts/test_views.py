"""The account page and the 'too many requests' page (accounts/views.py)."""

from django.test import RequestFactory

from accounts.views import too_many_requests
from tests.conftest import give_totp
from tests.factories import UserFactory

from .journeys import COUNCIL, page_title


def test_the_account_page_needs_a_sign_in(client, db):
    """Anonymous people are sent to sign in."""
    response = client.get("/accounts/profile/")
    assert response["Location"].startswith("/accounts/login/")


def test_the_account_page_shows_whether_two_factor_is_on(client, db):
    """The account page links to email, password and two-factor settings and says if 2FA is on."""
    user = UserFactory()
    client.force_login(user)
    page = client.get("/accounts/profile/").content.decode()
    assert user.email in page
    assert 'href="/accounts/2fa/"' in page
    assert ">Off<" in page
    give_totp(user)
    assert ">On<" in client.get("/accounts/profile/").content.decode()


def test_too_many_requests_is_a_council_page_with_status_429(db):
    """Rate-limited people get a 429 in the council's look telling them to wait."""
    request = RequestFactory().get("/accounts/signup/")
    request.user = UserFactory.build()
    response = too_many_requests(request)
    assert response.status_code == 429
    assert COUNCIL in response.content.decode()
    assert "Wait a few minutes, then try again." in response.content.decode()


def test_allauth_uses_the_council_429_page(client, db):
    """The URLconf's handler429 is the page allauth shows when a limit is hit."""
    from config import urls

    assert urls.handler429 == "accounts.views.too_many_requests"
    for _ in range(25):
        response = client.post("/accounts/password/reset/", {"email": "someone@example.org"})
    assert response.status_code == 429
    assert page_title(response).startswith("You have tried too many times")
