"""Applications and the answers in them (PRODUCT.md section 3)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from charter.levels import AnswerChoice


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    RECOMMENDED = "recommended", "Recommended"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"

    @property
    def officer_label(self) -> str:
        return STATUS_LABELS[self][0]

    @property
    def employer_label(self) -> str:
        return STATUS_LABELS[self][1]


# Each status has two labels, kept here only: (officer's label, employer's and public label).
STATUS_LABELS = {
    ApplicationStatus.DRAFT: ("Draft", "In progress"),
    ApplicationStatus.SUBMITTED: ("Submitted, not yet taken", "Submitted"),
    ApplicationStatus.IN_REVIEW: ("In review", "Being checked"),
    ApplicationStatus.CHANGES_REQUESTED: ("Changes requested", "Needs changes"),
    ApplicationStatus.RECOMMENDED: ("Recommended, awaiting approval", "Being checked"),
    ApplicationStatus.APPROVED: ("Approved", "Approved"),
    ApplicationStatus.REJECTED: ("Rejected", "Not approved"),
    ApplicationStatus.WITHDRAWN: ("Withdrawn", "Withdrawn"),
}

# The allowed moves, and nothing else: transition services refuse any move not listed here.
APPLICATION_TRANSITIONS = {
    ApplicationStatus.DRAFT: {ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN},
    ApplicationStatus.SUBMITTED: {ApplicationStatus.IN_REVIEW, ApplicationStatus.WITHDRAWN},
    ApplicationStatus.IN_REVIEW: {
        ApplicationStatus.CHANGES_REQUESTED,
        ApplicationStatus.RECOMMENDED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.CHANGES_REQUESTED: {ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN},
    ApplicationStatus.RECOMMENDED: {
        ApplicationStatus.APPROVED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.APPROVED: set(),
    ApplicationStatus.REJECTED: set(),
    ApplicationStatus.WITHDRAWN: set(),
}

# An organisation has at most one application in these statuses at a time.
OPEN_STATUSES = [
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.CHANGES_REQUESTED,
    ApplicationStatus.RECOMMENDED,
]
# The employer may change answers and evidence only in these.
EDITABLE_STATUSES = [ApplicationStatus.DRAFT, ApplicationStatus.CHANGES_REQUESTED]


class Application(models.Model):
    """An organisation's application for accreditation, assessed against one charter edition forever."""

    organisation = models.ForeignKey("employers.Organisation", on_delete=models.PROTECT, related_name="applications")
    edition = models.ForeignKey("charter.Edition", on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT)
    # The headcount the application is assessed at: copied from the organisation when the application
    # starts and again at each submission (criteria with min_employees depend on it).
    employee_count = models.PositiveIntegerField()

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The declaration, signed by an employer user at submission (the text is the edition's).
    declaration_name = models.CharField(max_length=200, blank=True)
    declaration_role = models.CharField(max_length=200, blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    # How many times it has been submitted: answers and files record the round they belong to.
    submission_round = models.PositiveSmallIntegerField(default=0)
    # The level the employer's own answers reached when last submitted (the officer decides the award).
    provisional_level_code = models.CharField(max_length=40, blank=True)

    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)

    # Issue 4: the officer who has the case, what they asked for, recommended, and the decision.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_applications",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    changes_requested_at = models.DateTimeField(null=True, blank=True)
    changes_requested_note = models.TextField(blank=True)
    # Empty with a recommendation: recommended for rejection (below the lowest level, or not verified).
    recommended_level_code = models.CharField(max_length=40, blank=True)
    recommended_at = models.DateTimeField(null=True, blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recommendation_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    rejection_reason = models.TextField(blank=True)
    rejection_next_steps = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status__in=OPEN_STATUSES),
                name="one_open_application_per_organisation",
            ),
            models.CheckConstraint(condition=Q(employee_count__gte=1), name="application_has_employees"),
        ]

    def __str__(self):
        return f"Application {self.reference} from {self.organisation}"

    @property
    def reference(self) -> str:
        """How people refer to it in emails and on the phone."""
        return f"APP-{self.pk:06d}" if self.pk else "APP-new"

    @property
    def status_enum(self) -> ApplicationStatus:
        return ApplicationStatus(self.status)

    @property
    def officer_status_label(self) -> str:
        return self.status_enum.officer_label

    @property
    def employer_status_label(self) -> str:
        return self.status_enum.employer_label

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_withdrawable(self) -> bool:
        """The employer may still withdraw it (any open status before a decision)."""
        return self.can_move_to(ApplicationStatus.WITHDRAWN)

    def can_move_to(self, status: str) -> bool:
        """Whether the transition table allows a move from the present status to `status`."""
        return status in APPLICATION_TRANSITIONS[self.status_enum]

    @property
    def assessed_employee_count(self) -> int:
        """The headcount that decides which criteria apply.

        While the employer can still change answers, the organisation's own (current) headcount, so a
        change of size brings criteria in or out before submission rather than at it; once submitted,
        the snapshot taken at submission, which is what the officer assesses. Uses `organisation`, so
        select it with the application.
        """
        if self.is_editable:
            return self.organisation.employee_count
        return self.employee_count


class Answer(models.Model):
    """The employer's current answer to one criterion. Every save is also kept as an AnswerRevision."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey("charter.Criterion", on_delete=models.PROTECT, related_name="answers")
    response = models.CharField(max_length=10, choices=AnswerChoice.choices)
    explanation = models.TextField(blank=True)
    action_plan = models.TextField(blank=True)
    target_date = models.DateField(null=True, blank=True)
    # Optimistic locking: a save carries the version it started from; a stale one is refused.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["criterion__commitment__order", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion"], name="one_answer_per_criterion"),
            models.CheckConstraint(
                condition=~Q(response="not_yet") | Q(target_date__isnull=False),
                name="not_yet_answer_has_target_date",
            ),
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.get_response_display()}"


class AnswerRevision(models.Model):
    """An answer as it was saved at one moment: the history officers and the timeline read."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    response = models.CharField(max_length=10, choices=AnswerChoice.choices)
    explanation = models.TextField(blank=True)
    action_plan = models.TextField(blank=True)
    target_date = models.DateField(null=True, blank=True)
    saved_at = models.DateTimeField(auto_now_add=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Which submission round it belongs to (0 while the first draft is written).
    submission_round = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["answer", "version"]
        constraints = [models.UniqueConstraint(fields=["answer", "version"], name="one_revision_per_version")]

    def __str__(self):
        return f"{self.answer} (version {self.version})"
