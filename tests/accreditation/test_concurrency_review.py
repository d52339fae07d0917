"""Races between officers on one case, on PostgreSQL: two takes at once, two approvals at once (issue 4)."""

import pytest

from accreditation import services
from accreditation.models import Accreditation, ApplicationStatus
from audit.models import AuditEvent
from tests.accreditation.helpers import submitted_application
from tests.accreditation.review_helpers import make_officer, recommend, take
from tests.accreditation.test_concurrency import race
from tests.concurrency import POSTGRES_ONLY

pytestmark = POSTGRES_ONLY


@pytest.fixture
def submitted(charter_edition, organisation, owner):
    return submitted_application(organisation=organisation, actor=owner)


def test_two_officers_taking_one_case_at_once_one_wins(submitted):
    """Exactly one take succeeds; the other is told the case is taken (by whom), and one audit row is written."""
    olive, oscar = make_officer("Olive Officer"), make_officer("Oscar Second")
    results = race(
        lambda: services.application_take(actor=olive, application=submitted),
        lambda: services.application_take(actor=oscar, application=submitted),
    )
    assert results == ["AlreadyTaken", "ok"]
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.IN_REVIEW
    assert submitted.assigned_to in (olive, oscar)
    assert AuditEvent.objects.for_object(submitted).filter(action="application.take").count() == 1


def test_two_approvals_at_once_make_one_accreditation(submitted):
    """Two officers approve the same recommended case at once: one accreditation, the other refused."""
    olive, oscar, lena = make_officer("Olive Officer"), make_officer("Oscar Second"), make_officer("Lena Lead")
    take(submitted, olive)
    recommend(submitted, olive)
    results = race(
        lambda: services.application_approve(actor=oscar, application=submitted),
        lambda: services.application_approve(actor=lena, application=submitted),
    )
    assert results == ["InvalidTransition", "ok"]
    assert Accreditation.objects.filter(application=submitted).count() == 1
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.APPROVED


def test_an_approval_racing_a_rejection_leaves_one_decision(submitted):
    olive, oscar, lena = make_officer("Olive Officer"), make_officer("Oscar Second"), make_officer("Lena Lead")
    take(submitted, olive)
    recommend(submitted, olive)
    results = race(
        lambda: services.application_approve(actor=oscar, application=submitted),
        lambda: services.application_reject(actor=lena, application=submitted, reason="Not enough evidence."),
    )
    assert results == ["InvalidTransition", "ok"]
    submitted.refresh_from_db()
    assert submitted.status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
    assert Accreditation.objects.count() == (1 if submitted.status == ApplicationStatus.APPROVED else 0)
