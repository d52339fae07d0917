"""Applications, answers, revisions and evidence in the admin: to read, never to change.

Statuses change only through the services (accreditation.services), which lock, check the transition
table and audit; an admin form would do none of that.
"""

from django.contrib import admin

from .models import Answer, AnswerRevision, Application, Evidence


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


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["reference", "organisation", "edition", "status", "submission_round", "created_at", "submitted_at"]
    list_filter = ["status", "edition"]
    search_fields = ["organisation__legal_name", "organisation__trading_name", "declaration_name"]
    list_select_related = ["organisation", "edition"]
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
    ]
    inlines = [AnswerInline, EvidenceInline]

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


# Fees and payments (issue 5) are registered in their own module.
from . import admin_fees  # noqa: E402,F401
