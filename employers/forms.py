"""Forms for an organisation's details and for inviting colleagues. Messages follow the GOV.UK Design System."""

import re

from django import forms
from django.core import validators

from portal.validators import no_markup

from .models import Organisation, OrganisationType, Sector
from .services import CHARITY_NUMBER_TAKEN, COMPANY_NUMBER_TAKEN
from .tokens import invitation_max_age

# Companies House: 8 digits (England and Wales), or 2 letters and 6 digits (SC, NI, OC, SO, ...).
COMPANY_NUMBER = re.compile(r"^(\d{8}|[A-Z]{2}\d{6})$")
# Charity Commission (England and Wales) 6 to 8 digits, with a subsidiary suffix such as -1 or -12;
# OSCR (Scotland) SC and 6 digits; Charity Commission for Northern Ireland NIC and 6 digits (or older 6 digits).
CHARITY_NUMBER = re.compile(r"^(\d{6,8}(-\d{1,2})?|SC\d{6}|NIC\d{6})$")
# A UK postcode without its space: outward code (area letters, district) then inward code (sector, unit).
POSTCODE = re.compile(r"^(GIR0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2})$")

MAX_EMPLOYEES = 1_000_000


def normalise_postcode(value: str) -> str | None:
    """`nr2 1ab` -> `NR2 1AB`; None if it is not a UK postcode."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if len(compact) > 7 or not POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def normalise_company_number(value: str) -> str | None:
    """Uppercase, without spaces, all-digit numbers zero-padded to 8; None if it is not a Companies House number."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if compact.isdigit() and len(compact) < 8:
        compact = compact.zfill(8)
    return compact if COMPANY_NUMBER.match(compact) else None


def normalise_charity_number(value: str) -> str | None:
    """Uppercase, without spaces; None if it is not a charity number from one of the UK's three regulators."""
    compact = re.sub(r"\s+", "", value or "").upper()
    return compact if CHARITY_NUMBER.match(compact) else None


class TextField(forms.CharField):
    """Free text: no markup, a length limit with a clear message, and (single line) runs of spaces made one."""

    def __init__(self, *, label, max_length, required=True, required_message="", single_line=True, **kwargs):
        self.single_line = single_line
        error_messages = {"max_length": f"{label} must be {max_length:,} characters or fewer"}
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
        value = super().to_python(value)
        if self.single_line:
            return " ".join(value.split())
        return value.replace("\r\n", "\n")


class WholeNumberField(forms.IntegerField):
    """A whole number typed into a text input (as GOV.UK recommends), allowing `1,250` and `1 250`."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = re.sub(r"[\s,]", "", str(value))
        if not re.fullmatch(r"-?\d+", text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if len(text.lstrip("-")) > 12:  # far beyond any limit; no need to convert it
            code = "min_value" if text.startswith("-") else "max_value"
            raise forms.ValidationError(self.error_messages[code], code=code)
        return int(text)


class WebsiteField(forms.URLField):
    """An http or https address; other schemes (javascript:, ftp:, data:) are refused."""

    default_validators = [validators.URLValidator(schemes=["http", "https"])]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


def _sector_choices():
    return [("", "Choose a sector")] + [(value, f"{value}: {label}") for value, label in Sector.choices]


class OrganisationForm(forms.Form):
    """An organisation's details, as its people give them."""

    legal_name = TextField(
        label="Legal name",
        max_length=160,
        required_message="Enter your organisation's legal name",
        help_text=(
            "The name registered with Companies House or the charity regulator, if your organisation is registered"
        ),
        widget=forms.TextInput(attrs={"autocomplete": "organization", "spellcheck": "false"}),
    )
    trading_name = TextField(
        label="Trading name",
        max_length=160,
        required=False,
        help_text="Only if the public knows you by a different name, for example the name over your shop",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    organisation_type = forms.ChoiceField(
        label="Type of organisation",
        choices=OrganisationType.choices,
        widget=forms.RadioSelect,
        help_text="If your organisation is a charitable company, choose charity",
        error_messages={
            "required": "Select the type of organisation",
            "invalid_choice": "Select the type of organisation",
        },
    )
    company_number = forms.CharField(
        label="Companies House number",
        required=False,
        help_text="Needed if your organisation is a company. 8 characters, like 01234567 or SC123456",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters", "data-width": "10"}),
    )
    charity_number = forms.CharField(
        label="Charity number",
        required=False,
        help_text=(
            "Needed if your organisation is a charity. Like 1234567 in England and Wales, SC012345 in Scotland "
            "or NIC101234 in Northern Ireland"
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters", "data-width": "10"}),
    )
    sector = forms.ChoiceField(
        label="Sector",
        choices=_sector_choices,
        help_text=(
            "The section of the UK Standard Industrial Classification (SIC 2007) "
            "that best describes what your organisation does"
        ),
        error_messages={
            "required": "Select your organisation's sector",
            "invalid_choice": "Select your organisation's sector",
        },
    )
    employee_count = WholeNumberField(
        label="Number of employees",
        min_value=1,
        max_value=MAX_EMPLOYEES,
        help_text="Everyone on your payroll, full-time and part-time",
        error_messages={
            "required": "Enter the number of employees",
            "invalid": "Number of employees must be a whole number, like 25",
            "min_value": "Number of employees must be 1 or more",
            "max_value": "Number of employees must be 1,000,000 or fewer",
        },
    )
    address_line_1 = TextField(
        label="Address line 1",
        max_length=120,
        required_message="Enter address line 1, typically the building and street",
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    address_line_2 = TextField(
        label="Address line 2",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    town = TextField(
        label="Town or city",
        max_length=80,
        required_message="Enter town or city",
        widget=forms.TextInput(attrs={"autocomplete": "address-level2", "data-width": "20"}),
    )
    postcode = forms.CharField(
        label="Postcode",
        error_messages={"required": "Enter postcode"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "postal-code",
                "spellcheck": "false",
                "autocapitalize": "characters",
                "data-width": "10",
            }
        ),
    )
    website = WebsiteField(
        label="Website",
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text="Like https://www.example.co.uk",
        error_messages={
            "invalid": "Enter a website address in the correct format, like https://www.example.co.uk",
            "max_length": "Website address must be 200 characters or fewer",
        },
        widget=forms.URLInput(attrs={"autocomplete": "url", "spellcheck": "false"}),
    )
    public_description = TextField(
        label="Public description",
        max_length=1000,
        required=False,
        single_line=False,
        help_text=(
            "What your organisation does, in a few sentences. If you are accredited, this appears on the public "
            "register. You can enter up to 1,000 characters"
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    # Shown together under one heading in the template (GOV.UK's address pattern).
    address_fields = ("address_line_1", "address_line_2", "town", "postcode")

    def __init__(self, *args, organisation: Organisation | None = None, **kwargs):
        self.organisation = organisation
        if organisation is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(organisation, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)

    def _others(self):
        others = Organisation.objects.all()
        if self.organisation is not None:
            others = others.exclude(pk=self.organisation.pk)
        return others

    def clean_company_number(self):
        value = self.cleaned_data["company_number"]
        if not value:
            return ""
        number = normalise_company_number(value)
        if number is None:
            raise forms.ValidationError(
                "Enter a Companies House number in the correct format, like 01234567 or SC123456", code="invalid"
            )
        if self._others().filter(company_number=number).exists():
            raise forms.ValidationError(COMPANY_NUMBER_TAKEN, code="taken")
        return number

    def clean_charity_number(self):
        value = self.cleaned_data["charity_number"]
        if not value:
            return ""
        number = normalise_charity_number(value)
        if number is None:
            raise forms.ValidationError(
                "Enter a charity number in the correct format, like 1234567, SC012345 or NIC101234", code="invalid"
            )
        if self._others().filter(charity_number=number).exists():
            raise forms.ValidationError(CHARITY_NUMBER_TAKEN, code="taken")
        return number

    def clean_postcode(self):
        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if postcode is None:
            raise forms.ValidationError("Enter a real postcode, like NR2 1NH", code="invalid")
        return postcode

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("organisation_type")
        # A field that failed its own check is missing from cleaned_data: do not pile a second message on it.
        if kind == OrganisationType.COMPANY and cleaned.get("company_number") == "":
            self.add_error(
                "company_number", forms.ValidationError("Enter your Companies House number", code="required")
            )
        if kind == OrganisationType.CHARITY and cleaned.get("charity_number") == "":
            self.add_error("charity_number", forms.ValidationError("Enter your charity number", code="required"))
        return cleaned


class InvitationForm(forms.Form):
    """The email address of a colleague to invite."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
        # Not "email": this is a colleague's address, and the browser would offer the user's own.
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "email"
        ].help_text = (
            f"We will email them a link to join. The link works once and expires after {invitation_max_age().days} days"
        )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
