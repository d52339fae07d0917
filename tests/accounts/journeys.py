"""What a person does in the accounts pages, for tests: sign in, read codes and keys off pages."""

import json
import re

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

from tests.factories import PASSWORD

from .security_key import SoftwareSecurityKey

COUNCIL = "Norwich City Council"
SERVICE = "Fine City Employers Charter"
SETUP_URL = "/accounts/2fa/totp/activate/"


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for `secret`."""
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret.replace(" ", ""), counter))


def sign_in(client, email: str, password: str = PASSWORD):
    """Post the sign-in form as a person would; returns the response (not followed)."""
    return client.post("/accounts/login/", {"login": email, "password": password})


def setup_key_on_page(html: str) -> str:
    """The TOTP setup key as the activation page shows it (in groups of four)."""
    match = re.search(r'id="authenticator-setup-key">([A-Z2-7 ]+)<', html)
    assert match, "the setup page shows the key as text"
    return match.group(1).replace(" ", "")


def js_data(html: str) -> dict:
    """The WebAuthn options allauth puts on the page for its script."""
    match = re.search(r'<script id="js_data" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the page carries WebAuthn options"
    return json.loads(match.group(1))


def add_security_key(client, key: SoftwareSecurityKey, name: str = "Blue key"):
    """Register `key` through the add page, as the browser script does; returns the POST response."""
    page = client.get("/accounts/2fa/webauthn/add/")
    assert page.status_code == 200, page.get("Location")
    options = js_data(page.content.decode())["creation_options"]
    return client.post("/accounts/2fa/webauthn/add/", {"name": name, "credential": key.register(options)})


def authenticator_types(user) -> set[str]:
    """The kinds of authenticator `user` has: totp, webauthn, recovery_codes."""
    return set(Authenticator.objects.filter(user=user).values_list("type", flat=True))


def page_title(response) -> str:
    """The text of the page's <title>."""
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert match, "the page has a <title>"
    return " ".join(match.group(1).split())
