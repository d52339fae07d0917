"""Fee schedules (editable by the scheme administrator), payments and gateway events (read-only) in the admin.

A schedule's bands are checked together before they are saved: for each rate no two bands overlap and
only the highest has no upper limit, and every organisation, private or public sector or charity, finds
a band for every headcount from 1 up, so `fee_for` can never fall into a gap. A schedule that has fixed
a fee is kept as it was: change the fees by adding a schedule from a later date.
"""

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.html import format_html

from .admin import ReadOnlyAdmin
from .models import Accreditation, FeeBand, FeeRate, FeeSchedule, Payment, PaymentEvent


def _words(band) -> str:
    """A band's range in words, for the error messages: "11 to 50 employees", "501 or more employees"."""
    low, high = band["min_employees"], band["max_employees"]
    if high is None:
        return f"{low:,} or more employees"
    return f"{low:,} to {high:,} employees"


def _rate_words(rate: str) -> str:
    return FeeRate(rate).label.lower()


def band_problems(bands: list[dict]) -> list[str]:
    """What is wrong with a schedule's bands taken together (each a dict of min/max employees and applies_to)."""
    if not bands:
        return ["Add at least one band: a schedule without bands gives no fee to anyone."]
    problems = []
    for rate in FeeRate.values:
        same_rate = sorted((b for b in bands if b["applies_to"] == rate), key=lambda b: b["min_employees"])
        for lower, higher in zip(same_rate, same_rate[1:], strict=False):
            if lower["max_employees"] is None:
                problems.append(
                    f"Only the highest band for {_rate_words(rate)} can have no upper limit: "
                    f"{_words(lower)} is followed by {_words(higher)}. Give it an upper limit, or remove the other."
                )
            elif higher["min_employees"] <= lower["max_employees"]:
                problems.append(
                    f"The bands {_words(lower)} and {_words(higher)} for {_rate_words(rate)} overlap: "
                    "each number of employees must be in one band only."
                )
    if problems:
        return problems
    # Every organisation must find a band for every headcount: its own rate's bands, then those for everyone.
    gaps = {}
    for own_rate in (FeeRate.PRIVATE, FeeRate.PUBLIC_OR_CHARITY):
        for gap in _gaps([b for b in bands if b["applies_to"] in (own_rate, FeeRate.ALL)]):
            gaps.setdefault(gap, []).append(own_rate)
    for (low, high), rates in sorted(gaps.items(), key=lambda item: item[0]):
        who = "any organisation" if len(rates) == 2 else _rate_words(rates[0]) + " organisations"
        if low == 1:
            span = "1 employee" if high == 1 else f"1 to {high:,} employees"
            problems.append(f"No band covers {span} for {who}: the lowest band must start at 1.")
        elif high is None:
            problems.append(
                f"No band covers {low:,} or more employees for {who}: leave the upper limit of the highest band empty."
            )
        else:
            span = f"{low:,} employees" if low == high else f"{low:,} to {high:,} employees"
            problems.append(f"No band covers {span} for {who}: the bands must follow on without a gap.")
    return problems


def _gaps(bands: list[dict]) -> list[tuple[int, int | None]]:
    """The headcounts from 1 up that none of `bands` covers, as (from, to) ranges; to is None for "and above"."""
    gaps = []
    next_uncovered = 1
    for band in sorted(bands, key=lambda b: b["min_employees"]):
        if band["min_employees"] > next_uncovered:
            gaps.append((next_uncovered, band["min_employees"] - 1))
        if band["max_employees"] is None:
            return gaps
        next_uncovered = max(next_uncovered, band["max_employees"] + 1)
    gaps.append((next_uncovered, None))
    return gaps


class FeeBandFormSet(forms.BaseInlineFormSet):
    """The bands of one schedule, refused together when they overlap, leave a gap or do not start at 1."""

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return  # each band's own errors first
        bands = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE", False) and not self._should_delete_form(form)
        ]
        problems = band_problems(bands)
        if problems:
            raise ValidationError(problems)


class FeeBandForm(forms.ModelForm):
    """One band, with the database's checks said in words."""

    class Meta:
        model = FeeBand
        fields = ["min_employees", "max_employees", "applies_to", "amount_pence"]
        help_texts = {
            "max_employees": "Leave empty for no upper limit (the highest band).",
            "amount_pence": "In pence: £69 is 6900.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["min_employees"].min_value = 1
        self.fields["min_employees"].validators.append(
            MinValueValidator(1, message="A band must start at 1 employee or more")
        )

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_employees"), cleaned.get("max_employees")
        if low is not None and high is not None and high < low:
            self.add_error("max_employees", "The upper limit must not be below the lower one")
        return cleaned


class FeeBandInline(admin.TabularInline):
    model = FeeBand
    form = FeeBandForm
    formset = FeeBandFormSet
    fields = ["min_employees", "max_employees", "applies_to", "amount_pence"]

    def get_extra(self, request, obj=None, **kwargs):
        # A new schedule usually has as many bands as the one before it (six by default).
        return 6 if obj is None else 1

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not schedule_in_use(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not schedule_in_use(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not schedule_in_use(obj)


def schedule_in_use(schedule: FeeSchedule | None) -> bool:
    """Whether a fee has been fixed from one of the schedule's bands (then it is kept as it is, for the record)."""
    if schedule is None or schedule.pk is None:
        return False
    return Accreditation.objects.filter(fee_band__schedule=schedule).exists()


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    """Fee schedules and their bands: amounts in pence (£69 is 6900)."""

    list_display = ["effective_from", "note", "band_count", "in_use"]
    fields = ["effective_from", "note"]
    inlines = [FeeBandInline]
    date_hierarchy = "effective_from"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("bands")

    @admin.display(description="bands")
    def band_count(self, obj):
        return len(obj.bands.all())

    @admin.display(description="fees fixed from it", boolean=True)
    def in_use(self, obj):
        return schedule_in_use(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not schedule_in_use(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not schedule_in_use(obj)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    """Payments, to read: they change only through the payment services (the gateway's events, officers' actions)."""

    list_display = [
        "pk",
        "organisation",
        "method",
        "status",
        "amount_due_pence",
        "amount_paid_pence",
        "receipt_number",
        "paid_at",
        "needs_attention",
    ]
    list_filter = ["status", "method", "needs_attention", "currency"]
    list_select_related = ["accreditation__organisation"]
    search_fields = [
        "receipt_number",
        "reference",
        "checkout_session_id",
        "payment_intent_id",
        "customer_email",
        "accreditation__organisation__legal_name",
    ]
    date_hierarchy = "created_at"
    fields = [
        "accreditation",
        "method",
        "status",
        "amount_due_pence",
        "amount_paid_pence",
        "currency",
        "refunded_pence",
        "checkout_session_id",
        "checkout_expires_at",
        "idempotency_key",
        "payment_intent_id",
        "customer_email",
        "reference",
        "recorded_by",
        "paid_at",
        "receipt_number",
        "needs_attention",
        "attention_reason",
        "created_by",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="organisation", ordering="accreditation__organisation__legal_name")
    def organisation(self, obj):
        return obj.accreditation.organisation.legal_name


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    """The gateway's events as they arrived, to read (officers re-run failed ones from their payments pages)."""

    list_display = ["event_id", "gateway", "event_type", "status", "attempts", "livemode", "received_at", "payment"]
    list_filter = ["status", "gateway", "event_type", "livemode"]
    list_select_related = ["payment"]
    search_fields = ["event_id", "event_type", "error"]
    date_hierarchy = "received_at"
    fields = [
        "event_id",
        "gateway",
        "event_type",
        "livemode",
        "status",
        "error",
        "attempts",
        "payment",
        "received_at",
        "processed_at",
        "payload_pretty",
    ]

    @admin.display(description="payload")
    def payload_pretty(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2, sort_keys=True))
