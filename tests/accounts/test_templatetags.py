"""Template helpers for the two-factor pages (accounts/templatetags/two_factor.py)."""

from django.contrib.auth.models import AnonymousUser

from accounts.templatetags.two_factor import has_two_factor, needs_two_factor, setup_key
from tests.conftest import give_totp
from tests.factories import OfficerFactory, UserFactory


def test_the_setup_key_is_shown_in_groups_of_four():
    """A 32-character TOTP secret reads as eight groups of four, as apps accept it."""
    assert setup_key("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP") == "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"
    assert setup_key("") == ""


def test_needs_two_factor_is_true_for_officers_and_staff_only(db):
    """Officers and staff must use two-factor; employer users and visitors need not."""
    assert needs_two_factor(OfficerFactory()) is True
    assert needs_two_factor(UserFactory(is_staff=True)) is True
    assert needs_two_factor(UserFactory()) is False
    assert needs_two_factor(AnonymousUser()) is False


def test_has_two_factor_follows_the_users_authenticators(db):
    """True once the user has an app (or key); False for visitors."""
    user = UserFactory()
    assert has_two_factor(user) is False
    give_totp(user)
    assert has_two_factor(user) is True
    assert has_two_factor(AnonymousUser()) is False
