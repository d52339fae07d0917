"""accreditation.services.answers: the charter's rules for each response, revisions, audit, and concurrent edits."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from accreditation import services
from accreditation.exceptions import (
    AnswerConflict,
    AnswerInvalid,
    AnswersRefused,
    ApplicationNotEditable,
    CriterionNotInApplication,
    NotAMember,
)
from accreditation.models import Answer, AnswerRevision, ApplicationStatus
from accreditation.selectors import application_timeline
from accreditation.services.answers import AnswerInput, latest_target_date
from audit.models import AuditEvent
from charter.levels import AnswerChoice
from charter.models import Criterion
from charter.services import edition_load
from tests.accreditation.helpers import answer, criterion, force_status
from tests.charter.helpers import variant

TODAY = datetime.date(2027, 3, 3)


@pytest.fixture(autouse=True)
def today():
    """Every test runs on 3 March 2027, 10:00 in Norwich."""
    with time_machine.travel(timezone.make_aware(datetime.datetime(2027, 3, 3, 10, 0)), tick=False):
        yield


def save(application, actor, code, response, *, version=0, **fields):
    return services.answer_save(
        actor=actor,
        application=application,
        criterion=criterion(application, code),
        response=response,
        loaded_version=version,
        **fields,
    )


def test_a_yes_with_an_explanation_is_saved_as_version_one(application, owner):
    """The first save creates the answer at version 1, with a revision and who saved it."""
    saved = save(application, owner, "pay.direct", "yes", explanation="Our lowest rate is £12.60.\r\nChecked monthly.")
    assert (saved.response, saved.version, saved.updated_by) == ("yes", 1, owner)
    assert saved.explanation == "Our lowest rate is £12.60.\nChecked monthly."
    [revision] = saved.revisions.all()
    assert (revision.version, revision.response, revision.saved_by, revision.submission_round) == (1, "yes", owner, 0)


def test_each_save_is_audited(application, owner):
    """The audit row names the criterion, the response and the version, from the previous response."""
    save(application, owner, "pay.direct", "no")
    save(application, owner, "pay.direct", "yes", version=1, explanation="Now we do.")
    first, second = AuditEvent.objects.for_object(application).filter(action="answer.save")
    assert (first.from_state, first.to_state) == ("", "no")
    assert (second.from_state, second.to_state) == ("no", "yes")
    assert second.note.startswith("1.1 'Every directly employed worker aged 18 or over is paid at")
    assert second.note.endswith(": Yes, we do this (version 2).")


def test_a_change_makes_a_new_version_and_keeps_the_old_one(application, owner, member):
    """Saving from the current version replaces the answer and keeps every earlier save as a revision."""
    save(application, owner, "pay.direct", "no")
    saved = save(application, member, "pay.direct", "yes", version=1, explanation="We do.")
    assert (saved.version, saved.updated_by) == (2, member)
    assert list(saved.revisions.values_list("version", "response", "saved_by")) == [
        (1, "no", owner.pk),
        (2, "yes", member.pk),
    ]


def test_saving_what_is_already_saved_changes_nothing(application, owner):
    """No new version, revision or audit row for a save that changes nothing."""
    save(application, owner, "pay.direct", "yes", explanation="We do.")
    again = save(application, owner, "pay.direct", "yes", version=1, explanation="We do.")
    assert again.version == 1
    assert AnswerRevision.objects.count() == 1
    assert AuditEvent.objects.filter(action="answer.save").count() == 1


def test_a_not_yet_with_a_plan_and_a_date_is_saved(application, owner):
    """Not yet, where allowed, keeps the plan and the date."""
    saved = save(
        application,
        owner,
        "pay.contractors",
        "not_yet",
        action_plan="At renewal.",
        target_date=datetime.date(2027, 9, 1),
    )
    assert (saved.response, saved.action_plan, saved.target_date) == (
        "not_yet",
        "At renewal.",
        datetime.date(2027, 9, 1),
    )


def test_fields_that_do_not_go_with_the_response_are_dropped(application, owner):
    """A No keeps nothing else; a Yes keeps no plan or date; a Not yet keeps no explanation."""
    no = save(application, owner, "pay.direct", "no", explanation="ignored", action_plan="ignored")
    assert (no.explanation, no.action_plan, no.target_date) == ("", "", None)
    yes = save(application, owner, "pay.contractors", "yes", explanation="Yes.", action_plan="x", target_date=TODAY)
    assert (yes.explanation, yes.action_plan, yes.target_date) == ("Yes.", "", None)
    later = save(
        application,
        owner,
        "pay.lwf",
        "not_yet",
        explanation="<b>x</b>",
        action_plan="Apply.",
        target_date=datetime.date(2027, 6, 1),
    )
    assert later.explanation == ""


@pytest.mark.parametrize(
    ("code", "response", "fields", "errors"),
    [
        ("pay.direct", "maybe", {}, {"response": "Select Yes or No"}),
        ("pay.contractors", "", {}, {"response": "Select Yes, Not yet or No"}),
        (
            "pay.direct",
            "not_yet",
            {"action_plan": "x", "target_date": datetime.date(2027, 6, 1)},
            {"response": "This criterion does not accept 'Not yet'. Select Yes or No"},
        ),
        ("pay.direct", "yes", {"explanation": "   "}, {"explanation": "Explain how your organisation does this"}),
        (
            "pay.direct",
            "yes",
            {"explanation": "x" * 5001},
            {"explanation": "Your explanation must be 5,000 characters or fewer"},
        ),
        (
            "pay.direct",
            "yes",
            {"explanation": "We pay <script>alert(1)</script>"},
            {"explanation": "Enter text without HTML tags or scripts (remove any < or > signs around words)"},
        ),
        (
            "pay.contractors",
            "not_yet",
            {},
            {"action_plan": "Enter your action plan", "target_date": "Enter the date by which you will do this"},
        ),
        (
            "pay.contractors",
            "not_yet",
            {"action_plan": "x" * 5001, "target_date": datetime.date(2027, 6, 1)},
            {"action_plan": "Your action plan must be 5,000 characters or fewer"},
        ),
        (
            "pay.contractors",
            "not_yet",
            {"action_plan": "Plan", "target_date": TODAY},
            {"target_date": "The target date must be in the future"},
        ),
        (
            "pay.contractors",
            "not_yet",
            {"action_plan": "Plan", "target_date": datetime.date(2020, 1, 1)},
            {"target_date": "The target date must be in the future"},
        ),
        (
            "pay.contractors",
            "not_yet",
            {"action_plan": "Plan", "target_date": datetime.date(2029, 3, 4)},
            {"target_date": "The target date must be within 2 years, by 3 March 2029"},
        ),
    ],
)
def test_each_rule_refuses_with_its_message_and_saves_nothing(application, owner, code, response, fields, errors):
    """Every broken rule is refused with the message a person sees, and nothing is written."""
    with pytest.raises(AnswerInvalid) as refused:
        save(application, owner, code, response, **fields)
    assert refused.value.errors == errors
    assert not Answer.objects.exists()
    assert not AuditEvent.objects.filter(action="answer.save").exists()


def test_a_date_two_years_ahead_is_the_last_allowed(application, owner):
    """3 March 2029 is within two years of 3 March 2027."""
    assert save(
        application, owner, "pay.contractors", "not_yet", action_plan="Plan", target_date=datetime.date(2029, 3, 3)
    )


def test_two_years_from_29_february_is_28_february():
    """The furthest date from a leap day lands on the 28th."""
    assert latest_target_date(datetime.date(2028, 2, 29)) == datetime.date(2030, 2, 28)


def test_a_criterion_that_does_not_apply_to_the_headcount_is_refused(application, owner):
    """The pay gap criterion is asked only at 250 or more: a 14-person organisation cannot answer it."""
    with pytest.raises(CriterionNotInApplication):
        save(application, owner, "inclusion.pay_gap", "yes", explanation="We publish it.")
    assert not Answer.objects.exists()


def test_a_criterion_of_another_edition_is_refused(application, owner):
    """An answer to a criterion from another edition of the charter (a forged id) is refused."""
    other = edition_load(actor=None, source=variant(lambda d: d.update(edition="2028", published="2027-12-01"))).edition
    forged = Criterion.objects.get(edition=other, code="pay.direct")
    with pytest.raises(CriterionNotInApplication) as refused:
        services.answer_save(actor=owner, application=application, criterion=forged, response="no", loaded_version=0)
    assert str(refused.value) == "This criterion is not part of your application."
    assert not Answer.objects.exists()


def test_an_outsider_cannot_answer(application, outsider):
    """Only the organisation's people can change its answers."""
    with pytest.raises(NotAMember):
        save(application, outsider, "pay.direct", "no")
    assert not Answer.objects.exists()


@pytest.mark.parametrize("status", [s for s in ApplicationStatus if s not in ("draft", "changes_requested")])
def test_answers_cannot_change_once_submitted(application, owner, status):
    """Outside draft and changes requested, every save is refused and nothing changes."""
    save(application, owner, "pay.direct", "no")
    force_status(application, status)
    with pytest.raises(ApplicationNotEditable) as refused:
        save(application, owner, "pay.direct", "yes", version=1, explanation="Changed.")
    assert (
        str(refused.value) == "This application has been submitted, so its answers and files can no longer be changed."
    )
    assert Answer.objects.get().response == "no"


def test_answers_can_change_while_changes_are_requested(application, owner):
    """Changes requested is editable: the revision records the round."""
    save(application, owner, "pay.direct", "no")
    force_status(application, ApplicationStatus.CHANGES_REQUESTED)
    application.submission_round = 1
    application.save()
    saved = save(application, owner, "pay.direct", "yes", version=1, explanation="Now we do.")
    assert saved.revisions.get(version=2).submission_round == 1


# --- two people, one answer -------------------------------------------------------------------------


def test_a_save_from_a_stale_version_is_refused_with_what_the_colleague_saved(application, owner, member):
    """Both loaded version 1; the member saved first; the owner's save is refused, naming the member and the time."""
    save(application, owner, "pay.direct", "no")
    save(application, member, "pay.direct", "yes", version=1, explanation="The member's answer.")
    with pytest.raises(AnswerConflict) as refused:
        save(application, owner, "pay.direct", "yes", version=1, explanation="The owner's answer.")
    assert str(refused.value) == (
        "Sam Saunders changed this answer at 10:00 while you were editing. "
        "Check their answer below and save again if you still want to change it."
    )
    assert refused.value.answer.explanation == "The member's answer."
    current = Answer.objects.get()
    assert (current.version, current.explanation) == (2, "The member's answer.")


def test_two_first_answers_at_once_the_second_is_refused(application, owner, member):
    """Two people answering a criterion nobody had answered: the second save is refused, not merged."""
    save(application, member, "pay.direct", "no")
    with pytest.raises(AnswerConflict):
        save(application, owner, "pay.direct", "yes", version=0, explanation="Mine.")
    assert Answer.objects.get().response == "no"


def test_after_a_conflict_saving_again_from_the_new_version_wins_and_both_are_kept(application, owner, member):
    """Nothing is lost: both people's saves are revisions, and both appear on the timeline."""
    save(application, owner, "pay.direct", "no")
    save(application, member, "pay.direct", "yes", version=1, explanation="The member's answer.")
    with pytest.raises(AnswerConflict):
        save(application, owner, "pay.direct", "yes", version=1, explanation="The owner's answer.")
    save(application, owner, "pay.direct", "yes", version=2, explanation="The owner's answer.")
    answer_row = Answer.objects.get()
    assert [r.explanation for r in answer_row.revisions.all()] == ["", "The member's answer.", "The owner's answer."]
    timeline = [entry.text for entry in application_timeline(application, include_edits=True)]
    assert timeline.count("Answer saved by Sam Saunders") == 1
    assert timeline.count("Answer saved by Bea Baker") == 2


def test_the_same_person_in_two_windows_is_told_so(application, owner):
    """A stale save by the person who saved last says it was them, in another window."""
    save(application, owner, "pay.direct", "no")
    save(application, owner, "pay.direct", "yes", version=1, explanation="Window one.")
    with pytest.raises(AnswerConflict) as refused:
        save(application, owner, "pay.direct", "yes", version=1, explanation="Window two.")
    assert str(refused.value).startswith("You changed this answer in another window at 10:00")


def test_a_conflict_from_another_day_gives_the_date(application, owner, member):
    """When the colleague saved on an earlier day, the message gives the date as well as the time."""
    with time_machine.travel(timezone.make_aware(datetime.datetime(2027, 3, 1, 16, 5)), tick=False):
        save(application, member, "pay.direct", "no")
    with pytest.raises(AnswerConflict) as refused:
        save(application, owner, "pay.direct", "yes", explanation="Mine.")
    assert "changed this answer at 16:05 on 1 March 2027" in str(refused.value)


def test_a_stale_form_that_left_the_answer_unchanged_is_not_a_conflict(application, owner, member):
    """Posting back exactly what was loaded saves nothing and keeps the colleague's newer answer."""
    save(application, owner, "pay.direct", "no")
    save(application, member, "pay.direct", "yes", version=1, explanation="The member's answer.")
    kept = save(application, owner, "pay.direct", "no", version=1)
    assert (kept.version, kept.response) == (2, "yes")
    assert AnswerRevision.objects.count() == 2


def test_a_stale_save_that_matches_the_colleagues_answer_is_accepted(application, owner, member):
    """Two people saving the same thing is no conflict."""
    save(application, member, "pay.direct", "no")
    assert save(application, owner, "pay.direct", "no", version=0).version == 1


# --- a page of answers together -------------------------------------------------------------------


def inputs(application, *items):
    return [
        AnswerInput(criterion=criterion(application, code), response=response, loaded_version=version, **fields)
        for code, response, version, fields in items
    ]


def test_a_page_of_answers_is_saved_together(application, owner):
    """Every answer on a page is saved in one go."""
    saved = services.answers_save(
        actor=owner,
        application=application,
        answers=inputs(
            application, ("hours.no_zero_hours", "yes", 0, {"explanation": "Reviewed."}), ("hours.notice", "no", 0, {})
        ),
    )
    assert [a.criterion.code for a in saved] == ["hours.no_zero_hours", "hours.notice"]
    assert Answer.objects.count() == 2


def test_one_refusal_on_a_page_saves_none_of_it_and_lists_each(application, owner, member):
    """A page with a bad answer and a stale one saves nothing, and says what is wrong with each."""
    save(application, member, "hours.notice", "no")
    with pytest.raises(AnswersRefused) as refused:
        services.answers_save(
            actor=owner,
            application=application,
            answers=inputs(
                application,
                ("pay.direct", "yes", 0, {"explanation": "Fine."}),
                ("pay.contractors", "yes", 0, {"explanation": ""}),
                ("hours.notice", "yes", 0, {"explanation": "Stale."}),
            ),
        )
    refusals = refused.value.refusals
    assert set(refusals) == {"pay.contractors", "hours.notice"}
    assert isinstance(refusals["pay.contractors"], AnswerInvalid)
    assert isinstance(refusals["hours.notice"], AnswerConflict)
    assert list(Answer.objects.values_list("criterion__code", flat=True)) == ["hours.notice"]


def test_the_helper_answers_from_the_current_version(application, owner):
    """tests.accreditation.helpers.answer saves from whatever version the answer has."""
    answer(application, owner, "pay.direct", AnswerChoice.NO)
    assert answer(application, owner, "pay.direct").version == 2
