"""The charter's editions, their commitments, criteria and levels. Loaded from a file, never edited.

An edition is immutable once loaded (`charter.services.edition_load` is the only writer, and the admin
is read-only): applications keep the edition they started on forever, so its words must not move.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .content import LevelRule


class Edition(models.Model):
    """One published version of the charter."""

    code = models.CharField("edition", max_length=20, unique=True)
    name = models.CharField(max_length=200)
    council = models.CharField(max_length=200)
    summary = models.TextField()
    declaration = models.TextField(help_text="What an employer user signs when submitting an application.")
    published = models.DateField(help_text="The edition becomes the current one on this date.")
    content_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the file's canonical content: a changed file has another."
    )
    source_name = models.CharField(max_length=255, blank=True, help_text="The file it was loaded from.")
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published", "-loaded_at"]
        constraints = [
            models.CheckConstraint(condition=Q(content_hash__regex=r"^[0-9a-f]{64}$"), name="edition_hash_is_sha256"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Commitment(models.Model):
    """A promise the charter asks of employers; met when all its applicable criteria are."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="commitments")
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    mandatory = models.BooleanField(help_text="Every mandatory commitment must be met for any level.")
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["edition", "order"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="commitment_code_unique_in_edition"),
            models.UniqueConstraint(fields=["edition", "order"], name="commitment_order_unique_in_edition"),
        ]

    def __str__(self):
        return self.title

    @property
    def number(self) -> int:
        """Its number as people read it (1 for the first)."""
        return self.order + 1


class CriterionQuerySet(models.QuerySet):
    def applicable_to(self, employees: int):
        """Criteria asked of an organisation of `employees` people (no `min_employees` above it)."""
        return self.filter(Q(min_employees__isnull=True) | Q(min_employees__lte=employees))


class Criterion(models.Model):
    """One thing an employer answers Yes, Not yet or No to."""

    # The edition too (not only through the commitment), so that codes are unique in an edition and
    # answers can be looked up by edition and code.
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="criteria")
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(max_length=81)
    text = models.TextField()
    guidance = models.TextField(blank=True)
    evidence = models.JSONField(
        default=list, blank=True, help_text="Descriptions of the evidence asked for with a Yes; empty for none."
    )
    allows_not_yet = models.BooleanField(help_text="Whether 'Not yet', with an action plan and date, is accepted.")
    min_employees = models.PositiveIntegerField(
        null=True, blank=True, help_text="Asked only of organisations with at least this many employees."
    )
    order = models.PositiveSmallIntegerField(help_text="Its place within its commitment.")

    objects = CriterionQuerySet.as_manager()

    class Meta:
        ordering = ["commitment__order", "order"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="criterion_code_unique_in_edition"),
            models.UniqueConstraint(fields=["commitment", "order"], name="criterion_order_unique_in_commitment"),
            models.CheckConstraint(
                condition=Q(min_employees__isnull=True) | Q(min_employees__gte=1), name="criterion_min_employees_gte_1"
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def requires_evidence(self) -> bool:
        return bool(self.evidence)

    def applies_to(self, employees: int) -> bool:
        """Whether an organisation of `employees` people is asked this criterion."""
        return self.min_employees is None or employees >= self.min_employees


class Level(models.Model):
    """A level of accreditation and the rule that reaches it; `rank` 0 is the highest."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="levels")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=100)
    rule = models.CharField(max_length=20, choices=LevelRule.choices)
    min_optional = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For 'mandatory_plus': how many optional commitments must be met."
    )
    rank = models.PositiveSmallIntegerField(help_text="0 for the highest level; levels are tried in this order.")

    class Meta:
        ordering = ["edition", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="level_code_unique_in_edition"),
            models.UniqueConstraint(fields=["edition", "rank"], name="level_rank_unique_in_edition"),
            models.CheckConstraint(condition=Q(rule__in=LevelRule.values), name="level_rule_known"),
            models.CheckConstraint(
                # isnull=False too: in SQL a NULL >= 1 is unknown, and a CHECK passes on unknown.
                condition=(Q(rule=LevelRule.MANDATORY_PLUS) & Q(min_optional__isnull=False) & Q(min_optional__gte=1))
                | (~Q(rule=LevelRule.MANDATORY_PLUS) & Q(min_optional__isnull=True)),
                name="level_min_optional_only_for_mandatory_plus",
            ),
        ]

    def __str__(self):
        return self.name
