"""Forms on the officers' case view: each posts to its own small URL and feeds one service."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model

from accreditation.models import REVIEW_NOTE_MAX_LENGTH
from portal.validators import no_markup

# Long enough for any real note; the services check the length again and say so plainly.
NOTE_MAX_LENGTH = 5000
REJECT = "reject"


def officers():
    """Everyone an officer can hand a case to, by name."""
    return get_user_model().objects.filter(groups__name=settings.OFFICERS_GROUP, is_active=True).order_by("full_name")


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.email


class CriterionReviewForm(forms.Form):
    """Verified, or a query with a note for the employer."""

    outcome = forms.ChoiceField(
        label="Your check",
        choices=[("verified", "Verified"), ("query", "Query")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose verified or query"},
    )
    note = forms.CharField(
        label="Note for the employer",
        help_text="Needed for a query: say what they should change or send.",
        required=False,
        validators=[no_markup],
        max_length=REVIEW_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == "query" and not (cleaned.get("note") or "").strip():
            self.add_error("note", "Say what the employer needs to change or send")
        return cleaned


class RequestChangesForm(forms.Form):
    note = forms.CharField(
        label="A message for the employer",
        help_text="Your queries on each criterion are sent with it.",
        required=False,
        validators=[no_markup],
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RecommendForm(forms.Form):
    """A level (the verified one by default, a lower one with a reason), or rejection with a reason."""

    decision = forms.ChoiceField(
        label="What do you recommend?", widget=forms.RadioSelect, error_messages={"required": "Choose a recommendation"}
    )
    reason = forms.CharField(
        label="Your reason",
        help_text="Needed for a lower level than the verified answers reach, and for rejection.",
        required=False,
        validators=[no_markup],
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, levels=(), verified_code=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(level.code, level.name) for level in levels]
        self.fields["decision"].choices = [*choices, (REJECT, "Reject the application")]
        if verified_code and not self.is_bound:
            self.initial.setdefault("decision", verified_code)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == REJECT and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Give your reason for recommending rejection")
        return cleaned


class ApproveForm(forms.Form):
    note = forms.CharField(
        label="Note for the record",
        required=False,
        validators=[no_markup],
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Why the application is not approved",
        validators=[no_markup],
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason the application is not approved"},
    )
    next_steps = forms.CharField(
        label="What they can do next",
        required=False,
        validators=[no_markup],
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReassignForm(forms.Form):
    officer = OfficerChoiceField(
        label="Give this case to", queryset=None, error_messages={"required": "Choose an officer"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers()
