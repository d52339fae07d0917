"""Writing to the audit record. Every service that changes something calls `audit_record`."""

from django.contrib.contenttypes.models import ContentType

from .models import AuditEvent


def audit_record(*, actor, action: str, obj, from_state: str = "", to_state: str = "", note: str = "") -> AuditEvent:
    """Append one event: `actor` did `action` to `obj` (None as actor means the system)."""
    actor_user = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=actor_user,
        actor_label=(actor_user.email if actor_user else "System"),
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        from_state=from_state or "",
        to_state=to_state or "",
        note=note or "",
    )
