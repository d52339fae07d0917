"""GOV.UK form rendering (portal/templatetags/govuk.py, templates/django/forms/): fields, errors, summary."""

import re

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import engines
from django.test import RequestFactory

from portal.templatetags.govuk import field_kind

SECTORS = [("", "Choose a sector"), ("C", "Manufacturing"), ("G", "Retail")]
SIZES = [("small", "1 to 49"), ("medium", "50 to 249"), ("large", "250 or more")]
BENEFITS = [
    ("pension", "Pension above the minimum"),
    ("sick-pay", "Sick pay above statutory"),
    ("leave", "Extra leave"),
]


class EveryWidgetForm(forms.Form):
    """A throwaway form with one field of each kind the renderer knows."""

    name = forms.CharField(label="Organisation name", help_text="As registered with Companies House")
    email = forms.EmailField(label="Contact email")
    employees = forms.IntegerField(label="Number of employees", min_value=1)
    description = forms.CharField(label="Public description", widget=forms.Textarea, required=False)
    sector = forms.ChoiceField(label="Sector", choices=SECTORS)
    size = forms.ChoiceField(label="Size", choices=SIZES, widget=forms.RadioSelect, help_text="Count everyone")
    benefits = forms.MultipleChoiceField(label="Benefits", choices=BENEFITS, widget=forms.CheckboxSelectMultiple)
    agree = forms.BooleanField(label="I confirm the answers are true", help_text="Officers will check them")
    payroll = forms.FileField(label="Payroll summary")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sector") == "C" and cleaned.get("size") == "small":
            raise forms.ValidationError("Small manufacturers apply through the partner scheme")
        return cleaned


def html_of(form) -> str:
    return str(form)


def form_group(html: str, field_id: str) -> str:
    """The GOV.UK form group that contains the element with id=field_id."""
    groups = re.split(r'(?=<div class="govuk-form-group)', html)
    matches = [group for group in groups if f'id="{field_id}"' in group]
    assert matches, f"no form group contains #{field_id}"
    return matches[0]


def tag_with_id(html: str, element_id: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{element_id}"[^>]*>', html)
    assert match, f"no field with id {element_id}"
    return match.group(0)


@pytest.fixture
def blank_form():
    return EveryWidgetForm()


@pytest.fixture
def invalid_form():
    form = EveryWidgetForm(
        data={"name": "", "email": "not-an-email", "employees": "0", "sector": "", "benefits": []},
        files={},
    )
    assert not form.is_valid()
    return form


def test_each_widget_maps_to_its_govuk_component(blank_form):
    """Text, email and number are inputs; the rest are their own GOV.UK components."""
    kinds = {field.name: field_kind(field) for field in blank_form}
    assert kinds == {
        "name": "input",
        "email": "input",
        "employees": "input",
        "description": "textarea",
        "sector": "select",
        "size": "radios",
        "benefits": "checkboxes",
        "agree": "checkbox",
        "payroll": "file",
    }


@pytest.mark.parametrize(
    ("field_id", "css_class"),
    [
        ("id_name", "govuk-input"),
        ("id_email", "govuk-input"),
        ("id_employees", "govuk-input"),
        ("id_description", "govuk-textarea"),
        ("id_sector", "govuk-select"),
        ("id_payroll", "govuk-file-upload"),
        ("id_agree", "govuk-checkboxes__input"),
        ("id_size_0", "govuk-radios__input"),
        ("id_benefits_0", "govuk-checkboxes__input"),
    ],
)
def test_every_field_has_its_govuk_class_and_a_label_for_it(blank_form, field_id, css_class):
    """Each input carries its GOV.UK class and a <label for=> that names it."""
    html = html_of(blank_form)
    assert css_class in tag_with_id(html, field_id).split('class="')[1].split('"')[0].split()
    assert re.search(rf'<label class="govuk-label[^"]*" for="{field_id}">', html), field_id


def test_text_email_and_number_keep_their_input_types(blank_form):
    """The renderer keeps the widget's type, so phones show the right keyboard."""
    html = html_of(blank_form)
    assert 'type="text"' in tag_with_id(html, "id_name")
    assert 'type="email"' in tag_with_id(html, "id_email")
    assert 'type="number"' in tag_with_id(html, "id_employees")
    assert 'type="file"' in tag_with_id(html, "id_payroll")


def test_radios_and_checkboxes_sit_in_a_fieldset_with_a_legend(blank_form):
    """Groups of options are a fieldset whose legend is the question."""
    html = html_of(blank_form)
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Size</legend>' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Benefits</legend>' in html
    assert 'type="radio"' in tag_with_id(html, "id_size_2")
    assert 'type="checkbox"' in tag_with_id(html, "id_benefits_2")
    assert '<div class="govuk-checkboxes" data-module="govuk-checkboxes">' in form_group(html, "id_benefits_0")
    assert 'class="govuk-radios' in form_group(html, "id_size_0")


def test_optional_fields_say_so(blank_form):
    """A field that is not required is labelled "(optional)"."""
    assert "Public description (optional)</label>" in html_of(blank_form)


def test_hints_have_ids_that_fields_are_described_by(blank_form):
    """Each hint has an id, and the field (or its fieldset) names it in aria-describedby."""
    html = html_of(blank_form)
    assert '<div id="id_name-hint" class="govuk-hint">As registered with Companies House</div>' in html
    assert 'aria-describedby="id_name-hint"' in tag_with_id(html, "id_name")
    assert '<fieldset class="govuk-fieldset" aria-describedby="id_size-hint">' in html
    assert 'id="id_agree-hint"' in html
    assert 'aria-describedby="id_agree-hint"' in tag_with_id(html, "id_agree")
    assert "aria-describedby" not in tag_with_id(html, "id_email")


def test_a_blank_form_shows_no_errors(blank_form):
    """Nothing is marked as an error before the form is sent."""
    html = html_of(blank_form)
    assert "govuk-form-group--error" not in html
    assert "govuk-error-message" not in html


@pytest.mark.parametrize(
    ("field", "element_id"),
    [
        ("name", "id_name"),
        ("email", "id_email"),
        ("employees", "id_employees"),
        ("sector", "id_sector"),
        ("size", "id_size_0"),
        ("benefits", "id_benefits_0"),
        ("agree", "id_agree"),
        ("payroll", "id_payroll"),
    ],
)
def test_a_field_with_an_error_shows_it_the_govuk_way(invalid_form, field, element_id):
    """The group is marked, the message has a hidden "Error:" prefix and an id the field is described by."""
    html = html_of(invalid_form)
    group = form_group(html, element_id)
    assert group.startswith('<div class="govuk-form-group govuk-form-group--error">')
    message = invalid_form.errors[field][0]
    assert (
        f'<p id="id_{field}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> '
        in group
    )
    assert message.replace("’", "&#x27;").replace("'", "&#x27;") in group or message in group
    if field in ("size", "benefits"):
        assert re.search(rf'<fieldset class="govuk-fieldset" aria-describedby="[^"]*\bid_{field}-error\b', group)
    else:
        described_by = re.search(r'aria-describedby="([^"]*)"', tag_with_id(html, element_id)).group(1).split()
        assert f"id_{field}-error" in described_by


@pytest.mark.parametrize(
    ("element_id", "error_class"),
    [
        ("id_name", "govuk-input--error"),
        ("id_sector", "govuk-select--error"),
        ("id_payroll", "govuk-file-upload--error"),
    ],
)
def test_inputs_with_errors_get_the_error_border(invalid_form, element_id, error_class):
    """Inputs, selects and file uploads with an error get GOV.UK's error modifier and aria-invalid."""
    tag = tag_with_id(html_of(invalid_form), element_id)
    assert error_class in tag
    assert 'aria-invalid="true"' in tag


def test_fields_without_errors_are_not_marked(invalid_form):
    """Only the fields that are wrong are marked."""
    group = form_group(html_of(invalid_form), "id_description")
    assert "govuk-form-group--error" not in group


def test_submitted_values_are_kept(invalid_form):
    """What the person typed or chose is shown again, so they only fix what is wrong."""
    form = EveryWidgetForm(data={"email": "x@", "size": "medium", "benefits": ["leave", "pension"]})
    form.is_valid()
    html = html_of(form)
    assert 'value="x@"' in tag_with_id(html, "id_email")
    assert "checked" in tag_with_id(html, "id_size_1")
    assert "checked" not in tag_with_id(html, "id_size_0")
    assert "checked" in tag_with_id(html, "id_benefits_0")
    assert "checked" in tag_with_id(html, "id_benefits_2")
    assert "checked" not in tag_with_id(html, "id_benefits_1")


def test_text_is_escaped():
    """Script typed into a field comes back as text, never as markup."""
    form = EveryWidgetForm(data={"name": '"><script>alert(1)</script>'})
    form.is_valid()
    html = html_of(form)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def render_page(form) -> str:
    """Render a page that extends base.html with `form` in its context, as a view would."""
    request = RequestFactory().post("/example/")
    request.user = AnonymousUser()
    template = engines["django"].from_string(
        '{% extends "base.html" %}{% block title %}Your organisation{% endblock %}'
        '{% block content %}<form method="post" novalidate>{{ form }}</form>{% endblock %}'
    )
    return template.render({"form": form}, request)


def test_the_error_summary_links_to_each_field_with_an_error(invalid_form, db):
    """The summary at the top lists every error, each linking to its field (radios: the first option)."""
    html = render_page(invalid_form)
    summary = html[
        html.index('<div class="govuk-error-summary"') : html.index("</ul>", html.index("govuk-error-summary"))
    ]
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in summary
    links = re.findall(r'<a href="#([^"]+)">', summary)
    assert links == [
        "id_name",
        "id_email",
        "id_employees",
        "id_sector",
        "id_size_0",
        "id_benefits_0",
        "id_agree",
        "id_payroll",
    ]
    for field, anchor in zip(invalid_form.errors, links, strict=True):
        assert f'<a href="#{anchor}">{invalid_form.errors[field][0]}</a>'.replace("'", "&#x27;") in summary
    assert html.index("govuk-error-summary") < html.index("<form")


def test_form_wide_errors_appear_in_the_summary_without_a_link(db):
    """An error about the whole form is listed in the summary as text."""
    form = EveryWidgetForm(
        data={
            "name": "Acme",
            "email": "a@example.org",
            "employees": "3",
            "sector": "C",
            "size": "small",
            "benefits": ["leave"],
            "agree": "on",
        },
        files={"payroll": SimpleUploadedFile("payroll.csv", b"a,b\n")},
    )
    assert not form.is_valid()
    assert list(form.errors) == ["__all__"]
    html = render_page(form)
    assert "<li>Small manufacturers apply through the partner scheme</li>" in html


def test_the_page_title_starts_with_error_when_the_form_has_errors(invalid_form, blank_form, db):
    """ "Error: " goes in front of the page title when the page's form has errors, and only then."""
    assert "<title>Error: Your organisation – Fine City Employers Charter" in render_page(invalid_form)
    clean = render_page(blank_form)
    assert "<title>Your organisation – Fine City Employers Charter" in clean
    assert "govuk-error-summary" not in clean
