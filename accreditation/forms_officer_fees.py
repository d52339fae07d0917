"""The officers' fee forms: record an offline payment, waive the fee, accept or clear a flagged payment."""

import re

from django import forms
from django.core.exceptions import ValidationError

from accreditation.money import pounds
from accreditation.services.fees import (
    NOTE_MAX_LENGTH,
    REFERENCE_MAX_LENGTH,
)
from portal.fields import GovukDateField
from portal.validators import no_markup

# --- forms ---------------------------------------------------------------------------------------------


class PoundsField(forms.CharField):
    """An amount of money typed in pounds ("137", "137.50", "£3,440"), cleaned to integer pence."""

    default_error_messages = {"invalid": "Enter the amount in pounds and pence, like 137 or 137.50"}
    _AMOUNT = re.compile(r"(\d{1,7})(?:\.(\d{1,2}))?")

    def __init__(self, **kwargs):
        attrs = {"inputmode": "decimal", "spellcheck": "false", "class": "govuk-input--width-10"}
        super().__init__(max_length=20, widget=forms.TextInput(attrs=attrs), **kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        match = self._AMOUNT.fullmatch(text.replace(",", "").replace(" ", "").removeprefix("£"))
        if match is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))

    def run_validators(self, value):
        # The CharField's length check reads the text typed, not the pence it became.
        return None


class RecordPaymentForm(forms.Form):
    """A fee paid by invoice or bank transfer: how much, when, and its reference."""

    amount = PoundsField(label="Amount paid", error_messages={"required": "Enter the amount paid"})
    paid_on = GovukDateField(
        label="Date paid",
        help_text="The day the money reached the council's account, for example 27 3 2027",
        error_messages={"required": "Enter the date the payment was received"},
    )
    reference = forms.CharField(
        label="Reference",
        help_text="The invoice number or the bank transfer reference",
        max_length=REFERENCE_MAX_LENGTH,
        validators=[no_markup],
        error_messages={
            "required": "Enter the payment's reference, such as the invoice number or the bank transfer reference",
            "max_length": f"The reference must be {REFERENCE_MAX_LENGTH} characters or fewer",
        },
    )

    def __init__(self, *args, fee_pence: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fee_pence = fee_pence
        self.fields["amount"].help_text = f"In pounds. The fee due is {pounds(fee_pence)}."

    def clean_amount(self):
        # The service checks this too; checking it here as well shows it beside the other fields' errors.
        amount = self.cleaned_data["amount"]
        if amount != self.fee_pence:
            raise ValidationError(f"The amount paid must be the fee due, {pounds(self.fee_pence)}")
        return amount


class WaiveFeeForm(forms.Form):
    reason = forms.CharField(
        label="Why the fee is waived",
        help_text="This is kept on the record. A waived fee cannot be offset against business rates.",
        max_length=NOTE_MAX_LENGTH,
        validators=[no_markup],
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Give the reason for waiving the fee",
            "max_length": f"The reason must be {NOTE_MAX_LENGTH:,} characters or fewer",
        },
    )


class PaymentNoteForm(forms.Form):
    """An officer's note on a flagged payment (accepting it, or clearing its flag)."""

    note = forms.CharField(
        label="Your note",
        max_length=NOTE_MAX_LENGTH,
        validators=[no_markup],
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "Enter a note saying what was decided about this payment",
            "max_length": f"The note must be {NOTE_MAX_LENGTH:,} characters or fewer",
        },
    )

    def __init__(self, *args, label: str, help_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = label
        self.fields["note"].help_text = help_text


def accept_form(payment, data=None) -> PaymentNoteForm:
    return PaymentNoteForm(
        data,
        prefix=f"accept-{payment.pk}",
        label="Why this payment is accepted as the fee",
        help_text="For example, a discount agreed with the organisation.",
    )


def clear_form(payment, data=None) -> PaymentNoteForm:
    return PaymentNoteForm(
        data,
        prefix=f"clear-{payment.pk}",
        label="What was done about this payment",
        help_text="For example, refunded by hand because the fee was paid twice.",
    )
