"""Forms for the self-assessment: an answer per criterion, an evidence file, the declaration, a withdrawal.

They check formats (lengths, markup, real dates, known choices); the charter's rules (what each
response needs, which criteria apply, dates in range) are the services', whose refusals the views
put back on these forms' fields.
"""

from django import forms

from charter.levels import AnswerChoice
from portal.fields import GovukDateField
from portal.validators import no_markup

from .exceptions import AnswerInvalid
from .services.answers import ANSWER_TEXT_MAX_LENGTH, answer_values
from .services.applications import DECLARATION_MAX_LENGTH, WITHDRAWAL_REASON_MAX_LENGTH
from .services.evidence import DESCRIPTION_MAX_LENGTH
from .uploads import ACCEPT

# Which fields go with which response: the others are ignored (shown without JavaScript, never checked).
FIELDS_FOR_RESPONSE = {
    AnswerChoice.YES: ("explanation",),
    AnswerChoice.NOT_YET: ("action_plan", "target_date"),
    AnswerChoice.NO: (),
}
RESPONSE_FIELDS = ("explanation", "action_plan", "target_date")


class TextField(forms.CharField):
    """Free text: no markup, a length limit with a clear message, Windows line endings made plain."""

    def __init__(self, *, label, max_length, required=True, required_message="", called="", **kwargs):
        # `called`: how messages name the text when the label is a question ("Your explanation").
        error_messages = {"max_length": f"{called or label} must be {max_length:,} characters or fewer"}
        if required_message:
            error_messages["required"] = required_message
        super().__init__(
            label=label,
            max_length=max_length,
            required=required,
            validators=[no_markup],
            error_messages=error_messages,
            **kwargs,
        )

    def widget_attrs(self, widget):
        # No maxlength attribute: the browser would cut pasted text short without saying so.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


class ResponseField(forms.ChoiceField):
    """Yes / Not yet / No, with "Not yet" offered only where the criterion allows it."""

    def __init__(self, *, allows_not_yet: bool, **kwargs):
        self.allows_not_yet = allows_not_yet
        choices = [(c.value, c.label) for c in AnswerChoice if allows_not_yet or c != AnswerChoice.NOT_YET]
        super().__init__(choices=choices, required=False, widget=forms.RadioSelect, **kwargs)

    def validate(self, value):
        if value == AnswerChoice.NOT_YET and not self.allows_not_yet:
            raise forms.ValidationError("This criterion does not accept 'Not yet'. Select Yes or No", code="not_yet")
        if value and not self.valid_value(value):
            choices = "Yes, Not yet or No" if self.allows_not_yet else "Yes or No"
            raise forms.ValidationError(f"Select {choices}", code="invalid_choice")


class AnswerForm(forms.Form):
    """One criterion's answer on its commitment page (prefixed with the criterion's id).

    Every field is optional until a response is chosen: then the fields that go with it are required
    and the charter's rules apply (the same function the service checks with), so the page shows every
    problem at once. The fields that do not go with the response are ignored.
    """

    # The fields are shown or hidden with the response: a browser's own "required" would be wrong.
    use_required_attribute = False

    response = ResponseField(allows_not_yet=True, label="Your answer")
    explanation = TextField(
        label="Explain how you do this",
        called="Your explanation",
        max_length=ANSWER_TEXT_MAX_LENGTH,
        required_message="Explain how your organisation does this",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Say what you do and how you know it happens, in a few sentences",
    )
    action_plan = TextField(
        label="Your action plan",
        called="Your action plan",
        max_length=ANSWER_TEXT_MAX_LENGTH,
        required_message="Enter your action plan",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you will do, who will do it, and the steps on the way",
    )
    target_date = GovukDateField(
        label="Target date",
        help_text="The date by which you will do this, for example 31 3 2028",
        error_messages={"required": "Enter the date by which you will do this"},
    )
    # The answer's version when the page was loaded (0: none yet). Missing counts as 0, which can only
    # ever be refused as stale, never overwrite an answer.
    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, max_value=2_000_000_000, initial=0, required=False
    )

    def __init__(self, *args, criterion, answer=None, **kwargs):
        self.criterion = criterion
        self.answer = answer
        kwargs.setdefault("prefix", f"criterion-{criterion.pk}")
        if answer is not None:
            kwargs.setdefault(
                "initial",
                {
                    "response": answer.response,
                    "explanation": answer.explanation,
                    "action_plan": answer.action_plan,
                    "target_date": answer.target_date,
                    "version": answer.version,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["response"] = ResponseField(allows_not_yet=criterion.allows_not_yet, label=criterion.text)
        for code in ("invalid", "min_value", "max_value"):
            self.fields["version"].error_messages[code] = "Reload the page and try again"

    def clean_version(self):
        return self.cleaned_data.get("version") or 0

    def clean(self):
        cleaned = super().clean()
        if "response" in self.errors:
            return cleaned
        response = cleaned.get("response") or ""
        keep = FIELDS_FOR_RESPONSE.get(response, ())
        if not response and any(
            str(self.data.get(self.add_prefix(name), "")).strip() for name in ("explanation", "action_plan")
        ):
            # Something typed but no answer chosen: say so rather than drop the words.
            self.add_error(
                "response", "Select Yes, Not yet or No" if self.criterion.allows_not_yet else "Select Yes or No"
            )
        for name in RESPONSE_FIELDS:
            if name not in keep:
                # Not asked with this response: whatever was typed (or shown without JavaScript) is ignored.
                self._errors.pop(name, None)
                cleaned[name] = None if name == "target_date" else ""
        if response and not any(name in self._errors for name in keep):
            try:
                answer_values(
                    self.criterion,
                    response=response,
                    explanation=cleaned["explanation"],
                    action_plan=cleaned["action_plan"],
                    target_date=cleaned["target_date"],
                )
            except AnswerInvalid as exc:
                for name, message in exc.errors.items():
                    self.add_error(name if name in self.fields else None, message)
        return cleaned

    def response_options(self) -> list[dict]:
        """Each radio with the fields it reveals (GOV.UK conditional reveal), for the template."""
        return [
            {"choice": choice, "fields": [self[name] for name in FIELDS_FOR_RESPONSE[choice.data["value"]]]}
            for choice in self["response"]
        ]


class EvidenceForm(forms.Form):
    """One evidence file and what it shows."""

    file = forms.FileField(
        label="Upload a file",
        help_text="PDF, Word (DOCX), Excel (XLSX), OpenDocument, CSV, PNG or JPEG, smaller than 20 MB",
        # Empty files are refused by the upload checks, with their message; names of any length are sanitised.
        allow_empty_file=True,
        error_messages={"required": "Select a file", "invalid": "Select a file", "missing": "Select a file"},
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    description = TextField(
        label="Describe the file",
        called="The description",
        max_length=DESCRIPTION_MAX_LENGTH,
        required_message="Enter a short description of the file",
        help_text="For example, Payroll summary for March 2027, names removed",
    )


class DeclarationForm(forms.Form):
    """The name and role of the person who signs the declaration."""

    declaration_name = TextField(
        label="Your full name",
        max_length=DECLARATION_MAX_LENGTH,
        required_message="Enter your full name",
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    declaration_role = TextField(
        label="Your role in the organisation",
        max_length=DECLARATION_MAX_LENGTH,
        required_message="Enter your role in the organisation",
        help_text="For example, Managing Director or HR Manager",
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )


class WithdrawForm(forms.Form):
    """An optional reason for withdrawing."""

    reason = TextField(
        label="Why are you withdrawing the application?",
        called="Your reason",
        max_length=WITHDRAWAL_REASON_MAX_LENGTH,
        required=False,
        help_text="This helps us improve the charter. Your colleagues will see it in the email we send them",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
