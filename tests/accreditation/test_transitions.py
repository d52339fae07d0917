"""accreditation.services.transitions: the one helper every change of status goes through."""

import pytest

from accreditation.exceptions import InvalidTransition
from accreditation.models import APPLICATION_TRANSITIONS, ApplicationStatus
from accreditation.services.transitions import Stamp, application_transition, transition_refusal
from audit.models import AuditEvent
from tests.accreditation.helpers import force_status


@pytest.mark.parametrize("start", list(ApplicationStatus))
@pytest.mark.parametrize("target", list(ApplicationStatus))
def test_only_moves_in_the_table_are_made(application, owner, start, target):
    """Every pair of statuses: the move happens (audited, from and to) exactly when the table lists it."""
    force_status(application, start)
    if target in APPLICATION_TRANSITIONS[start]:
        moved = application_transition(
            actor=owner, application=application, to_status=target, action="test.move", note="n"
        )
        assert moved.status == target
        event = AuditEvent.objects.for_object(application).get(action="test.move")
        assert (event.from_state, event.to_state, event.note) == (start, target, "n")
    else:
        with pytest.raises(InvalidTransition) as refused:
            application_transition(actor=owner, application=application, to_status=target, action="test.move")
        assert (refused.value.from_status, refused.value.to_status) == (start, target)
        application.refresh_from_db()
        assert application.status == start
        assert not AuditEvent.objects.filter(action="test.move").exists()


def test_the_service_step_stamps_its_fields_and_note(application, owner):
    """prepare() sets the service's own fields, saved with the status, and gives the audit note."""

    def prepare(locked):
        locked.declaration_role = "Director"
        return Stamp(fields=["declaration_role"], note="stamped")

    application_transition(
        actor=owner, application=application, to_status=ApplicationStatus.WITHDRAWN, action="test.move", prepare=prepare
    )
    application.refresh_from_db()
    assert (application.status, application.declaration_role) == ("withdrawn", "Director")
    assert AuditEvent.objects.get(action="test.move").note == "stamped"


def test_a_refusal_in_the_service_step_writes_nothing(application, owner):
    """If prepare() raises, the status, the fields and the audit record are untouched."""

    def prepare(locked):
        locked.declaration_role = "Director"
        raise ValueError("refused")

    with pytest.raises(ValueError):
        application_transition(
            actor=owner,
            application=application,
            to_status=ApplicationStatus.WITHDRAWN,
            action="test.move",
            prepare=prepare,
        )
    application.refresh_from_db()
    assert (application.status, application.declaration_role) == ("draft", "")
    assert not AuditEvent.objects.filter(action="test.move").exists()


@pytest.mark.parametrize(
    ("start", "target", "message"),
    [
        ("withdrawn", "submitted", "This application has been withdrawn, so it cannot be submitted."),
        ("approved", "withdrawn", "This application has been approved, so it cannot be withdrawn."),
        ("submitted", "submitted", "This application has already been submitted."),
        ("draft", "approved", "This application is still a draft, so it cannot be approved."),
    ],
)
def test_refusals_are_in_plain_words(application, start, target, message):
    """The refusal says what state the application is in and what cannot happen."""
    force_status(application, start)
    assert str(transition_refusal(application, target)) == message
