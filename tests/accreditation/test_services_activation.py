"""accreditation.services.activation: the one way an accreditation becomes active, and the transition helper."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accreditation.exceptions import InvalidTransition
from accreditation.models import Accreditation, AccreditationStatus
from accreditation.services.activation import (
    accreditation_activate,
    accreditation_transition,
    accreditation_valid_until,
)
from audit.models import AuditEvent
from tests.accreditation.fee_helpers import approved_accreditation
from tests.accreditation.review_helpers import BASE_URL, make_officer

pytestmark = pytest.mark.django_db(transaction=False)

ACTIVATION_DAY = datetime.datetime(2027, 1, 15, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def awaiting(charter_edition, organisation, owner, member):
    return approved_accreditation(organisation=organisation, actor=owner)


def _activate(accreditation, actor=None, how="Paid by card, receipt R-2027-00001."):
    return accreditation_activate(actor=actor, accreditation=accreditation, how=how, base_url=BASE_URL)


def test_activation_starts_twelve_months_from_today(awaiting, django_capture_on_commit_callbacks):
    """Active from today until the day before the same date next year, stamped with when and by whom."""
    officer = make_officer("Fiona Finance")
    with time_machine.travel(ACTIVATION_DAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        active = _activate(awaiting, actor=officer)
    active.refresh_from_db()
    assert active.status == AccreditationStatus.ACTIVE
    assert active.valid_from == datetime.date(2027, 1, 15)
    assert active.valid_until == datetime.date(2028, 1, 14)
    assert active.activated_by == officer
    assert active.activated_at == ACTIVATION_DAY


def test_activation_is_audited_with_how_the_fee_was_settled(awaiting):
    """The audit row says from, to, who (System for a webhook) and how the fee was settled, with the dates."""
    with time_machine.travel(ACTIVATION_DAY, tick=False):
        _activate(awaiting)
    event = AuditEvent.objects.filter(action="accreditation.activate").get()
    assert (event.from_state, event.to_state, event.actor_label) == ("awaiting_fee", "active", "System")
    assert event.note == "Paid by card, receipt R-2027-00001. Valid from 15 January 2027 until 14 January 2028."


def test_every_user_is_told_they_are_accredited_after_the_commit(awaiting, django_capture_on_commit_callbacks):
    """One email per person, after the commit, with the level, the dates and the link to their page."""
    mail.outbox.clear()
    with time_machine.travel(ACTIVATION_DAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        _activate(awaiting)
    assert sorted(m.to[0] for m in mail.outbox) == ["bea@goldencrust.example", "sam@goldencrust.example"]
    message = mail.outbox[0]
    assert message.subject == "Fine City Employers Charter: Golden Crust Bakery Ltd is now accredited"
    assert f"at the level {awaiting.level_name}" in message.body
    assert "Valid from: 15 January 2027" in message.body and "Valid until: 14 January 2028" in message.body
    assert "business rates" in message.body
    assert "http://testserver/employer/" in message.body


def test_a_rolled_back_activation_sends_nothing_and_changes_nothing(awaiting, django_capture_on_commit_callbacks):
    """When the caller's transaction fails after activating, the fee is still due and no email goes."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _activate(awaiting)
        raise RuntimeError("the payment could not be stored")
    awaiting.refresh_from_db()
    assert awaiting.status == AccreditationStatus.AWAITING_FEE
    assert awaiting.valid_from is None
    assert not AuditEvent.objects.filter(action="accreditation.activate").exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (AccreditationStatus.ACTIVE, "This accreditation is already active."),
        (AccreditationStatus.SUSPENDED, "This accreditation is suspended, so it cannot be activated by a fee."),
        (AccreditationStatus.REVOKED, "This accreditation has been revoked, so it cannot be activated."),
        (AccreditationStatus.EXPIRED, "This accreditation has expired, so it cannot be activated."),
    ],
)
def test_only_an_accreditation_awaiting_its_fee_can_be_activated(awaiting, status, message):
    """From any other status the activation is refused in plain words, and nothing changes."""
    Accreditation.objects.filter(pk=awaiting.pk).update(status=status)
    with pytest.raises(InvalidTransition) as refused:
        _activate(awaiting)
    assert str(refused.value) == message
    awaiting.refresh_from_db()
    assert awaiting.status == status and awaiting.valid_from is None
    assert not AuditEvent.objects.filter(action="accreditation.activate").exists()


def test_the_transition_helper_refuses_moves_the_table_does_not_list(awaiting):
    """awaiting_fee → revoked is not in ACCREDITATION_TRANSITIONS: refused, nothing written."""
    with pytest.raises(InvalidTransition) as refused:
        accreditation_transition(
            actor=None, accreditation=awaiting, to_status=AccreditationStatus.REVOKED, action="accreditation.revoke"
        )
    assert str(refused.value) == "This accreditation is waiting for its fee, so it cannot be revoked."
    assert Accreditation.objects.get(pk=awaiting.pk).status == AccreditationStatus.AWAITING_FEE


@pytest.mark.parametrize(
    ("start", "last_day"),
    [
        (datetime.date(2027, 1, 15), datetime.date(2028, 1, 14)),
        (datetime.date(2027, 3, 1), datetime.date(2028, 2, 29)),
        (datetime.date(2028, 2, 29), datetime.date(2029, 2, 27)),
        (datetime.date(2027, 12, 31), datetime.date(2028, 12, 30)),
    ],
)
def test_valid_until_is_the_last_day_of_twelve_months(start, last_day):
    """Twelve calendar months less a day, leap years included."""
    assert accreditation_valid_until(start) == last_day


def test_the_activation_time_is_the_councils_local_date(awaiting):
    """Just after midnight in the UK in summer (still the day before in UTC), the accreditation starts that UK day."""
    with time_machine.travel(datetime.datetime(2027, 6, 30, 23, 30, tzinfo=datetime.UTC), tick=False):
        active = _activate(awaiting)
    assert timezone.get_current_timezone_name() == "Europe/London"
    assert active.valid_from == datetime.date(2027, 7, 1)
