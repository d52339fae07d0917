"""Organisations, memberships and invitations in the admin: to find and read, not to change.

Changes go through employers.services (from the portal), so that every one is checked and audited.
"""

from django.contrib import admin

from .models import Invitation, Membership, Organisation


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role", "created_at"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["legal_name", "trading_name", "organisation_type", "sector", "employee_count", "postcode"]
    list_filter = ["organisation_type", "sector", "created_at"]
    search_fields = ["legal_name", "trading_name", "company_number", "charity_number", "postcode", "slug"]
    date_hierarchy = "created_at"
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name", "organisation__legal_name", "organisation__trading_name"]
    list_select_related = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "organisation", "invited_by", "created_at", "expires_at", "accepted_at", "cancelled_at"]
    list_filter = [
        ("accepted_at", admin.EmptyFieldListFilter),
        ("cancelled_at", admin.EmptyFieldListFilter),
        "created_at",
    ]
    search_fields = ["email", "organisation__legal_name", "organisation__trading_name", "invited_by__email"]
    list_select_related = ["organisation", "invited_by"]
    exclude = ["key"]
