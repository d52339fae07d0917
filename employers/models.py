"""Organisations, the people in them, and invitations to join them."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class OrganisationType(models.TextChoices):
    COMPANY = "company", "Company"
    CHARITY = "charity", "Charity"
    PUBLIC_BODY = "public_body", "Public body"
    OTHER = "other", "Other"


class Sector(models.TextChoices):
    """UK SIC 2007 sections."""

    A = "A", "Agriculture, forestry and fishing"
    B = "B", "Mining and quarrying"
    C = "C", "Manufacturing"
    D = "D", "Electricity, gas, steam and air conditioning supply"
    E = "E", "Water supply; sewerage, waste management and remediation activities"
    F = "F", "Construction"
    G = "G", "Wholesale and retail trade; repair of motor vehicles and motorcycles"
    H = "H", "Transportation and storage"
    I = "I", "Accommodation and food service activities"  # noqa: E741 (the SIC section's own letter)
    J = "J", "Information and communication"
    K = "K", "Financial and insurance activities"
    L = "L", "Real estate activities"
    M = "M", "Professional, scientific and technical activities"
    N = "N", "Administrative and support service activities"
    O = "O", "Public administration and defence; compulsory social security"  # noqa: E741
    P = "P", "Education"
    Q = "Q", "Human health and social work activities"
    R = "R", "Arts, entertainment and recreation"
    S = "S", "Other service activities"
    T = "T", "Activities of households as employers"
    U = "U", "Activities of extraterritorial organisations and bodies"


class SizeBand(models.TextChoices):
    """Headcount bands, as the register shows them and the fee bands use them."""

    MICRO = "1-10", "1 to 10"
    SMALL = "11-50", "11 to 50"
    MEDIUM = "51-250", "51 to 250"
    LARGE = "251-500", "251 to 500"
    VERY_LARGE = "501+", "501 or more"

    @classmethod
    def for_headcount(cls, employees: int) -> "SizeBand":
        if employees <= 10:
            return cls.MICRO
        if employees <= 50:
            return cls.SMALL
        if employees <= 250:
            return cls.MEDIUM
        if employees <= 500:
            return cls.LARGE
        return cls.VERY_LARGE


class Organisation(models.Model):
    """An employer: what it is called, what it does, how big it is and where it is."""

    legal_name = models.CharField("legal name", max_length=160)
    trading_name = models.CharField("trading name", max_length=160, blank=True)
    slug = models.SlugField(max_length=180, unique=True)
    organisation_type = models.CharField("type of organisation", max_length=20, choices=OrganisationType.choices)
    company_number = models.CharField("Companies House number", max_length=8, blank=True)
    charity_number = models.CharField("charity number", max_length=12, blank=True)
    sector = models.CharField("sector", max_length=1, choices=Sector.choices)
    employee_count = models.PositiveIntegerField("number of employees")
    address_line_1 = models.CharField("address line 1", max_length=120)
    address_line_2 = models.CharField("address line 2", max_length=120, blank=True)
    town = models.CharField("town or city", max_length=80)
    postcode = models.CharField("postcode", max_length=8)
    website = models.URLField("website", max_length=200, blank=True)
    public_description = models.TextField("public description", max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="organisations")

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(condition=Q(employee_count__gte=1), name="organisation_has_employees"),
            models.UniqueConstraint(
                fields=["company_number"], condition=~Q(company_number=""), name="unique_company_number"
            ),
            models.UniqueConstraint(
                fields=["charity_number"], condition=~Q(charity_number=""), name="unique_charity_number"
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name the public knows it by."""
        return self.trading_name or self.legal_name

    @property
    def size_band(self) -> SizeBand:
        return SizeBand.for_headcount(self.employee_count)

    @property
    def postcode_district(self) -> str:
        """The outward part of the postcode, e.g. NR2 (shown on the register instead of the full address)."""
        return self.postcode.split(" ")[0] if self.postcode else ""


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MEMBER = "member", "Member"


class Membership(models.Model):
    """A user belongs to an organisation. Exactly one member is its owner."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__legal_name", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_user"),
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(role="owner"), name="one_owner_per_organisation"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


def new_invitation_key() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An owner's invitation for someone to join the organisation. The link is signed, expires, and works once."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("email address")
    key = models.CharField(max_length=64, unique=True, default=new_invitation_key, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True, cancelled_at__isnull=True),
                name="one_open_invitation_per_email",
            ),
        ]

    def __str__(self):
        return f"Invitation for {self.email} to join {self.organisation}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.cancelled_at is None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
