"""Accreditations: what an approved application gives an organisation (PRODUCT.md section 3)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class AccreditationStatus(models.TextChoices):
    AWAITING_FEE = "awaiting_fee", "Awaiting fee"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"

    @property
    def officer_label(self) -> str:
        return ACCREDITATION_STATUS_LABELS[self][0]

    @property
    def employer_label(self) -> str:
        return ACCREDITATION_STATUS_LABELS[self][1]


# Each status has two labels, kept here only: (officer's label, employer's and public label).
ACCREDITATION_STATUS_LABELS = {
    AccreditationStatus.AWAITING_FEE: ("Approved, awaiting fee", "Approved: pay the fee to become accredited"),
    AccreditationStatus.ACTIVE: ("Active", "Accredited"),
    AccreditationStatus.SUSPENDED: ("Suspended", "Under review"),
    AccreditationStatus.REVOKED: ("Revoked", "Revoked"),
    AccreditationStatus.EXPIRED: ("Expired", "Expired"),
}

# The allowed moves (the fee, suspension, revocation and expiry services of later issues use it).
ACCREDITATION_TRANSITIONS = {
    AccreditationStatus.AWAITING_FEE: {AccreditationStatus.ACTIVE},
    AccreditationStatus.ACTIVE: {
        AccreditationStatus.SUSPENDED,
        AccreditationStatus.REVOKED,
        AccreditationStatus.EXPIRED,
    },
    AccreditationStatus.SUSPENDED: {AccreditationStatus.ACTIVE, AccreditationStatus.REVOKED},
    AccreditationStatus.REVOKED: set(),
    AccreditationStatus.EXPIRED: set(),
}


class Accreditation(models.Model):
    """An organisation's accreditation at a level, from one approved application.

    Created `awaiting_fee` at approval with its fee fixed; `accreditation_activate` makes it active when
    the fee is paid or waived, setting `valid_from`/`valid_until` (12 months).
    """

    organisation = models.ForeignKey("employers.Organisation", on_delete=models.PROTECT, related_name="accreditations")
    application = models.OneToOneField(
        "accreditation.Application", on_delete=models.PROTECT, related_name="accreditation"
    )
    level_code = models.CharField(max_length=40)
    # The level's name as it was awarded (kept, so a later edition's wording does not change it).
    level_name = models.CharField(max_length=100)
    status = models.CharField(
        max_length=20, choices=AccreditationStatus.choices, default=AccreditationStatus.AWAITING_FEE
    )
    approved_at = models.DateTimeField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The fee, fixed at approval from the fee band in force that day (integer pence; issue 5).
    fee_pence = models.PositiveIntegerField("fee (pence)", default=0)
    fee_band = models.ForeignKey(
        "accreditation.FeeBand", on_delete=models.PROTECT, null=True, blank=True, related_name="accreditations"
    )
    # The band in words as it was when the fee was fixed ("11 to 50 employees").
    fee_band_label = models.CharField(max_length=120, blank=True)
    # A waived fee activates the accreditation but can never be offset against business rates.
    fee_waived_at = models.DateTimeField(null=True, blank=True)
    fee_waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fee_waived_reason = models.TextField(blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-approved_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AccreditationStatus.values), name="accreditation_status_known"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="accreditation_valid_until_after_from",
            ),
        ]

    def __str__(self):
        return f"{self.organisation}: {self.level_name} ({self.get_status_display()})"

    @property
    def status_enum(self) -> AccreditationStatus:
        return AccreditationStatus(self.status)

    @property
    def officer_status_label(self) -> str:
        return self.status_enum.officer_label

    @property
    def employer_status_label(self) -> str:
        return self.status_enum.employer_label

    @property
    def fee_waived(self) -> bool:
        return self.fee_waived_at is not None

    def can_move_to(self, status: str) -> bool:
        """Whether the transition table allows a move from the present status to `status`."""
        return status in ACCREDITATION_TRANSITIONS[self.status_enum]
