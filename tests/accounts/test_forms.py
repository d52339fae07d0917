"""Bad input on the accounts forms (accounts/forms.py): a clear message on the page, and nothing saved."""

import html

import pytest
from django.core import mail

from accounts.forms import (
    EMAIL_INVALID,
    EMAIL_REQUIRED,
    EMAIL_TOO_LONG,
    PASSWORDS_DIFFER,
    LoginForm,
    SignupForm,
)
from accounts.models import User
from tests.factories import PASSWORD, UserFactory

from .journeys import page_title, sign_in

GOOD_EMAIL = "new.person@example.org"
SCRIPT = "<script>alert(1)</script>"
# Django's password validators word these two.
TOO_SHORT = "This password is too short. It must contain at least 10 characters."
NUMERIC = "This password is entirely numeric."


def assert_error_on_page(response, field_id, message):
    """GOV.UK errors: 'Error: ' in the title, the summary linking to the field, the message by the field."""
    page = response.content.decode()
    assert response.status_code == 200
    assert page_title(response).startswith("Error: ")
    assert 'class="govuk-error-summary"' in page
    assert f'<a href="#{field_id}">{html.escape(message)}</a>' in page
    assert f'id="{field_id}-error"' in page
    assert f'aria-describedby="{field_id}-error"' in page or f'{field_id}-hint {field_id}-error"' in page


@pytest.mark.parametrize(
    ("data", "field_id", "message"),
    [
        ({"email": ""}, "id_email", EMAIL_REQUIRED),
        ({"email": "not-an-email"}, "id_email", EMAIL_INVALID),
        ({"email": "a" * 9_988 + "@example.org"}, "id_email", EMAIL_TOO_LONG),
        ({"email": f"{SCRIPT}@example.org"}, "id_email", EMAIL_INVALID),
        ({"password1": "", "password2": ""}, "id_password1", "Create a password"),
        ({"password1": "Sh0rt!", "password2": "Sh0rt!"}, "id_password1", TOO_SHORT),
        ({"password1": "qwertyuiop", "password2": "qwertyuiop"}, "id_password1", "This password is too common."),
        ({"password1": "4815162342108", "password2": "4815162342108"}, "id_password1", NUMERIC),
        ({"password2": "a-different-long-passphrase"}, "id_password2", PASSWORDS_DIFFER),
    ],
    ids=[
        "missing-email",
        "bad-email",
        "10000-character-email",
        "script-in-email",
        "missing-password",
        "short-password",
        "common-password",
        "numeric-password",
        "mismatched-passwords",
    ],
)
def test_sign_up_with_bad_input_says_what_to_fix_and_creates_nobody(client, db, data, field_id, message):
    """Each kind of bad sign-up gets its GOV.UK error, linked from the summary; no user, no email."""
    posted = {"email": GOOD_EMAIL, "password1": PASSWORD, "password2": PASSWORD, **data}
    response = client.post("/accounts/signup/", posted)
    assert_error_on_page(response, field_id, message)
    assert not User.objects.exists()
    assert mail.outbox == []
    assert SCRIPT not in response.content.decode(), "what was typed is shown escaped, never as markup"


def test_a_10000_character_email_gets_one_message_not_two(client, db):
    """A huge address is refused for its length only, so the person sees one clear reason."""
    response = client.post("/accounts/signup/", {"email": "a" * 10_000, "password1": PASSWORD, "password2": PASSWORD})
    page = response.content.decode()
    assert page.count(EMAIL_TOO_LONG) == 2  # once in the summary, once by the field
    assert EMAIL_INVALID not in page


def test_sign_in_with_a_wrong_password_says_so_and_signs_nobody_in(client, db):
    """A wrong password gets one clear message and no session."""
    user = UserFactory()
    response = sign_in(client, user.email, "not-the-password")
    assert response.status_code == 200
    assert page_title(response).startswith("Error: ")
    assert "The email address or password is not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("login", "field_message"),
    [("", EMAIL_REQUIRED), ("a" * 10_000, EMAIL_TOO_LONG), (f"{SCRIPT}@example.org", EMAIL_INVALID)],
    ids=["missing", "10000-characters", "script"],
)
def test_sign_in_with_a_bad_email_says_what_to_fix(client, db, login, field_message):
    """Bad addresses on the sign-in form get the same clear messages as on sign-up."""
    response = client.post("/accounts/login/", {"login": login, "password": "whatever"})
    assert_error_on_page(response, "id_login", field_message)
    assert SCRIPT not in response.content.decode()


@pytest.mark.parametrize(
    ("email", "message"),
    [("", EMAIL_REQUIRED), ("nope", EMAIL_INVALID), ("b" * 10_000, EMAIL_TOO_LONG)],
    ids=["missing", "bad", "10000-characters"],
)
def test_password_reset_with_a_bad_email_says_what_to_fix_and_sends_nothing(client, db, email, message):
    """The reset form refuses bad addresses with a GOV.UK error and sends no email."""
    response = client.post("/accounts/password/reset/", {"email": email})
    assert_error_on_page(response, "id_email", message)
    assert mail.outbox == []


def test_changing_password_with_the_wrong_current_password_changes_nothing(client, db):
    """The change-password form says the current password is wrong and keeps the old one."""
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "wrong", "password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"},
    )
    assert_error_on_page(response, "id_oldpassword", "The current password is not correct")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_adding_a_bad_email_address_adds_nothing(client, db):
    """The add-email form refuses markup and nonsense and adds no address."""
    user = UserFactory()
    client.force_login(user)
    response = client.post("/accounts/email/", {"action_add": "", "email": f"{SCRIPT}@example.org"})
    assert_error_on_page(response, "id_email", EMAIL_INVALID)
    assert user.emailaddress_set.count() == 1


def test_forms_use_labels_and_hints_not_placeholders(db):
    """GOV.UK forms label every field and never rely on placeholder text."""
    for form in (LoginForm(), SignupForm()):
        for name, field in form.fields.items():
            assert field.label, f"{name} has a label"
            assert "placeholder" not in field.widget.attrs, f"{name} has no placeholder"
    assert SignupForm().fields["email"].label == "Email address"
    assert SignupForm().fields["password1"].help_text.startswith("Use at least 10 characters")
