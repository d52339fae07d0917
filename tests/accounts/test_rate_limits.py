"""Sign-in, sign-up and two-factor codes are rate limited (ACCOUNT_RATE_LIMITS), with a clear message."""

from django.core import mail

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

from .journeys import page_title, sign_in, totp_code

TOO_MANY = "There have been too many attempts to sign in to this account"


def test_sign_in_is_refused_after_five_failures_even_with_the_right_password(client, db):
    """After 5 wrong passwords for one address, even the right one is refused for a while, saying why."""
    user = UserFactory()
    for _ in range(5):
        response = sign_in(client, user.email, "wrong-password")
        assert "The email address or password is not correct" in response.content.decode()
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 200
    assert page_title(response).startswith("Error: ")
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_limit_is_per_address(client, db):
    """Failures for one address do not lock out another."""
    locked, other = UserFactory(), UserFactory()
    for _ in range(6):
        sign_in(client, locked.email, "wrong-password")
    assert sign_in(client, other.email).status_code == 302


def test_sign_up_is_limited_per_address_and_answers_in_the_councils_look(client, db):
    """More than 10 sign-ups a minute from one address get the council's 'too many' page (429)."""
    for n in range(10):
        client.post(
            "/accounts/signup/", {"email": f"person{n}@example.org", "password1": PASSWORD, "password2": PASSWORD}
        )
    response = client.post(
        "/accounts/signup/", {"email": "one.more@example.org", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 429
    assert page_title(response).startswith("You have tried too many times")
    assert "Norwich City Council" in response.content.decode()
    assert not User.objects.filter(email="one.more@example.org").exists()


def test_password_reset_emails_are_limited_per_address(client, db):
    """Asking for reset links over and over does not flood someone's inbox."""
    user = UserFactory()
    for _ in range(8):
        client.post("/accounts/password/reset/", {"email": user.email})
    assert len(mail.outbox) == 5


def test_two_factor_codes_are_limited_too(client, officer_with_totp):
    """Guessing codes at the second step is refused after 5 failures, even with the right code."""
    sign_in(client, officer_with_totp.email)
    for _ in range(5):
        client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(officer_with_totp.totp_secret)})
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert client.get("/officer/").status_code == 302
