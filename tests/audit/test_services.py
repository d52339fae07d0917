"""audit.services.audit_record: every service writes its audit row through it."""

from unittest import mock

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType

from audit.models import AuditEvent
from audit.services import audit_record
from employers.models import Organisation
from tests.factories import OfficerFactory, OrganisationFactory


def test_audit_record_writes_who_did_what_to_which_object(db):
    """The row holds the actor, their label, the action, the object, from/to states, the note and the time."""
    officer = OfficerFactory(email="officer.one@norwich.gov.uk")
    organisation = OrganisationFactory(legal_name="Colman's Mustard Ltd")

    event = audit_record(
        actor=officer,
        action="application_approve",
        obj=organisation,
        from_state="in_review",
        to_state="approved",
        note="Evidence checked against the payroll summary.",
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == officer
    assert stored.actor_label == "officer.one@norwich.gov.uk"
    assert stored.action == "application_approve"
    assert stored.content_type == ContentType.objects.get_for_model(organisation)
    assert stored.object_id == str(organisation.pk)
    assert stored.object_repr == str(organisation)
    assert (stored.from_state, stored.to_state) == ("in_review", "approved")
    assert stored.note == "Evidence checked against the payroll summary."
    assert stored.created_at is not None


def test_audit_record_without_an_actor_is_the_system(db):
    """None (a scheduled job, a webhook) is recorded as "System"; so is an anonymous request."""
    organisation = OrganisationFactory()
    by_job = audit_record(actor=None, action="accreditation_expire", obj=organisation)
    by_anonymous = audit_record(actor=AnonymousUser(), action="concern_raise", obj=organisation)
    for event in (by_job, by_anonymous):
        assert event.actor is None
        assert event.actor_label == "System"
        assert (event.from_state, event.to_state, event.note) == ("", "", "")
    assert str(by_job).endswith(f"System: accreditation_expire {organisation}")


def test_audit_record_truncates_a_long_object_description(db):
    """An object whose text is longer than the column still gets its row, with the text cut at 300."""
    organisation = OrganisationFactory()
    with mock.patch.object(Organisation, "__str__", return_value="A" * 400):
        event = audit_record(actor=None, action="organisation_update", obj=organisation)
    assert AuditEvent.objects.get(pk=event.pk).object_repr == "A" * 300


def test_events_for_one_object_oldest_first(db):
    """for_object() gives one object's events in the order they happened, and no one else's."""
    organisation, other = OrganisationFactory(), OrganisationFactory()
    first = audit_record(actor=None, action="one", obj=organisation)
    audit_record(actor=None, action="elsewhere", obj=other)
    second = audit_record(actor=None, action="two", obj=organisation)
    assert list(AuditEvent.objects.for_object(organisation)) == [first, second]
