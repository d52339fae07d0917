"""The demo data command: what `make run` loads."""

import io

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import has_two_factor, is_officer
from accreditation.models import (
    Accreditation,
    AccreditationStatus,
    Answer,
    Application,
    ApplicationStatus,
    CriterionReview,
    Evidence,
)
from accreditation.selectors import queries_for
from audit.models import AuditEvent
from employers.models import Membership, Organisation, Role
from portal.management.commands.seed_demo import IN_REVIEW_QUERY, QUERY

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
    assert Organisation.objects.count() == 7
    assert Membership.objects.filter(role=Role.OWNER).count() == 7
    baker = User.objects.get(email="baker@example.com")
    assert baker.check_password("charter-demo-2026")
    assert baker.organisations.count() == 2, "one demo user belongs to two organisations, to show switching"
    assert AuditEvent.objects.filter(action="organisation.create").count() == 7


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


# --- applications at every stage (PRODUCT.md section 10) ---------------------------------------------


def application_of(legal_name: str) -> Application:
    return Application.objects.select_related("assigned_to", "recommended_by", "decided_by").get(
        organisation__legal_name=legal_name
    )


def test_seed_demo_puts_an_employer_at_every_stage(debug_on, charter_edition):
    """Draft, waiting, in review with a query, changes requested, recommended, awaiting its fee, accredited."""
    call_command("seed_demo", stdout=io.StringIO())
    stages = dict(Application.objects.values_list("organisation__legal_name", "status"))
    assert stages == {
        "Elm Hill Books Ltd": ApplicationStatus.DRAFT,
        "Norfolk Community Care": ApplicationStatus.SUBMITTED,
        "Colegate Coffee Roasters Ltd": ApplicationStatus.IN_REVIEW,
        "Bread and Co Bakery Ltd": ApplicationStatus.CHANGES_REQUESTED,
        "Wensum Web Studio Ltd": ApplicationStatus.RECOMMENDED,
        "Riverside Engineering Limited": ApplicationStatus.APPROVED,
        "St Giles Dental Practice Ltd": ApplicationStatus.APPROVED,
    }
    olivia = User.objects.get(email="officer1@norwich.gov.uk")
    omar = User.objects.get(email="officer2@norwich.gov.uk")

    draft = application_of("Elm Hill Books Ltd")
    assert set(draft.answers.values_list("criterion__commitment__code", flat=True)) == {"pay"}
    assert application_of("Norfolk Community Care").assigned_to is None

    in_review = application_of("Colegate Coffee Roasters Ltd")
    assert in_review.assigned_to == olivia
    assert list(in_review.reviews.filter(outcome="query").values_list("criterion__code", "note")) == [
        ("hours.no_zero_hours", IN_REVIEW_QUERY)
    ]
    assert queries_for(in_review) == {"hours.no_zero_hours": IN_REVIEW_QUERY}, "not sent to the employer yet"

    sent_back = application_of("Bread and Co Bakery Ltd")
    assert queries_for(sent_back) == {"pay.direct": QUERY}
    assert sent_back.assigned_to == olivia and sent_back.changes_requested_note

    recommended = application_of("Wensum Web Studio Ltd")
    assert (recommended.recommended_by, recommended.recommended_level_code) == (olivia, "champion")

    approved = application_of("Riverside Engineering Limited")
    assert (approved.recommended_by, approved.decided_by) == (olivia, omar), "four eyes"
    accreditation = Accreditation.objects.get(application=approved)
    assert accreditation.status == AccreditationStatus.AWAITING_FEE
    assert accreditation.level_code == "accredited"
    assert accreditation.fee_pence == 550_00, "251 to 500 employees"

    accredited = Accreditation.objects.get(organisation__legal_name="St Giles Dental Practice Ltd")
    assert accredited.status == AccreditationStatus.ACTIVE and accredited.fee_pence == 137_00
    [payment] = accredited.payments.all()
    assert (payment.method, payment.status, payment.reference) == ("offline", "paid", "BACS ST GILES DENTAL")

    # Every step went through the services: each change of state is in the audit record.
    for action, count in {
        "application.start": 7,
        "application.submit": 6,
        "application.take": 5,
        "application.request_changes": 1,
        "application.recommend": 3,
        "application.approve": 2,
        "payment.record_offline": 1,
        "accreditation.activate": 1,
    }.items():
        assert AuditEvent.objects.filter(action=action).count() == count, action
    assert Evidence.objects.exists() and all(e.file.storage.exists(e.file.name) for e in Evidence.objects.all())


def test_the_demo_employer_sees_the_query_beside_the_criterion(debug_on, charter_edition):
    """Bea Baker signs in to Bread & Co's application, which needs changes, and reads the officer's query."""
    call_command("seed_demo", stdout=io.StringIO())
    client = Client()
    client.force_login(User.objects.get(email="baker@example.com"))
    application = application_of("Bread and Co Bakery Ltd")
    session = client.session
    session["organisation_id"] = application.organisation_id
    session.save()
    html = client.get(reverse("applications:task_list", kwargs={"pk": application.pk})).content.decode()
    assert "Needs changes" in html
    assert "The payroll summary shows rates but not hours." in html


@pytest.mark.django_db(transaction=True)
def test_seed_demo_sends_no_email(debug_on, charter_edition):
    """The demo's made-up history sends nobody an email (each service commits, so its emails would go at once)."""
    call_command("seed_demo", stdout=io.StringIO())
    assert Application.objects.count() == 7
    assert mail.outbox == []


def test_seed_demo_with_applications_is_idempotent(debug_on, charter_edition):
    """A second run adds no application, answer, file, review or audit row."""
    call_command("seed_demo", stdout=io.StringIO())

    def counts():
        return [
            model.objects.count()
            for model in (Application, Answer, Evidence, CriterionReview, Accreditation, AuditEvent, Organisation)
        ]

    before = counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == before


def test_seed_demo_without_a_charter_makes_no_applications(debug_on):
    """Before the charter is loaded, people and organisations are made, and the command says why no applications."""
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert Organisation.objects.count() == 7
    assert not Application.objects.exists()
    assert "No charter is loaded" in out.getvalue()
