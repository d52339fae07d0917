"""accreditation.selectors: scoping to the person's organisations, task statuses, gaps and the timeline."""

import pytest
from django.http import Http404

from accreditation import services
from accreditation.models import ApplicationStatus
from accreditation.selectors import (
    TIMELINE_WORDS,
    TaskStatus,
    application_for_member,
    application_state,
    application_timeline,
    applications_for_member,
    evidence_for_download,
    evidence_for_member,
    submission_gaps,
    task_list,
)
from audit.services import audit_record
from charter.levels import AnswerChoice
from tests.accreditation.helpers import add_evidence, answer, complete, force_status
from tests.factories import OfficerFactory


def test_a_member_reaches_their_organisations_application(application, member):
    """Found through the membership, with the organisation and edition selected."""
    found = application_for_member(member, application.pk)
    assert found == application
    assert found.organisation.legal_name == "Golden Crust Bakery Ltd"


@pytest.mark.parametrize("who", ["outsider", "officer", "anonymous"])
def test_anyone_else_gets_404(application, outsider, who):
    """Another organisation's user, an officer or an anonymous visitor: Http404 (a refusal would confirm it exists)."""
    from django.contrib.auth.models import AnonymousUser

    user = {"outsider": outsider, "officer": OfficerFactory(), "anonymous": AnonymousUser()}[who]
    with pytest.raises(Http404):
        application_for_member(user, application.pk)
    assert not applications_for_member(user).exists()


def test_evidence_is_found_only_through_its_application(application, owner, outsider):
    """A file is reached only with its own application's id, by its organisation's people; officers see any."""
    item = add_evidence(application, owner, "pay.direct")
    assert evidence_for_member(owner, application_pk=application.pk, evidence_pk=item.pk) == item
    with pytest.raises(Http404):
        evidence_for_member(owner, application_pk=application.pk + 1, evidence_pk=item.pk)
    with pytest.raises(Http404):
        evidence_for_member(outsider, application_pk=application.pk, evidence_pk=item.pk)
    assert evidence_for_download(OfficerFactory(), application_pk=application.pk, evidence_pk=item.pk) == item
    with pytest.raises(Http404):
        evidence_for_download(OfficerFactory(), application_pk=application.pk, evidence_pk=item.pk + 1)


def state_of(application, user):
    return application_state(application_for_member(user, application.pk))


def test_task_statuses_follow_answers_and_files(application, owner):
    """Not started, In progress (some answered, or a Yes still without its file), Completed."""
    answer(application, owner, "hours.no_zero_hours")
    answer(application, owner, "fair.no_fire_rehire")
    answer(application, owner, "fair.no_blacklisting", AnswerChoice.NO)
    answer(application, owner, "voice.unions")  # a Yes that asks for a file
    answer(application, owner, "voice.forum", AnswerChoice.NOT_YET)
    statuses = {task.code: task.status for task in task_list(application_for_member(owner, application.pk))}
    assert statuses["pay"] == TaskStatus.NOT_STARTED
    assert statuses["hours"] == TaskStatus.IN_PROGRESS
    assert statuses["fair"] == TaskStatus.COMPLETED
    assert statuses["voice"] == TaskStatus.IN_PROGRESS
    add_evidence(application, owner, "voice.unions")
    assert state_of(application, owner).commitment("voice").status == TaskStatus.COMPLETED


def test_a_commitment_with_nothing_to_answer_is_complete(application, owner, organisation):
    """At 14 employees every commitment has criteria; a commitment none of whose criteria apply would be Completed."""
    state = state_of(application, owner)
    inclusion = state.commitment("inclusion")
    assert [c.code for c in inclusion.criteria] == ["inclusion.recruitment"]
    inclusion.criteria.clear()
    from accreditation.selectors.employer import _task_status

    assert _task_status(inclusion, frozenset()) == TaskStatus.COMPLETED


def test_queried_criteria_make_their_task_need_changes(application, owner):
    """Issue 4 passes the queried criteria: their commitment shows "Needs changes" with a red tag."""
    complete(application, owner)
    state = application_state(application_for_member(owner, application.pk), queried_codes=frozenset({"pay.lwf"}))
    pay = state.commitment("pay")
    assert (pay.status, pay.status_label, pay.status_tag) == ("needs_changes", "Needs changes", "govuk-tag--red")
    assert state.commitment("hours").status == TaskStatus.COMPLETED


def test_the_headcount_decides_which_criteria_are_asked(application, owner, organisation):
    """While editable the organisation's headcount counts; once submitted, the one stamped at submission."""
    organisation.employee_count = 300
    organisation.save()
    assert "inclusion.pay_gap" in state_of(application, owner).criteria_by_code
    complete(application, owner)
    services.application_submit(actor=owner, application=application, declaration_name="B", declaration_role="D")
    organisation.employee_count = 5
    organisation.save()
    state = state_of(application, owner)
    assert state.employees == 300 and "inclusion.pay_gap" in state.criteria_by_code


def test_next_commitment_goes_in_order_and_ends(application, owner):
    """Save and continue's order: the charter's, ending after the last."""
    state = state_of(application, owner)
    assert state.next_commitment("pay").code == "hours"
    assert state.next_commitment("local") is None
    assert state.next_commitment("nonsense") is None


def test_no_gaps_once_everything_is_done(application, owner):
    """A complete application with a name and role has no gaps."""
    complete(application, owner)
    assert submission_gaps(state_of(application, owner), declaration_name="Bea", declaration_role="Owner") == []


def test_gaps_are_in_the_charters_order(application, owner):
    """Gaps follow the task list, then the declaration."""
    gaps = submission_gaps(state_of(application, owner))
    assert gaps[0].text.startswith("Answer 1.1:") and gaps[-1].field == "declaration_role"
    assert len(gaps) == 17 + 2


def test_the_timeline_reads_in_plain_english(application, owner, member):
    """Started, answers, files and submission, in order, naming the people."""
    answer(application, member, "pay.uplift")
    complete(application, owner)
    services.application_submit(actor=owner, application=application, declaration_name="Bea", declaration_role="Owner")
    full = application_timeline(application, include_edits=True)
    assert full[0].text == "Application started by Bea Baker"
    assert full[1].text == "Answer saved by Sam Saunders"
    assert "File added by Bea Baker" in [entry.text for entry in full]
    assert full[-1].text == "Submitted by Bea Baker"
    major = application_timeline(application)
    assert [entry.text for entry in major] == ["Application started by Bea Baker", "Submitted by Bea Baker"]


def test_actions_of_later_issues_read_sensibly_until_they_are_named(application, owner):
    """An audited action not in TIMELINE_WORDS (issue 4's, say) still reads as words, as a change of state."""
    audit_record(
        actor=None, action="application.take_for_review", obj=application, from_state="submitted", to_state="in_review"
    )
    [_, entry] = application_timeline(application)
    assert entry.text == "Take for review by the council"
    assert "application.take_for_review" not in TIMELINE_WORDS


def test_applicable_criteria_carry_their_numbers(application, owner):
    """Numbers are the charter's: commitment then criterion, whatever applies."""
    state = state_of(application, owner)
    assert state.criteria_by_code["pay.lwf"].number == "1.4"
    assert state.criteria_by_code["inclusion.recruitment"].number == "6.1"


def test_state_reads_a_fixed_number_of_queries(application, owner, django_assert_num_queries):
    """Answers and files are two queries, however many there are."""
    complete(application, owner)
    loaded = application_for_member(owner, application.pk)
    with django_assert_num_queries(2):
        application_state(loaded)


def test_status_changes_keep_the_application_reachable(application, owner):
    """A withdrawn application is still found (to read it)."""
    force_status(application, ApplicationStatus.WITHDRAWN)
    assert application_for_member(owner, application.pk).status == "withdrawn"


def test_the_employer_timeline_leaves_out_officers_working_steps_and_unknown_actions(application, owner):
    """Verify/query marks and an action the timeline does not know are for officers only; officers see all."""
    from accreditation.selectors import application_timeline

    officer = OfficerFactory(full_name="Olive Officer")
    audit_record(actor=officer, action="criterion.verify", obj=application, note="Payslips seen.")
    audit_record(actor=officer, action="application.some_new_internal_step", obj=application, note="Internal.")
    audit_record(actor=officer, action="application.take", obj=application)
    employer = [entry.action for entry in application_timeline(application, include_edits=True, for_employer=True)]
    officers = [entry.action for entry in application_timeline(application, include_edits=True)]
    assert employer == ["application.start", "application.take"]
    assert officers == [
        "application.start",
        "criterion.verify",
        "application.some_new_internal_step",
        "application.take",
    ]
