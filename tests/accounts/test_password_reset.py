"""Resetting a forgotten password by email, as a person does it."""

import re

from django.core import mail

from tests.factories import PASSWORD, UserFactory

from .journeys import SERVICE, page_title, sign_in

NEW_PASSWORD = "a-brand-new-long-passphrase"


def ask_for_reset(client, email):
    return client.post("/accounts/password/reset/", {"email": email})


def reset_link(message) -> str:
    match = re.search(r"http://testserver(/accounts/password/reset/key/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def choose_new_password(client, link, password=NEW_PASSWORD):
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    return client.post(action, {"password1": password, "password2": password})


def test_asking_for_a_reset_emails_a_link_in_the_councils_words(client, db):
    """A reset request for a known address emails a link, and the page says to check email."""
    user = UserFactory()
    response = ask_for_reset(client, user.email)
    assert response["Location"] == "/accounts/password/reset/done/"
    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject == f"{SERVICE}: Reset your password"
    assert SERVICE in message.body
    reset_link(message)


def test_the_link_lets_the_person_choose_a_new_password_and_sign_in_with_it(client, db):
    """Following the link, a new password can be set; the old one stops working, the new one works."""
    user = UserFactory()
    ask_for_reset(client, user.email)
    response = choose_new_password(client, reset_link(mail.outbox[0]))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/key/done/"
    done = client.get(response["Location"])
    assert page_title(done).startswith("Your password has been changed")
    assert done.content.decode().count("Your password has been changed") == 2, "title and panel, no banner"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert sign_in(client, user.email, PASSWORD).status_code == 200, "the old password is refused"
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 302


def test_a_reset_link_works_only_once(client, db):
    """A used link shows 'not valid' and changes nothing."""
    user = UserFactory()
    ask_for_reset(client, user.email)
    link = reset_link(mail.outbox[0])
    choose_new_password(client, link)
    again = client.get(link, follow=True)
    assert page_title(again).startswith("This password reset link is not valid")
    choose_new_password(client, link, "yet-another-long-passphrase")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_weak_new_password_is_refused_with_a_message(client, db):
    """The new password must meet the same rules as at sign-up."""
    user = UserFactory()
    ask_for_reset(client, user.email)
    response = choose_new_password(client, reset_link(mail.outbox[0]), "short")
    assert response.status_code == 200
    assert page_title(response).startswith("Error: ")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_reset_for_an_unknown_address_looks_the_same_and_tells_that_address(client, db):
    """Nobody can learn which addresses have accounts: same page, and the email says there is none."""
    response = ask_for_reset(client, "nobody@example.org")
    assert response["Location"] == "/accounts/password/reset/done/"
    [message] = mail.outbox
    assert message.to == ["nobody@example.org"]
    assert message.subject == f"{SERVICE}: Password reset requested"
    assert "There is no account with this address" in message.body
