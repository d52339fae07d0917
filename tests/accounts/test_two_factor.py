"""Two-factor authentication end to end: an officer sets it up, then signs in with a code or a key."""

from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail
from django.utils import timezone

from tests.conftest import give_totp
from tests.factories import PASSWORD, OfficerFactory, UserFactory

from .journeys import (
    SERVICE,
    SETUP_URL,
    add_security_key,
    authenticator_types,
    js_data,
    page_title,
    setup_key_on_page,
    sign_in,
    totp_code,
)
from .security_key import SoftwareSecurityKey


@pytest.mark.django_db(transaction=True)  # allauth sends its notice on commit, inside the request
def test_an_officer_sets_up_an_authenticator_app_right_after_signing_in(client):
    """Sign in, land on setup (which says why), scan or type the key, enter the code, see recovery codes, work."""
    officer = OfficerFactory()
    response = sign_in(client, officer.email)
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0] == SETUP_URL
    page = response.content.decode()
    assert page_title(response).startswith("Set up two-factor authentication")
    assert "Council officers must use two-factor authentication" in page
    assert '<img src="data:image/svg+xml;base64,' in page, "the QR code"
    secret = setup_key_on_page(page)

    response = client.post(SETUP_URL, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    codes_page = client.get(response["Location"])
    assert codes_page.status_code == 200
    assert "Save these codes now" in codes_page.content.decode()
    recovery_codes = Authenticator.objects.get(user=officer, type="recovery_codes")
    assert len(RecoveryCodes(recovery_codes).get_unused_codes()) == 10

    assert client.get("/officer/").status_code == 200
    assert authenticator_types(officer) == {"totp", "recovery_codes"}
    [notice] = [m for m in mail.outbox if m.to == [officer.email]]
    assert notice.subject == f"{SERVICE}: Two-factor authentication is on"


def test_a_wrong_code_at_setup_is_refused_and_sets_nothing_up(client, db):
    """A wrong code shows an error on the setup page and the officer stays gated."""
    officer = OfficerFactory()
    sign_in(client, officer.email)
    client.get(SETUP_URL)
    response = client.post(SETUP_URL, {"code": "000000"})
    assert response.status_code == 200
    assert page_title(response).startswith("Error: ")
    assert "The code is not correct" in response.content.decode()
    assert authenticator_types(officer) == set()
    assert client.get("/officer/")["Location"] == SETUP_URL


def test_setup_asks_for_the_password_again_when_the_sign_in_is_not_fresh(client, db):
    """Without a recent sign-in allauth asks 'confirm it is you'; the gate lets that page through; then setup works."""
    officer = OfficerFactory()
    client.force_login(officer)
    response = client.get(SETUP_URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/reauthenticate/?next={SETUP_URL.replace('/', '%2F')}"
    assert client.get(response["Location"]).status_code == 200
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD, "next": SETUP_URL})
    assert response["Location"] == SETUP_URL
    secret = setup_key_on_page(client.get(SETUP_URL).content.decode())
    assert client.post(SETUP_URL, {"code": totp_code(secret)}).status_code == 302
    assert client.get("/officer/").status_code == 200


def test_an_officer_with_an_app_must_enter_a_code_to_sign_in(client, officer_with_totp):
    """The password alone does not sign an officer in: the code step comes first."""
    response = sign_in(client, officer_with_totp.email)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    assert client.get("/officer/")["Location"].startswith("/accounts/login/")

    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert "The code is not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session

    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(officer_with_totp.totp_secret)})
    assert response.status_code == 302
    assert client.get("/officer/").status_code == 200


def test_a_code_cannot_be_used_twice(client, officer_with_totp):
    """A code that signed someone in cannot sign anyone in again (a stolen code is useless)."""
    code = totp_code(officer_with_totp.totp_secret)
    sign_in(client, officer_with_totp.email)
    client.post("/accounts/2fa/authenticate/", {"code": code})
    client.post("/accounts/logout/")
    sign_in(client, officer_with_totp.email)
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_signs_in_once(client, officer_with_totp):
    """An officer without their phone signs in with a recovery code, which then stops working."""
    code = RecoveryCodes.activate(officer_with_totp).get_unused_codes()[0]
    sign_in(client, officer_with_totp.email)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.get("/officer/").status_code == 200
    client.post("/accounts/logout/")
    sign_in(client, officer_with_totp.email)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 200


def test_an_officer_can_set_up_a_security_key_instead_and_sign_in_with_it(client, db):
    """A security key added through the add page lets the officer work, and signs them in later."""
    officer = OfficerFactory()
    key = SoftwareSecurityKey()
    sign_in(client, officer.email)
    response = add_security_key(client, key)
    assert response.status_code == 302
    assert authenticator_types(officer) == {"webauthn", "recovery_codes"}
    assert client.get("/officer/").status_code == 200

    client.post("/accounts/logout/")
    assert sign_in(client, officer.email)["Location"] == "/accounts/2fa/authenticate/"
    page = client.get("/accounts/2fa/authenticate/").content.decode()
    credential = key.sign_in(js_data(page)["request_options"])
    response = client.post("/accounts/2fa/authenticate/", {"credential": credential})
    assert response.status_code == 302
    assert client.get("/officer/").status_code == 200


def test_a_security_key_name_with_markup_or_too_long_is_refused(client, db):
    """Key names are short plain text: markup or 61+ characters get a message and no key is added."""
    officer = OfficerFactory()
    sign_in(client, officer.email)
    for name, message in [("<b>key</b>", "Enter text without HTML tags"), ("k" * 61, "60 characters or fewer")]:
        response = add_security_key(client, SoftwareSecurityKey(), name=name)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert authenticator_types(officer) == set()


def test_an_officer_cannot_turn_off_their_only_app(signed_in_officer_with_totp):
    """Turning off an officer's only authenticator is refused, with the reason on the page."""
    client = signed_in_officer_with_totp
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 200
    assert "Council officers must keep two-factor authentication on" in response.content.decode()
    assert "totp" in authenticator_types(client.user)


def test_an_officer_with_a_security_key_may_turn_off_the_app(signed_in_officer_with_totp):
    """With a key as well, the app can go: the officer still has two-factor."""
    client = signed_in_officer_with_totp
    add_security_key(client, SoftwareSecurityKey())
    assert client.post("/accounts/2fa/totp/deactivate/").status_code == 302
    assert "totp" not in authenticator_types(client.user)
    assert client.get("/officer/").status_code == 200


def test_an_officer_who_removes_their_only_key_is_sent_to_set_up_again(client, db):
    """Removing the last security key leaves no second factor, so the gate sends them back to setup."""
    officer = OfficerFactory()
    sign_in(client, officer.email)
    add_security_key(client, SoftwareSecurityKey())
    key = Authenticator.objects.get(user=officer, type="webauthn")
    assert client.post(f"/accounts/2fa/webauthn/keys/{key.pk}/remove/").status_code == 302
    assert client.get("/officer/")["Location"] == SETUP_URL


def test_an_employer_user_may_turn_two_factor_on_and_off(client, db):
    """Two-factor is optional for employer users: they can turn it off again."""
    user = UserFactory()
    secret = give_totp(user)
    sign_in(client, user.email)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert client.post("/accounts/2fa/totp/deactivate/").status_code == 302
    assert authenticator_types(user) == set()


def test_sensitive_changes_ask_again_five_minutes_after_signing_in(signed_in_officer_with_totp):
    """The fresh sign-in only counts for 5 minutes; after that, new recovery codes need 'confirm it is you'."""
    client = signed_in_officer_with_totp
    assert client.get("/accounts/2fa/recovery-codes/generate/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        response = client.get("/accounts/2fa/recovery-codes/generate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
