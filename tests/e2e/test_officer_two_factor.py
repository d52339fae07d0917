"""An officer without two-factor is made to set it up before anything else, then works normally."""

import re

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

from accounts.roles import has_two_factor
from tests.factories import PASSWORD, OfficerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def current_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret.replace(" ", ""), counters[len(counters) // 2]))


def sign_in(page, a11y, email, label):
    page.goto("/accounts/login/")
    a11y.check(f"{label}-login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_officer_is_forced_to_set_up_two_factor_then_reaches_the_work_area(page, a11y):
    """Signing in without two-factor lands on its setup from any URL; after setup the officer area opens."""
    officer = OfficerFactory(email="new.officer@norwich.gov.uk")
    sign_in(page, a11y, officer.email, "officer")
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    a11y.check("officer-forced-setup")
    assert page.get_by_text("Council officers must use two-factor authentication").is_visible()

    # Every other place sends them back here.
    for path in ["/officer/", "/employer/", "/", "/accounts/profile/"]:
        page.goto(path)
        page.wait_for_url("**/accounts/2fa/totp/activate/")
        a11y.check(f"officer-forced-setup-from-{path.strip('/').replace('/', '-') or 'home'}")

    # A wrong code is refused with an error summary.
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    a11y.check("officer-setup-wrong-code")

    # The person cannot scan, so they open the details and type the setup key into their app.
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#authenticator-setup-key").inner_text()
    page.get_by_label("Code from your authenticator app").fill(current_code(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.wait_for_load_state()
    a11y.check("officer-setup-done")
    assert has_two_factor(officer)

    page.goto("/officer/")
    assert re.search(r"/officer/$", page.url)
    assert page.get_by_role("heading", level=1).is_visible()
    a11y.check("officer-work-area")
