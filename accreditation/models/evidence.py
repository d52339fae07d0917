"""Evidence files attached to the criterion they support."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from portal.storage import private_storage


def evidence_path(instance, filename):
    # The stored name is not the person's file name: it is random, under the application's folder.
    return f"evidence/{instance.application_id}/{instance.stored_key}"


class Evidence(models.Model):
    """One file. Removable only while its application is a draft; after submission kept for good."""

    application = models.ForeignKey("accreditation.Application", on_delete=models.CASCADE, related_name="evidence")
    criterion = models.ForeignKey("charter.Criterion", on_delete=models.PROTECT, related_name="evidence_files")
    file = models.FileField(upload_to=evidence_path, storage=private_storage, max_length=300)
    stored_key = models.CharField(max_length=64, unique=True, editable=False)
    original_name = models.CharField("file name", max_length=200)
    description = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    scanner = models.CharField(max_length=40, help_text="Which virus scanner passed the file.")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Which submission round it was added in (0 while the first draft is written).
    submission_round = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["criterion__commitment__order", "criterion__order", "uploaded_at"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="evidence_is_not_empty"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="evidence_hash_is_sha256"),
        ]

    def __str__(self):
        return self.original_name
