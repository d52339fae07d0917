"""Sign-up, email verification and signing out, as a person does them (allauth as configured here)."""

import re
from datetime import timedelta

import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

from .journeys import SERVICE, page_title, sign_in

EMAIL = "owner@bakery.example.org"


def sign_up(client, email=EMAIL):
    return client.post("/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def confirmation_link(message) -> str:
    match = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_sign_up_sends_a_confirmation_email_and_does_not_sign_in(client, db):
    """Signing up creates an unconfirmed account, emails a link in the council's words, and signs nobody in."""
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email=EMAIL)
    assert not EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in client.session
    [message] = mail.outbox
    assert message.to == [EMAIL]
    assert message.subject == f"{SERVICE}: Confirm your email address"
    assert SERVICE in message.body and "Norwich City Council" in message.body
    assert "testserver" not in message.body.replace("http://testserver/", "")
    confirmation_link(message)


def test_the_page_after_sign_up_says_what_happens_next(client, db):
    """After signing up, the person is told to check their email and what to do if it does not arrive."""
    page = client.get(sign_up(client)["Location"])
    text = page.content.decode()
    assert page_title(page).startswith("Check your email")
    assert "You cannot sign in until you have confirmed your email address" in text
    assert "spam" in text


def test_an_unconfirmed_person_cannot_reach_the_employer_area(client, db):
    """Until the address is confirmed, /employer/ sends the person to sign in."""
    sign_up(client)
    response = client.get("/employer/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_unconfirmed_person_cannot_sign_in(client, db):
    """Signing in before confirming shows 'Check your email' and starts no session."""
    sign_up(client)
    response = sign_in(client, EMAIL)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert client.get("/employer/").status_code == 302


def test_signing_in_unconfirmed_after_5_minutes_sends_a_new_link(client, db):
    """As the 'Check your email' page promises, signing in 5 minutes later sends a fresh link."""
    sign_up(client)
    mail.outbox.clear()
    sign_in(client, EMAIL)
    assert mail.outbox == [], "no second email within allauth's 3-minute limit"
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        sign_in(client, EMAIL)
    [message] = mail.outbox
    assert message.subject == f"{SERVICE}: Confirm your email address"


def test_following_the_link_confirms_the_address_and_opens_the_employer_area(client, db):
    """The link asks to confirm; confirming verifies the address and signs the person in."""
    sign_up(client)
    link = confirmation_link(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200
    assert EmailAddress.objects.get(email=EMAIL).verified is False, "a GET confirms nothing"
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email=EMAIL).verified is True
    assert client.get("/employer/").status_code == 200


def test_after_confirming_the_person_can_sign_in_from_another_browser(client, db):
    """Once confirmed, the account signs in normally."""
    sign_up(client)
    client.post(confirmation_link(mail.outbox[0]))
    client.logout()
    response = sign_in(client, EMAIL)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email=EMAIL).pk)


def test_signing_up_with_an_address_that_has_an_account_creates_nothing_and_tells_its_owner(client, db):
    """A second sign-up for an address looks the same to the visitor; the owner gets an email."""
    existing = UserFactory(email=EMAIL)
    response = sign_up(client)
    assert response["Location"] == "/accounts/confirm-email/"
    assert User.objects.count() == 1
    [message] = mail.outbox
    assert message.to == [existing.email]
    assert message.subject == f"{SERVICE}: You already have an account"


def test_an_upper_case_address_is_stored_in_lower_case(client, db):
    """Addresses are case-insensitive: 'Owner@Bakery...' signs up as 'owner@bakery...'."""
    sign_up(client, EMAIL.upper())
    assert User.objects.filter(email=EMAIL).exists()


def test_signing_out_needs_a_post(client, db):
    """Visiting the sign-out page asks to confirm; only the form's POST signs the person out."""
    user = UserFactory()
    client.force_login(user)
    page = client.get("/accounts/logout/")
    assert page.status_code == 200
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
