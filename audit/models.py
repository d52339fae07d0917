"""One append-only record of who did what to which object, when (PRODUCT.md section 9)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AuditRecordImmutable(Exception):
    """Raised when anything tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditRecordImmutable("Audit events cannot be changed.")

    def delete(self):
        raise AuditRecordImmutable("Audit events cannot be deleted.")

    def for_object(self, obj):
        """Events about one object, oldest first."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False), object_id=str(obj.pk)
        ).order_by("created_at", "pk")


class AuditEvent(models.Model):
    """Something that happened: an action by an actor (or the system) on one object."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Kept as text too, so the record reads on its own (an account that acted cannot be deleted).
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label or 'System'}: {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        # Append-only: a row, once written, is never rewritten.
        if self.pk is not None and not self._state.adding:
            raise AuditRecordImmutable("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditRecordImmutable("Audit events cannot be deleted.")
