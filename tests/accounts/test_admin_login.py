"""Django's admin signs people in through allauth only (config/urls.py: secure_admin_login)."""

from tests.conftest import give_totp
from tests.factories import PASSWORD, UserFactory

from .journeys import SETUP_URL, sign_in, totp_code


def test_the_admin_login_page_sends_people_to_the_portals_sign_in(client, db):
    """Django's own admin login form is never shown: /admin/login/ redirects to /accounts/login/."""
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_posting_a_staff_password_to_the_admin_login_signs_nobody_in(client, db):
    """A staff password posted to /admin/login/ (skipping two-factor) starts no session."""
    staff = UserFactory(is_staff=True, is_superuser=True)
    give_totp(staff)
    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_staff_reach_the_admin_only_after_their_code(client, db):
    """A superuser signs in with password and code through allauth, then the admin opens."""
    staff = UserFactory(is_staff=True, is_superuser=True)
    secret = give_totp(staff)
    assert sign_in(client, staff.email)["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert client.get("/admin/").status_code == 200


def test_staff_without_two_factor_are_sent_to_set_it_up_from_the_admin(client, db):
    """A staff account with only a password cannot use the admin until it has two-factor."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/")["Location"] == SETUP_URL


def test_signed_in_people_who_are_not_staff_are_refused_the_admin_login(employer_client):
    """An employer user who finds /admin/login/ gets 403, not a login form."""
    assert employer_client.get("/admin/login/").status_code == 403
