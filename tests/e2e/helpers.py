"""Steps the browser journeys share."""

import re

from django.core import mail

PASSWORD = "a-long-and-unusual-passphrase-42"


def link_in_last_email(to: str) -> str:
    """The first http link in the newest email sent to `to`."""
    messages = [m for m in mail.outbox if to in m.to]
    assert messages, f"no email was sent to {to}; outbox: {[m.to for m in mail.outbox]}"
    match = re.search(r"https?://\S+", messages[-1].body)
    assert match, f"no link in the email to {to}:\n{messages[-1].body}"
    return match.group(0).rstrip(".>)")


def sign_up_and_verify(page, a11y, email: str, *, start: str = "/accounts/signup/", label: str = ""):
    """Create an account through the sign-up form and follow the link in the verification email."""
    if start:
        page.goto(start)
    a11y.check(f"{label}signup")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm your password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    a11y.check(f"{label}verification-sent")
    page.goto(link_in_last_email(email))
    a11y.check(f"{label}confirm-email")
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    page.wait_for_load_state()


def sign_out(page):
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_load_state()
