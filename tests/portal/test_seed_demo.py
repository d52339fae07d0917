"""The demo data command: what `make run` loads."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.roles import has_two_factor, is_officer
from audit.models import AuditEvent
from employers.models import Membership, Organisation, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def test_seed_demo_creates_admin_officers_and_employers(debug_on):
    """An administrator, two officers with two-factor, and employers owning organisations exist."""
    call_command("seed_demo", stdout=None)
    admin = User.objects.get(email="admin@example.gov.uk")
    assert admin.is_superuser and admin.is_staff and has_two_factor(admin)
    officers = [u for u in User.objects.filter(email__endswith="@norwich.gov.uk") if is_officer(u)]
    assert len(officers) == 2
    assert all(has_two_factor(o) for o in officers)
    assert Organisation.objects.count() == 3
    assert Membership.objects.filter(role=Role.OWNER).count() == 3
    baker = User.objects.get(email="baker@example.com")
    assert baker.check_password("charter-demo-2026")
    assert baker.organisations.count() == 2, "one demo user belongs to two organisations, to show switching"
    assert AuditEvent.objects.filter(action="organisation.create").count() == 3


def test_seed_demo_is_idempotent(debug_on):
    """Running it twice leaves the same accounts, organisations and authenticators."""
    call_command("seed_demo")
    counts = (User.objects.count(), Organisation.objects.count(), Authenticator.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Organisation.objects.count(), Authenticator.objects.count()) == counts


def test_seed_demo_refuses_without_debug(settings):
    """Demo accounts share a published password, so the command refuses when DEBUG is off."""
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_demo_totp_prints_a_code_the_officers_authenticator_accepts(debug_on, capsys):
    """`demo_totp` prints the code an officer types at login in the demo."""
    call_command("seed_demo")
    call_command("demo_totp")
    code = capsys.readouterr().out.strip().splitlines()[-1]
    officer = User.objects.get(email="officer1@norwich.gov.uk")
    authenticator = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP)
    assert TOTP(authenticator).validate_code(code)
