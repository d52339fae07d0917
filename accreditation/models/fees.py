"""Fee bands: what an accreditation costs, as data with the date each schedule takes effect (PRODUCT.md section 4).

A schedule is the whole table of bands from one `effective_from` date; the fee for an accreditation is
fixed when it is approved, from the schedule in force that day, and stored in pence on the accreditation
(so a later schedule never changes a fee already due).
"""

from django.db import models
from django.db.models import F, Q


class FeeRate(models.TextChoices):
    """Which organisations a band applies to (the spec's 501+ band has two rates)."""

    ALL = "all", "Every organisation"
    PRIVATE = "private", "Private sector"
    PUBLIC_OR_CHARITY = "public_or_charity", "Public sector or charity"


class FeeSchedule(models.Model):
    """The fee bands in force from one date until the next schedule's date."""

    effective_from = models.DateField("in force from", unique=True)
    note = models.CharField(max_length=200, blank=True, help_text="Where these fees come from, for the record.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self):
        return f"Fees from {self.effective_from:%-d %B %Y}"


class FeeBand(models.Model):
    """One band of a schedule: organisations with `min_employees` to `max_employees` staff, at one rate."""

    schedule = models.ForeignKey(FeeSchedule, on_delete=models.CASCADE, related_name="bands")
    min_employees = models.PositiveIntegerField("from (employees)")
    # Empty: no upper limit ("501 or more").
    max_employees = models.PositiveIntegerField("to (employees)", null=True, blank=True)
    applies_to = models.CharField(max_length=20, choices=FeeRate.choices, default=FeeRate.ALL)
    amount_pence = models.PositiveIntegerField("fee (pence)")

    class Meta:
        ordering = ["schedule", "min_employees", "applies_to"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_employees__isnull=True) | Q(max_employees__gte=F("min_employees")),
                name="feeband_max_not_below_min",
            ),
            models.CheckConstraint(condition=Q(min_employees__gte=1), name="feeband_min_at_least_one"),
            models.CheckConstraint(condition=Q(applies_to__in=FeeRate.values), name="feeband_applies_to_known"),
        ]

    def __str__(self):
        return f"{self.label}: {self.amount_pence} pence"

    @property
    def label(self) -> str:
        """The band in words: "11 to 50 employees", "501 or more employees, private sector"."""
        if self.max_employees is None:
            size = f"{self.min_employees:,} or more employees"
        elif self.min_employees == self.max_employees:
            size = f"{self.min_employees:,} employee" + ("s" if self.min_employees != 1 else "")
        else:
            size = f"{self.min_employees:,} to {self.max_employees:,} employees"
        if self.applies_to == FeeRate.ALL:
            return size
        return f"{size}, {FeeRate(self.applies_to).label[0].lower()}{FeeRate(self.applies_to).label[1:]}"
