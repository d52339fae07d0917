"""Applications, answers, revisions, evidence, officers' reviews and accreditations in the admin: to read,
never to change.

Statuses change only through the services (accreditation.services), which lock, check the transition
table and audit; an admin form would do none of that.
"""

from django.contrib import admin

from .models import Accreditation, Answer, AnswerRevision, Application, CriterionReview, Evidence
from .money import pounds


class ReadOnlyAdmin(admin.ModelAdmin):
    """Everything shown, nothing changed, added or deleted."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return list(self.get_fields(request, obj))


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AnswerInline(ReadOnlyInline):
    model = Answer
    fields = ["criterion", "response", "version", "updated_by", "updated_at"]
    readonly_fields = fields


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    # Never the file field: private files have no URL, and the admin would try to link to one.
    fields = ["criterion", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class CriterionReviewInline(ReadOnlyInline):
    model = CriterionReview
    fields = ["submission_round", "criterion", "outcome", "note", "reviewed_by", "reviewed_at"]
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "organisation",
        "edition",
        "status",
        "submission_round",
        "assigned_to",
        "created_at",
        "submitted_at",
        "decided_at",
    ]
    list_filter = ["status", "edition", ("assigned_to", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["organisation__legal_name", "organisation__trading_name", "declaration_name"]
    list_select_related = ["organisation", "edition", "assigned_to"]
    date_hierarchy = "created_at"
    fields = [
        "organisation",
        "edition",
        "status",
        "employee_count",
        "created_at",
        "created_by",
        "updated_at",
        "submitted_at",
        "submitted_by",
        "declaration_name",
        "declaration_role",
        "declared_at",
        "submission_round",
        "provisional_level_code",
        "withdrawn_at",
        "withdrawn_by",
        "withdrawal_reason",
        # The officers' review (issue 4).
        "assigned_to",
        "assigned_at",
        "changes_requested_at",
        "changes_requested_note",
        "recommended_level_code",
        "recommended_at",
        "recommended_by",
        "recommendation_reason",
        "decided_at",
        "decided_by",
        "decision_note",
        "rejection_reason",
        "rejection_next_steps",
    ]
    inlines = [AnswerInline, EvidenceInline, CriterionReviewInline]

    @admin.display(description="reference", ordering="pk")
    def reference(self, obj):
        return obj.reference


class AnswerRevisionInline(ReadOnlyInline):
    model = AnswerRevision
    fields = [
        "version",
        "response",
        "explanation",
        "action_plan",
        "target_date",
        "saved_by",
        "saved_at",
        "submission_round",
    ]
    readonly_fields = fields
    show_change_link = False


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["application", "criterion", "response", "version", "updated_by", "updated_at"]
    list_filter = ["response"]
    list_select_related = ["application__organisation", "criterion", "updated_by"]
    search_fields = ["criterion__code", "application__organisation__legal_name"]
    fields = [
        "application",
        "criterion",
        "response",
        "explanation",
        "action_plan",
        "target_date",
        "version",
        "updated_by",
        "updated_at",
    ]
    inlines = [AnswerRevisionInline]


@admin.register(AnswerRevision)
class AnswerRevisionAdmin(ReadOnlyAdmin):
    list_display = ["answer", "version", "response", "saved_by", "saved_at", "submission_round"]
    list_select_related = ["answer__criterion", "saved_by"]
    fields = [
        "answer",
        "version",
        "response",
        "explanation",
        "action_plan",
        "target_date",
        "saved_by",
        "saved_at",
        "submission_round",
    ]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "application", "criterion", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["content_type", "scanner"]
    list_select_related = ["application__organisation", "criterion", "uploaded_by"]
    search_fields = ["original_name", "sha256", "application__organisation__legal_name"]
    # Never the file field: private files have no URL, and the admin would try to link to one.
    fields = [
        "application",
        "criterion",
        "original_name",
        "description",
        "content_type",
        "size",
        "sha256",
        "scanner",
        "stored_key",
        "uploaded_by",
        "uploaded_at",
        "submission_round",
    ]


@admin.register(CriterionReview)
class CriterionReviewAdmin(ReadOnlyAdmin):
    """Each officer's outcome for a criterion in a submission round; every earlier marking is in the audit record."""

    list_display = ["application", "criterion_code", "submission_round", "outcome", "reviewed_by", "reviewed_at"]
    list_filter = ["outcome", "submission_round", ("reviewed_by", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["application__organisation", "criterion", "reviewed_by"]
    search_fields = ["criterion__code", "note", "application__organisation__legal_name"]
    date_hierarchy = "reviewed_at"
    fields = ["application", "criterion", "submission_round", "outcome", "note", "reviewed_by", "reviewed_at"]

    @admin.display(description="criterion", ordering="criterion__code")
    def criterion_code(self, obj):
        return obj.criterion.code


class FeeWaivedFilter(admin.SimpleListFilter):
    title = "fee waived"
    parameter_name = "fee_waived"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(fee_waived_at__isnull=self.value() == "no")
        return queryset


@admin.register(Accreditation)
class AccreditationAdmin(ReadOnlyAdmin):
    """Accreditations change status only through their services (activation, and later suspension and revocation)."""

    list_display = [
        "organisation",
        "level_name",
        "status",
        "approved_at",
        "fee",
        "fee_waived",
        "valid_from",
        "valid_until",
    ]
    list_filter = ["status", "level_name", FeeWaivedFilter]
    list_select_related = ["organisation"]
    search_fields = ["organisation__legal_name", "organisation__trading_name"]
    date_hierarchy = "approved_at"
    fields = [
        "organisation",
        "application",
        "level_code",
        "level_name",
        "status",
        "approved_at",
        "approved_by",
        "fee",
        "fee_band",
        "fee_band_label",
        "fee_waived_at",
        "fee_waived_by",
        "fee_waived_reason",
        "activated_at",
        "activated_by",
        "valid_from",
        "valid_until",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="fee", ordering="fee_pence")
    def fee(self, obj):
        return pounds(obj.fee_pence)

    @admin.display(description="fee waived", boolean=True)
    def fee_waived(self, obj):
        return obj.fee_waived


# Fees and payments (issue 5) are registered in their own module.
from . import admin_fees  # noqa: E402,F401
