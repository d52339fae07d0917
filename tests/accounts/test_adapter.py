"""How allauth behaves here (accounts/adapter.py): wording, emails, when to ask again, who may drop 2FA."""

import pytest
from allauth.account.adapter import get_adapter
from allauth.core import context
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone

from accounts.adapter import AccountAdapter, MFAAdapter
from tests.conftest import give_totp
from tests.factories import PASSWORD, OfficerFactory, UserFactory

from .journeys import COUNCIL, SERVICE, sign_in

EMAILS = {
    "account/email/email_confirmation": "Confirm your email address",
    "account/email/email_confirmation_signup": "Confirm your email address",
    "account/email/password_reset_key": "Reset your password",
    "account/email/account_already_exists": "You already have an account",
    "account/email/unknown_account": "Password reset requested",
    "account/email/password_changed": "Your password has been changed",
    "account/email/password_set": "A password has been set on your account",
    "account/email/email_changed": "Your email address has been changed",
    "account/email/email_confirm": "Your email address has been confirmed",
    "account/email/email_deleted": "An email address has been removed from your account",
    "mfa/email/totp_activated": "Two-factor authentication is on",
    "mfa/email/totp_deactivated": "Your authenticator app has been turned off",
    "mfa/email/recovery_codes_generated": "New recovery codes have been created",
    "mfa/email/webauthn_added": "A security key has been added to your account",
    "mfa/email/webauthn_removed": "A security key has been removed from your account",
}


def test_allauth_uses_the_portals_adapters():
    """Settings point allauth at accounts.adapter."""
    assert isinstance(get_adapter(), AccountAdapter)
    assert isinstance(get_mfa_adapter(), MFAAdapter)


@pytest.mark.parametrize(("template", "subject"), EMAILS.items())
def test_every_email_speaks_for_the_council_not_the_server(db, settings, template, subject):
    """Each email allauth sends has our subject, signs off with the service and council, never a host name."""
    settings.ALLOWED_HOSTS = ["portal.internal"]
    request = RequestFactory().get("/", HTTP_HOST="portal.internal:8443")
    request.user = UserFactory()
    with context.request_context(request):
        get_adapter().send_mail(
            template,
            "person@example.org",
            {
                "user": request.user,
                "activate_url": "https://example.test/confirm/",
                "password_reset_url": "https://example.test/reset/",
                "signup_url": "https://example.test/signup/",
                "timestamp": timezone.now(),
                "ip": "203.0.113.9",
                "from_email": "old@example.org",
                "to_email": "new@example.org",
                "deleted_email": "gone@example.org",
            },
        )
    [message] = mail.outbox
    assert message.subject == f"{SERVICE}: {subject}"
    assert message.body.startswith("Hello,")
    assert SERVICE in message.body and COUNCIL in message.body
    assert "portal.internal" not in message.body, "no server host name in place of the service's name"


def test_a_fresh_sign_in_counts_as_confirming_it_is_you(client, db):
    """Right after signing in with a password, setting up two-factor does not ask for it again."""
    user = UserFactory()
    sign_in(client, user.email)
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200


def test_without_a_sign_in_in_this_session_it_asks_again(client, db):
    """A session that did not sign in recently (here: forced) must confirm it is them first."""
    client.force_login(UserFactory())
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")


def test_officers_may_not_drop_their_last_authenticator(db):
    """An officer's only app cannot be deleted; with a key as well it can; recovery codes always can."""
    adapter = MFAAdapter()
    officer = OfficerFactory()
    give_totp(officer)
    totp = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP)
    assert adapter.can_delete_authenticator(totp) is False
    Authenticator.objects.create(user=officer, type=Authenticator.Type.WEBAUTHN, data={"name": "Key"})
    assert adapter.can_delete_authenticator(totp) is True
    assert adapter.can_delete_authenticator(RecoveryCodes.activate(officer).instance) is True


def test_employer_users_may_drop_theirs(db):
    """Two-factor is optional for employer users."""
    user = UserFactory()
    give_totp(user)
    assert MFAAdapter().can_delete_authenticator(Authenticator.objects.get(user=user)) is True


def test_the_authenticator_app_shows_the_services_name(db):
    """The QR code names the service, so officers can tell the entry apart in their app."""
    url = MFAAdapter().build_totp_url(UserFactory(email="a@example.org"), "JBSWY3DPEHPK3PXP")
    assert url.startswith("otpauth://totp/a%40example.org?")
    assert "issuer=Fine%20City%20Employers%20Charter" in url


def test_changing_password_returns_to_the_account_page_with_a_banner(client, db):
    """After a password change the person is back on 'Your account', told it worked."""
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-passphrase",
            "password2": "a-new-long-passphrase",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/accounts/profile/"
    assert "Your password has been changed." in response.content.decode()


def test_signing_in_shows_no_banner(client, db):
    """Signing in does not add a 'successfully signed in' banner to the next page."""
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, follow=True)
    assert "govuk-notification-banner" not in response.content.decode()


def test_totp_secrets_are_stored_encrypted_and_still_validate(db):
    """The TOTP key in the database is not the key itself, and codes from the key are accepted."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time

    from tests.conftest import give_totp
    from tests.factories import OfficerFactory

    officer = OfficerFactory()
    secret = give_totp(officer)
    stored = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP).data["secret"]
    assert secret not in stored
    counters = list(yield_hotp_counters_from_time())
    code = format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))
    assert TOTP(Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP)).validate_code(code)


def test_encrypted_secrets_survive_a_secret_key_rotation(settings):
    """After SECRET_KEY is rotated with the old key in SECRET_KEY_FALLBACKS, old secrets still decrypt."""
    from accounts.adapter import MFAAdapter

    adapter = MFAAdapter()
    settings.SECRET_KEY = "old-key-" + "x" * 50
    settings.SECRET_KEY_FALLBACKS = []
    token = adapter.encrypt("JBSWY3DPEHPK3PXP")
    settings.SECRET_KEY = "new-key-" + "y" * 50
    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "x" * 50]
    assert adapter.decrypt(token) == "JBSWY3DPEHPK3PXP"
    settings.SECRET_KEY_FALLBACKS = []
    import cryptography.fernet
    import pytest

    with pytest.raises(cryptography.fernet.InvalidToken):
        adapter.decrypt(token)
