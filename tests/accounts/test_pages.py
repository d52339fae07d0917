"""Every allauth page is in the council's look: templates/allauth/, templates/account/, templates/mfa/."""

import re
from html.parser import HTMLParser

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

from tests.conftest import give_totp
from tests.factories import UserFactory

from .journeys import COUNCIL, SERVICE, add_security_key, page_title, sign_in, totp_code
from .security_key import SoftwareSecurityKey


class PageParts(HTMLParser):
    """What the checks need from a page: headings, fields and their labels, scripts."""

    def __init__(self, html):
        super().__init__()
        self.h1 = 0
        self.fields = []
        self.labels = set()
        self.scripts = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h1":
            self.h1 += 1
        elif tag in ("input", "textarea", "select") and attrs.get("type") not in ("hidden", "submit", "button"):
            self.fields.append(attrs.get("id"))
        elif tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        elif tag == "script":
            self.scripts.append(attrs)


def assert_council_page(response, title):
    """The page is ours: council header, GOV.UK markup, one h1, its own title, labelled fields, nonced scripts."""
    assert response.status_code == 200, response.get("Location")
    html = response.content.decode()
    assert page_title(response) == f"{title} – {SERVICE} – {COUNCIL}"
    assert f'class="govuk-generic-header__homepage-link">{COUNCIL}</a>' in html
    assert re.search(r'class="govuk-(heading-l|panel__title)"', html), "the h1 is a GOV.UK heading"
    parts = PageParts(html)
    assert parts.h1 == 1, "exactly one h1"
    unlabelled = [field for field in parts.fields if field not in parts.labels]
    assert not unlabelled, f"fields without a label: {unlabelled}"
    for script in parts.scripts:
        assert script.get("type") == "application/json" or script.get("nonce"), f"script without nonce: {script}"
    # allauth's own unstyled markup never shows through
    assert "<p>" not in html.split('id="main-content"')[1].split("</main>")[0]


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/accounts/login/", "Sign in"),
        ("/accounts/signup/", "Create an account"),
        ("/accounts/password/reset/", "Reset your password"),
        ("/accounts/password/reset/done/", "Check your email"),
        ("/accounts/confirm-email/", "Check your email"),
        ("/accounts/confirm-email/not-a-real-key/", "This link has expired or is not valid"),
        ("/accounts/password/reset/key/done/", "Your password has been changed"),
        ("/accounts/password/reset/key/1-not-a-real-key/", "This password reset link is not valid"),
        ("/accounts/inactive/", "This account has been closed"),
    ],
)
def test_pages_for_people_on_their_way_in_are_in_the_council_look(client, db, path, title):
    """Sign-in, sign-up, reset and confirmation pages render in the council's look with their own title."""
    response = client.get(path, follow=True)
    assert_council_page(response, title)


@pytest.fixture
def signed_in_employer(client, db):
    """A client that signed in (password just typed) as an employer user without two-factor."""
    user = UserFactory()
    sign_in(client, user.email)
    client.user = user
    return client


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/accounts/logout/", "Sign out"),
        ("/accounts/email/", "Your email addresses"),
        ("/accounts/password/change/", "Change your password"),
        ("/accounts/reauthenticate/", "Confirm it is you"),
        ("/accounts/2fa/", "Two-factor authentication"),
        ("/accounts/2fa/totp/activate/", "Set up two-factor authentication"),
        ("/accounts/2fa/webauthn/", "Security keys"),
        ("/accounts/2fa/webauthn/add/", "Add a security key"),
    ],
)
def test_account_pages_are_in_the_council_look(signed_in_employer, path, title):
    """A signed-in person's account and two-factor pages render in the council's look."""
    assert_council_page(signed_in_employer.get(path), title)


@pytest.fixture
def officer_with_every_authenticator(signed_in_officer_with_totp):
    """A signed-in officer with an authenticator app, recovery codes and a security key."""
    client = signed_in_officer_with_totp
    RecoveryCodes.activate(client.user)
    assert add_security_key(client, SoftwareSecurityKey()).status_code == 302
    client.key = Authenticator.objects.get(user=client.user, type=Authenticator.Type.WEBAUTHN)
    return client


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/accounts/2fa/", "Two-factor authentication"),
        ("/accounts/2fa/totp/deactivate/", "Turn off your authenticator app"),
        ("/accounts/2fa/recovery-codes/", "Your recovery codes"),
        ("/accounts/2fa/recovery-codes/generate/", "Create new recovery codes"),
        ("/accounts/2fa/reauthenticate/", "Confirm it is you"),
        ("/accounts/2fa/webauthn/", "Security keys"),
        ("/accounts/2fa/webauthn/keys/{key}/edit/", "Rename security key"),
        ("/accounts/2fa/webauthn/keys/{key}/remove/", "Remove security key"),
        ("/accounts/2fa/webauthn/reauthenticate/", "Confirm it is you"),
    ],
)
def test_two_factor_pages_are_in_the_council_look(officer_with_every_authenticator, path, title):
    """Managing an app, recovery codes and security keys happens on pages in the council's look."""
    client = officer_with_every_authenticator
    assert_council_page(client.get(path.format(key=client.key.pk)), title)


def test_turning_off_the_only_app_shows_why_not_in_the_council_look(signed_in_officer_with_totp):
    """An officer's only authenticator cannot be turned off: the page says why, as an error."""
    response = signed_in_officer_with_totp.get("/accounts/2fa/totp/deactivate/")
    assert_council_page(response, "Error: Turn off your authenticator app")
    assert "Council officers must keep two-factor authentication on" in response.content.decode()


def test_the_code_page_at_sign_in_is_in_the_council_look(client, officer_with_totp):
    """The second step of signing in (code or security key) is in the council's look."""
    sign_in(client, officer_with_totp.email)
    assert_council_page(client.get("/accounts/2fa/authenticate/"), "Enter your security code")


def test_the_email_confirmation_page_is_in_the_council_look(client, db):
    """The page a confirmation link opens is in the council's look and names the address."""
    user = UserFactory(verified=False)
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    key = EmailConfirmationHMAC(address).key
    response = client.get(f"/accounts/confirm-email/{key}/")
    assert_council_page(response, "Confirm your email address")
    assert user.email in response.content.decode()


def test_the_new_password_page_is_in_the_council_look(client, db):
    """The page a password reset link opens is in the council's look."""
    user = UserFactory()
    token = default_token_generator.make_token(user)
    response = client.get(f"/accounts/password/reset/key/{user_pk_to_url_str(user)}-{token}/", follow=True)
    assert_council_page(response, "Create a new password")


def test_the_create_a_password_page_is_in_the_council_look(client, db):
    """Someone whose account has no password is asked to create one, in the council's look."""
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    assert_council_page(client.get("/accounts/password/set/"), "Create a password")


def test_an_employer_with_an_app_can_turn_it_off_on_a_council_page(client, db):
    """For someone who may turn their app off, the page asks them to confirm, in the council's look."""
    user = UserFactory()
    secret = give_totp(user)
    sign_in(client, user.email)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    response = client.get("/accounts/2fa/totp/deactivate/")
    assert_council_page(response, "Turn off your authenticator app")
    assert "Turn off authenticator app</button>" in response.content.decode()
