"""Editions in the admin: to read, never to change. A new edition is published by uploading its file."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from .models import Commitment, Criterion, Edition, Level
from .services import CharterFileInvalid, EditionAlreadyPublished, edition_load
from .validation import MAX_SOURCE_CHARS


class ReadOnlyMixin:
    """Editions are immutable once loaded: applications keep the edition they started on forever."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LevelInline(ReadOnlyMixin, admin.TabularInline):
    model = Level
    fields = ["rank", "code", "name", "rule", "min_optional"]
    readonly_fields = fields
    extra = 0


class CommitmentInline(ReadOnlyMixin, admin.TabularInline):
    model = Commitment
    fields = ["order", "code", "title", "mandatory"]
    readonly_fields = fields
    extra = 0
    show_change_link = True


class CriterionInline(ReadOnlyMixin, admin.StackedInline):
    model = Criterion
    fields = ["order", "code", "text", "guidance", "evidence", "allows_not_yet", "min_employees"]
    readonly_fields = fields
    extra = 0


class PublishEditionForm(forms.Form):
    file = forms.FileField(label="Charter file", help_text="A YAML file, at most 1 MB.")


@admin.register(Edition)
class EditionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    change_list_template = "charter/admin/edition_change_list.html"
    list_display = ["code", "name", "council", "published", "loaded_at"]
    search_fields = ["code", "name"]
    fields = [
        "code",
        "name",
        "council",
        "published",
        "summary",
        "declaration",
        "content_hash",
        "source_name",
        "loaded_at",
    ]
    readonly_fields = fields
    inlines = [LevelInline, CommitmentInline]

    def get_urls(self):
        publish = path("publish/", self.admin_site.admin_view(self.publish_view), name="charter_edition_publish")
        return [publish, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_publish": self.can_publish(request)}
        return super().changelist_view(request, extra_context=extra_context)

    def can_publish(self, request) -> bool:
        # The "add" permission means publishing: editions are only ever added from a checked file.
        return request.user.has_perm("charter.add_edition")

    def publish_view(self, request):
        """Upload a charter file: check it, then publish its edition (through the same service as load_charter)."""
        if not self.can_publish(request):
            raise PermissionDenied
        form = PublishEditionForm(request.POST or None, request.FILES or None)
        problems = ()
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_SOURCE_CHARS:
                    raise ValueError("The file is larger than 1 MB.")
                source = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                form.add_error("file", "The file is not UTF-8 text.")
            except ValueError as exc:
                form.add_error("file", str(exc))
            else:
                try:
                    result = edition_load(actor=request.user, source=source, source_name=upload.name)
                except CharterFileInvalid as exc:
                    problems = exc.problems
                except EditionAlreadyPublished as exc:
                    form.add_error("file", str(exc))
                else:
                    edition = result.edition
                    if result.created:
                        messages.success(request, f"Edition {edition.code} is published.")
                    else:
                        messages.info(request, f"Edition {edition.code} is already published with the same content.")
                    return redirect(reverse("admin:charter_edition_change", args=[edition.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Publish a new edition",
            "opts": self.model._meta,
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(request, "charter/admin/publish.html", context)


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "code", "edition", "mandatory", "order"]
    list_filter = ["edition", "mandatory"]
    list_select_related = ["edition"]
    fields = ["edition", "order", "code", "title", "summary", "mandatory"]
    readonly_fields = fields
    inlines = [CriterionInline]
