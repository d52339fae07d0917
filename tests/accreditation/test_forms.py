"""accreditation.forms: what each form accepts, and which fields go with which answer."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from accreditation.forms import AnswerForm, DeclarationForm, EvidenceForm, WithdrawForm
from tests.accreditation.helpers import answer, criterion


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(timezone.make_aware(datetime.datetime(2027, 3, 3, 10, 0)), tick=False):
        yield


def form_for(application, code, data=None, **kwargs):
    item = criterion(application, code)
    prefix = f"criterion-{item.pk}"
    if data is not None:
        data = {f"{prefix}-{name}": value for name, value in data.items()}
    return AnswerForm(data, criterion=item, **kwargs)


def test_not_yet_is_offered_only_where_allowed(application):
    """The radios are Yes/No for a criterion that does not accept Not yet, Yes/Not yet/No otherwise."""
    assert [v for v, _ in form_for(application, "pay.direct").fields["response"].choices] == ["yes", "no"]
    assert [v for v, _ in form_for(application, "pay.contractors").fields["response"].choices] == [
        "yes",
        "not_yet",
        "no",
    ]


def test_the_radios_legend_is_the_criterion(application):
    """The question asked is the criterion's own text."""
    assert form_for(application, "pay.uplift").fields["response"].label.startswith("You raise pay to each new")


def test_each_radio_reveals_its_own_fields(application):
    """Yes reveals the explanation; Not yet the plan and date; No nothing."""
    options = form_for(application, "pay.contractors").response_options()
    assert [[field.name for field in option["fields"]] for option in options] == [
        ["explanation"],
        ["action_plan", "target_date"],
        [],
    ]


def test_an_empty_criterion_is_valid_and_unanswered(application):
    """Nothing chosen and nothing typed: valid, no response (saved later, or never)."""
    form = form_for(application, "pay.direct", {"version": "0"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["response"] == ""


def test_the_fields_of_a_yes_are_kept_and_the_others_dropped(application):
    """A Yes keeps its explanation; anything in the Not yet fields is ignored, even a broken date."""
    form = form_for(
        application,
        "pay.contractors",
        {
            "response": "yes",
            "explanation": "All of them.\r\nChecked.",
            "action_plan": "<script>",
            "target_date_day": "99",
            "target_date_month": "x",
            "target_date_year": "",
        },
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "response": "yes",
        "explanation": "All of them.\nChecked.",
        "action_plan": "",
        "target_date": None,
        "version": 0,
    }


def test_a_not_yet_needs_its_plan_and_date(application):
    """Not yet with nothing else: both fields asked for, in GOV.UK words."""
    form = form_for(application, "pay.contractors", {"response": "not_yet"})
    assert not form.is_valid()
    assert form.errors == {
        "action_plan": ["Enter your action plan"],
        "target_date": ["Enter the date by which you will do this"],
    }


def test_the_charters_rules_are_checked_in_the_form(application):
    """The date range is checked with the same function the service uses, so every problem shows at once."""
    form = form_for(
        application,
        "pay.contractors",
        {
            "response": "not_yet",
            "action_plan": "Plan",
            "target_date_day": "2",
            "target_date_month": "3",
            "target_date_year": "2027",
        },
    )
    assert not form.is_valid()
    assert form.errors == {"target_date": ["The target date must be in the future"]}


def test_a_forged_version_is_refused(application):
    """The version is a small whole number; anything else asks to reload the page."""
    form = form_for(application, "pay.direct", {"response": "no", "version": "-1"})
    assert not form.is_valid()
    assert form.errors == {"version": ["Reload the page and try again"]}


def test_a_saved_answer_fills_the_form(application, owner):
    """The form starts from the saved answer and its version."""
    saved = answer(application, owner, "pay.contractors", "not_yet")
    form = form_for(application, "pay.contractors", answer=saved)
    assert form["response"].value() == "not_yet"
    assert form["version"].value() == 1
    assert form["target_date"].value() == saved.target_date


def test_no_browser_required_attributes(application):
    """Fields revealed by an answer must not be "required" to the browser while hidden."""
    html = str(form_for(application, "pay.contractors")["explanation"])
    assert " required" not in html


def test_the_evidence_form_hints_at_the_allowed_types():
    """The file input's accept attribute lists the allowed extensions; its size limit is in the hint."""
    form = EvidenceForm()
    assert form.fields["file"].widget.attrs["accept"].startswith(".pdf,")
    assert "smaller than 20 MB" in form.fields["file"].help_text


def test_the_declaration_needs_a_name_and_a_role():
    """Both fields required, with GOV.UK messages."""
    form = DeclarationForm({"declaration_name": " ", "declaration_role": ""})
    assert form.errors == {
        "declaration_name": ["Enter your full name"],
        "declaration_role": ["Enter your role in the organisation"],
    }


def test_a_withdrawal_reason_is_optional_but_limited():
    """Empty is fine; over 1,000 characters is not."""
    assert WithdrawForm({"reason": ""}).is_valid()
    assert WithdrawForm({"reason": "x" * 1001}).errors == {"reason": ["Your reason must be 1,000 characters or fewer"]}
