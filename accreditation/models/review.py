"""The officer's review of an application, criterion by criterion (PRODUCT.md section 3; issue 4)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from portal.validators import no_markup

REVIEW_NOTE_MAX_LENGTH = 2000


class ReviewOutcome(models.TextChoices):
    VERIFIED = "verified", "Verified"
    QUERY = "query", "Query"


class CriterionReview(models.Model):
    """An officer's outcome for one criterion in one submission round: verified, or a query for the employer.

    One per criterion per round: marking it again in the same round replaces the outcome (the audit
    record keeps every marking). Earlier rounds' reviews stay as history.
    """

    application = models.ForeignKey("accreditation.Application", on_delete=models.CASCADE, related_name="reviews")
    criterion = models.ForeignKey("charter.Criterion", on_delete=models.PROTECT, related_name="+")
    submission_round = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=10, choices=ReviewOutcome.choices)
    # Plain text for the employer (shown escaped everywhere); required with a query.
    note = models.TextField(blank=True, max_length=REVIEW_NOTE_MAX_LENGTH, validators=[no_markup])
    reviewed_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["application", "submission_round", "criterion__commitment__order", "criterion__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion", "submission_round"], name="one_review_per_criterion_per_round"
            ),
            models.CheckConstraint(condition=Q(outcome__in=ReviewOutcome.values), name="review_outcome_known"),
            models.CheckConstraint(condition=~Q(outcome="query") | ~Q(note=""), name="review_query_has_note"),
        ]

    def __str__(self):
        return f"{self.criterion.code} round {self.submission_round}: {self.get_outcome_display()}"

    @property
    def is_query(self) -> bool:
        return self.outcome == ReviewOutcome.QUERY
