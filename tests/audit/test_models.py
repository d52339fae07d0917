"""audit.models: the audit record is append-only, in the application and, on PostgreSQL, in the database."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from audit.models import AuditEvent, AuditRecordImmutable
from audit.services import audit_record
from employers.models import Organisation
from tests.factories import OfficerFactory, OrganisationFactory


@pytest.fixture
def event(db):
    return audit_record(
        actor=OfficerFactory(), action="criterion_verify", obj=OrganisationFactory(), to_state="verified"
    )


def unchanged(event) -> bool:
    stored = AuditEvent.objects.get(pk=event.pk)
    return (stored.action, stored.to_state, stored.note) == ("criterion_verify", "verified", "")


def test_saving_a_changed_event_is_refused(event):
    """An event, once written, cannot be saved again with changes."""
    event.note = "changed afterwards"
    with pytest.raises(AuditRecordImmutable):
        event.save()
    assert unchanged(event)


def test_deleting_an_event_is_refused(event):
    """An event cannot be deleted through the model."""
    with pytest.raises(AuditRecordImmutable):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_is_refused(event):
    """Bulk update through the queryset (or the manager) is refused."""
    with pytest.raises(AuditRecordImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(note="changed")
    with pytest.raises(AuditRecordImmutable):
        AuditEvent.objects.update(note="changed")
    assert unchanged(event)


def test_queryset_delete_is_refused(event):
    """Bulk delete through the queryset (or the manager) is refused."""
    with pytest.raises(AuditRecordImmutable):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditRecordImmutable):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_bulk_update_is_refused(event):
    """bulk_update goes through the queryset's update, so it is refused too."""
    event.note = "changed"
    with pytest.raises(AuditRecordImmutable), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["note"])
    assert unchanged(event)


def test_an_actor_with_events_cannot_be_deleted(event):
    """Deleting the person who acted would orphan the record, so it is refused."""
    with pytest.raises(ProtectedError), transaction.atomic():
        event.actor.delete()
    assert unchanged(event)


def test_new_events_can_still_be_written(event):
    """Append-only still appends: a second event about the same object is stored beside the first."""
    organisation = Organisation.objects.get(pk=event.object_id)
    second = audit_record(actor=None, action="criterion_query", obj=organisation, note="Which payroll period?")
    assert list(AuditEvent.objects.for_object(organisation)) == [event, second]
    assert unchanged(event)


def require_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "the database trigger exists on PostgreSQL only; run with "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/charter (as .ci/run does)"
        )


@pytest.mark.postgres
def test_raw_sql_update_is_refused_by_the_database(event):
    """On PostgreSQL, a trigger refuses UPDATE even from raw SQL that bypasses the application."""
    require_postgresql()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET note = 'changed' WHERE id = %s", [event.pk])
    assert unchanged(event)


@pytest.mark.postgres
def test_raw_sql_delete_is_refused_by_the_database(event):
    """On PostgreSQL, a trigger refuses DELETE even from raw SQL that bypasses the application."""
    require_postgresql()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
def test_raw_sql_insert_is_still_allowed(event):
    """The trigger refuses changes, not new rows."""
    require_postgresql()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (created_at, actor_label, action, content_type_id, object_id, "
            "object_repr, from_state, to_state, note) SELECT now(), 'System', 'import', content_type_id, "
            "object_id, object_repr, '', '', '' FROM audit_auditevent WHERE id = %s",
            [event.pk],
        )
    assert AuditEvent.objects.count() == 2
