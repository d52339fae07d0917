"""portal.fields: the GOV.UK date input (day, month, year) and its error messages."""

import datetime

import pytest
from django import forms

from portal.fields import GovukDateField, GovukDateInput


class DateForm(forms.Form):
    when = GovukDateField(label="Start date", error_messages={"required": "Enter the start date"})


def bound(day, month, year):
    return DateForm({"when_day": day, "when_month": month, "when_year": year})


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("3", "3", "2027"), datetime.date(2027, 3, 3)),
        ((" 03 ", "03", "2027"), datetime.date(2027, 3, 3)),
        (("29", "2", "2028"), datetime.date(2028, 2, 29)),
        (("1", "September", "2027"), datetime.date(2027, 9, 1)),
        (("1", "sept", "2027"), datetime.date(2027, 9, 1)),
        (("1", "Mar.", "2027"), datetime.date(2027, 3, 1)),
    ],
)
def test_real_dates_are_understood(parts, expected):
    """Numbers with spaces or leading zeros, and month names in full or short, are read as GOV.UK recommends."""
    form = bound(*parts)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"] == expected


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("31", "2", "2027"), "Start date must be a real date"),
        (("29", "2", "2027"), "Start date must be a real date"),
        (("1", "13", "2027"), "Start date must be a real date"),
        (("0", "1", "2027"), "Start date must be a real date"),
        (("1", "1", "27"), "Start date must be a real date"),
        (("1", "1", "20270"), "Start date must be a real date"),
        (("-1", "1", "2027"), "Start date must be a real date"),
        (("1", "smarch", "2027"), "Start date must be a real date"),
        (("1", "", "2027"), "Start date must include a month"),
        (("", "1", ""), "Start date must include a day and a year"),
        (("", "", ""), "Enter the start date"),
    ],
)
def test_each_problem_has_the_gov_uk_message(parts, message):
    """Impossible, incomplete or missing dates get GOV.UK's wording, naming the field."""
    form = bound(*parts)
    assert not form.is_valid()
    assert form.errors["when"] == [message]


def test_an_optional_date_may_be_left_empty():
    """Not required and empty: None."""

    class Optional(forms.Form):
        when = GovukDateField(label="Date", required=False)

    form = Optional({})
    assert form.is_valid() and form.cleaned_data["when"] is None


def test_it_renders_three_labelled_boxes_with_gov_uk_classes():
    """Day, Month and Year boxes, numeric keyboards, widths 2, 2 and 4, the first box for labels and links."""
    html = str(DateForm(initial={"when": datetime.date(2027, 9, 1)})["when"])
    assert '<div class="govuk-date-input" id="id_when">' in html
    for part, index, width, value in [("day", 0, 2, "1"), ("month", 1, 2, "9"), ("year", 2, 4, "2027")]:
        assert (
            f'<label class="govuk-label govuk-date-input__label" for="id_when_{index}">{part.capitalize()}</label>'
            in html
        )
        assert f'name="when_{part}"' in html
        assert f"govuk-input govuk-date-input__input govuk-input--width-{width}" in html
        assert f'value="{value}"' in html
    assert 'inputmode="numeric"' in html
    assert DateForm()["when"].id_for_label == "id_when_0"


def test_errors_mark_every_box():
    """With an error (the page passes the error class), every box is marked."""
    widget = GovukDateInput()
    context = widget.get_context(
        "when", ["31", "2", "2027"], {"id": "id_when", "class": "govuk-input govuk-input--error"}
    )
    assert all("govuk-input--error" in sub["attrs"]["class"] for sub in context["widget"]["subwidgets"])
    assert context["widget"]["has_error"] is True
