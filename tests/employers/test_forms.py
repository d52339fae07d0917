"""employers.forms: the organisation and invitation forms' checks, normalisation and messages."""

import pytest

from employers.forms import (
    InvitationForm,
    OrganisationForm,
    normalise_charity_number,
    normalise_company_number,
    normalise_postcode,
)
from tests.factories import OrganisationFactory

HUGE = "a" * 10_000
SCRIPT = "<script>alert(1)</script>"


def errors_for(data, field, **kwargs):
    form = OrganisationForm(data, **kwargs)
    assert not form.is_valid()
    return form.errors.get(field, [])


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("nr2 1ab", "NR2 1AB"),
        ("NR21NH", "NR2 1NH"),
        ("  nr2   1nh ", "NR2 1NH"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("ec1a1bb", "EC1A 1BB"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("W1A 0AX", "W1A 0AX"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_postcodes_are_normalised(typed, normalised):
    """UK postcodes in their usual formats are upper-cased with one space before the inward code."""
    assert normalise_postcode(typed) == normalised


@pytest.mark.parametrize(
    "typed", ["", "NR2", "12345", "NR2 1A", "NR2 1ABC", "QR2 1AB", "NR2 1CI", "ZZZZ ZZZ", HUGE, SCRIPT]
)
def test_postcodes_that_are_not_real_are_refused(typed):
    """Things that are not UK postcodes are not normalised into one."""
    assert normalise_postcode(typed) is None


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("01234567", "01234567"),
        ("1234", "00001234"),
        ("sc123456", "SC123456"),
        ("NI 012345", "NI012345"),
        (" 12 34 56 78 ", "12345678"),
        ("oc301234", "OC301234"),
    ],
)
def test_company_numbers_are_normalised(typed, normalised):
    """Companies House numbers are upper-cased, spaces removed, and short all-digit numbers zero-padded."""
    assert normalise_company_number(typed) == normalised


@pytest.mark.parametrize("typed", ["123456789", "S1234567", "SC12345", "SCO12345", "ABC12345", "12-34567", HUGE])
def test_company_numbers_in_other_formats_are_refused(typed):
    """Anything but 8 digits or 2 letters and 6 digits is refused."""
    assert normalise_company_number(typed) is None


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("123456", "123456"),
        ("1234567", "1234567"),
        ("12345678", "12345678"),
        ("1234567-1", "1234567-1"),
        ("1234567-12", "1234567-12"),
        ("sc012345", "SC012345"),
        ("nic101234", "NIC101234"),
        ("1 234 567", "1234567"),
    ],
)
def test_charity_numbers_are_normalised(typed, normalised):
    """England and Wales, Scotland and Northern Ireland charity numbers are accepted and upper-cased."""
    assert normalise_charity_number(typed) == normalised


@pytest.mark.parametrize("typed", ["12345", "123456789", "1234567-123", "SC12345", "NIC12345", "NI101234", "AB123456"])
def test_charity_numbers_in_other_formats_are_refused(typed):
    """Charity numbers in no regulator's format are refused."""
    assert normalise_charity_number(typed) is None


def test_valid_details_are_cleaned(db, form_data):
    """A complete form is valid and its values normalised."""
    form = OrganisationForm({**form_data, "postcode": "nr1 2dd", "company_number": "123456", "employee_count": "1,250"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["postcode"] == "NR1 2DD"
    assert form.cleaned_data["company_number"] == "00123456"
    assert form.cleaned_data["employee_count"] == 1250


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("legal_name", "Enter your organisation's legal name"),
        ("organisation_type", "Select the type of organisation"),
        ("sector", "Select your organisation's sector"),
        ("employee_count", "Enter the number of employees"),
        ("address_line_1", "Enter address line 1, typically the building and street"),
        ("town", "Enter town or city"),
        ("postcode", "Enter postcode"),
    ],
)
def test_missing_required_fields_get_a_clear_message(db, form_data, field, message):
    """Each required field, left empty, says what to enter."""
    assert errors_for({**form_data, field: ""}, field) == [message]


def test_optional_fields_may_be_left_empty(db, form_data):
    """Trading name, address line 2, website and description are optional."""
    form = OrganisationForm(
        {**form_data, "trading_name": "", "address_line_2": "", "website": "", "public_description": ""}
    )
    assert form.is_valid(), form.errors


def test_a_postcode_that_is_not_real_gets_the_example(db, form_data):
    """A wrong postcode is refused with an example of a real one."""
    assert errors_for({**form_data, "postcode": "NR99"}, "postcode") == ["Enter a real postcode, like NR2 1NH"]


def test_a_company_must_give_its_company_number(db, form_data):
    """A company without a Companies House number is asked for it."""
    data = {**form_data, "organisation_type": "company", "company_number": ""}
    assert errors_for(data, "company_number") == ["Enter your Companies House number"]


def test_a_charity_must_give_its_charity_number(db, form_data):
    """A charity without a charity number is asked for it; its company number is optional."""
    data = {**form_data, "organisation_type": "charity", "company_number": "", "charity_number": ""}
    assert errors_for(data, "charity_number") == ["Enter your charity number"]
    assert errors_for(data, "company_number") == []


def test_a_charitable_company_may_give_both_numbers(db, form_data):
    """A charity may give a company number too."""
    form = OrganisationForm({**form_data, "organisation_type": "charity", "charity_number": "SC012345"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["company_number"] == "00123456"


@pytest.mark.parametrize("kind", ["public_body", "other"])
def test_public_bodies_and_others_need_no_number(db, form_data, kind):
    """Public bodies and other organisations need neither number."""
    form = OrganisationForm({**form_data, "organisation_type": kind, "company_number": "", "charity_number": ""})
    assert form.is_valid(), form.errors


def test_a_badly_formed_company_number_gets_one_message(db, form_data):
    """A wrong company number gets the format message, not also 'enter your number'."""
    assert errors_for({**form_data, "company_number": "12345678X"}, "company_number") == [
        "Enter a Companies House number in the correct format, like 01234567 or SC123456"
    ]


def test_a_badly_formed_charity_number_is_refused(db, form_data):
    """A wrong charity number gets the format message."""
    assert errors_for({**form_data, "charity_number": "CH123"}, "charity_number") == [
        "Enter a charity number in the correct format, like 1234567, SC012345 or NIC101234"
    ]


def test_a_company_number_already_registered_is_refused(db, form_data):
    """A company number another organisation has is refused on the field."""
    OrganisationFactory(company_number="00123456")
    [message] = errors_for(form_data, "company_number")
    assert "already registered" in message


def test_an_organisation_keeps_its_own_numbers_when_changing_details(db, form_data):
    """Editing an organisation does not trip over its own company number."""
    organisation = OrganisationFactory(company_number="00123456")
    assert OrganisationForm(form_data, organisation=organisation).is_valid()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Number of employees must be 1 or more"),
        ("-3", "Number of employees must be 1 or more"),
        ("1000001", "Number of employees must be 1,000,000 or fewer"),
        ("9" * 5000, "Number of employees must be 1,000,000 or fewer"),
        ("12.5", "Number of employees must be a whole number, like 25"),
        ("twelve", "Number of employees must be a whole number, like 25"),
    ],
)
def test_employee_count_must_be_a_whole_number_in_range(db, form_data, value, message):
    """The number of employees is a whole number from 1 to 1,000,000."""
    assert errors_for({**form_data, "employee_count": value}, "employee_count") == [message]


@pytest.mark.parametrize("value", ["1", "1000000", "1 000", "25"])
def test_employee_count_accepts_whole_numbers_in_range(db, form_data, value):
    """1 to 1,000,000, with or without separators, is accepted."""
    assert OrganisationForm({**form_data, "employee_count": value}).is_valid()


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("legal_name", "Legal name must be 160 characters or fewer"),
        ("trading_name", "Trading name must be 160 characters or fewer"),
        ("address_line_1", "Address line 1 must be 120 characters or fewer"),
        ("address_line_2", "Address line 2 must be 120 characters or fewer"),
        ("town", "Town or city must be 80 characters or fewer"),
        ("public_description", "Public description must be 1,000 characters or fewer"),
        ("website", "Website address must be 200 characters or fewer"),
    ],
)
def test_huge_text_gets_a_length_message(db, form_data, field, message):
    """A 10,000-character string is refused with the field's limit, never an error page."""
    value = "https://example.org/" + HUGE if field == "website" else HUGE
    assert message in errors_for({**form_data, field: value}, field)


@pytest.mark.parametrize("field", ["company_number", "charity_number", "postcode", "employee_count", "sector"])
def test_huge_input_in_other_fields_is_refused(db, form_data, field):
    """A 10,000-character string in a formatted field gets that field's message."""
    assert errors_for({**form_data, field: HUGE}, field)


@pytest.mark.parametrize(
    "field", ["legal_name", "trading_name", "address_line_1", "address_line_2", "town", "public_description"]
)
def test_script_in_text_fields_is_refused(db, form_data, field):
    """HTML or script in any free-text field is refused with a clear message."""
    assert errors_for({**form_data, field: f"Shop {SCRIPT}"}, field) == [
        "Enter text without HTML tags or scripts (remove any < or > signs around words)"
    ]


@pytest.mark.parametrize("value", ["javascript:alert(1)", "ftp://example.org", "not a website", f"https://{SCRIPT}"])
def test_websites_must_be_http_addresses(db, form_data, value):
    """Only http and https web addresses are accepted."""
    assert errors_for({**form_data, "website": value}, "website") == [
        "Enter a website address in the correct format, like https://www.example.co.uk"
    ]


def test_a_website_without_a_scheme_is_taken_as_https(db, form_data):
    """`www.example.org` is saved as an https address."""
    form = OrganisationForm({**form_data, "website": "www.example.org"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["website"] == "https://www.example.org"


def test_single_line_fields_collapse_runs_of_spaces_and_newlines(db, form_data):
    """A name cannot carry line breaks (it goes into email subjects): whitespace runs become one space."""
    form = OrganisationForm({**form_data, "legal_name": "Colman's\r\nMustard   Ltd"})
    assert form.is_valid()
    assert form.cleaned_data["legal_name"] == "Colman's Mustard Ltd"


def test_description_keeps_its_paragraphs(db, form_data):
    """The public description keeps its line breaks."""
    form = OrganisationForm({**form_data, "public_description": "One.\r\n\r\nTwo."})
    assert form.is_valid()
    assert form.cleaned_data["public_description"] == "One.\n\nTwo."


def test_an_unknown_sector_or_type_is_refused(db, form_data):
    """Only SIC sections A to U and the four types are accepted."""
    form = OrganisationForm({**form_data, "sector": "Z", "organisation_type": "cooperative"})
    assert not form.is_valid()
    assert form.errors["sector"] == ["Select your organisation's sector"]
    assert form.errors["organisation_type"] == ["Select the type of organisation"]


def test_the_form_helps_browsers_fill_it_in(db):
    """Name, address and postcode carry autocomplete attributes; no maxlength cuts text short."""
    html = str(OrganisationForm())
    for token in ['autocomplete="organization"', 'autocomplete="address-line1"', 'autocomplete="postal-code"']:
        assert token in html
    assert "maxlength" not in html
    assert "A: Agriculture, forestry and fishing" in html


def test_an_organisation_prefills_the_form(db):
    """Changing details starts from the organisation's current values."""
    organisation = OrganisationFactory(legal_name="Jarrold & Sons Ltd")
    assert OrganisationForm(organisation=organisation)["legal_name"].value() == "Jarrold & Sons Ltd"


# --- InvitationForm --------------------------------------------------------------------------------


def test_invitation_form_lowercases_the_address():
    """The invited address is kept in lower case."""
    form = InvitationForm({"email": " Sam@Example.ORG "})
    assert form.is_valid()
    assert form.cleaned_data["email"] == "sam@example.org"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter an email address"),
        ("sam", "Enter an email address in the correct format, like name@example.com"),
        (f"{SCRIPT}@example.org", "Enter an email address in the correct format, like name@example.com"),
        ("a" * 10_000 + "@example.org", "Email address must be 254 characters or fewer"),
    ],
)
def test_invitation_form_refuses_bad_addresses(value, message):
    """Missing, malformed, scripted or huge addresses are refused with a clear message."""
    form = InvitationForm({"email": value})
    assert not form.is_valid()
    assert message in form.errors["email"]


def test_invitation_form_says_how_long_the_link_lasts(settings):
    """The hint follows INVITATION_MAX_AGE_DAYS."""
    settings.INVITATION_MAX_AGE_DAYS = 7
    assert "expires after 7 days" in str(InvitationForm())
