"""accreditation.services.review: taking, reassigning, marking criteria and asking for changes (issue 4)."""

import pytest
from django.core import mail

from accreditation import services
from accreditation.exceptions import (
    AlreadyTaken,
    CriterionNotReviewable,
    InputInvalid,
    InvalidTransition,
    NoQueries,
    NotALeadOfficer,
    NotAnOfficer,
    NotAssignedOfficer,
)
from accreditation.models import (
    Answer,
    AnswerRevision,
    Application,
    ApplicationStatus,
    CriterionReview,
    Evidence,
    ReviewOutcome,
)
from accreditation.selectors import TaskStatus, application_for_member, queries_for, task_list
from accreditation.tasks import send_changes_requested_email
from audit.models import AuditEvent
from tests.accreditation.helpers import ALL_STATUSES, add_evidence, answer, criterion, force_status, submit
from tests.accreditation.helpers import submitted_application as build_submitted
from tests.accreditation.review_helpers import BASE_URL, make_officer, query, take, verify


@pytest.fixture
def olive(db):
    return make_officer("Olive Officer")


@pytest.fixture
def oscar(db):
    return make_officer("Oscar Second")


@pytest.fixture
def lead(db):
    return make_officer("Lena Lead", lead=True)


@pytest.fixture
def submitted(charter_edition, organisation, owner, member):
    return build_submitted(organisation=organisation, actor=owner)


@pytest.fixture
def in_review(submitted, olive):
    return take(submitted, olive)


def last_event(application, action):
    return AuditEvent.objects.for_object(application).filter(action=action).last()


def broken(*args, **kwargs):
    raise RuntimeError("the audit record is down")


# --- taking a case -------------------------------------------------------------------------------


def test_an_officer_takes_a_submitted_case(submitted, olive, django_capture_on_commit_callbacks):
    """Taking moves the case to in review, assigned to the officer, audited, and tells the employer's users."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        taken = services.application_take(actor=olive, application=submitted, base_url=BASE_URL)
    taken.refresh_from_db()
    assert taken.status == ApplicationStatus.IN_REVIEW
    assert taken.assigned_to == olive and taken.assigned_at is not None
    event = last_event(taken, "application.take")
    assert (event.actor, event.from_state, event.to_state) == (olive, "submitted", "in_review")
    assert event.note == "Taken by Olive Officer (round 1)."
    assert sorted(m.to[0] for m in mail.outbox) == ["bea@goldencrust.example", "sam@goldencrust.example"]
    message = mail.outbox[0]
    assert message.subject == f"Fine City Employers Charter: we are checking application {taken.reference}"
    assert "has started checking Golden Crust Bakery Ltd's application" in message.body
    assert "http://testserver/employer/" in message.body
    assert "<strong>Golden Crust Bakery Ltd</strong>" in message.alternatives[0][0]


def test_taking_sends_nothing_before_the_commit(submitted, olive, django_capture_on_commit_callbacks):
    """The email is queued for after the commit, not sent inside the transaction."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        take(submitted, olive)
    assert mail.outbox == [] and len(callbacks) == 1


def test_a_second_officer_is_told_who_has_the_case(in_review, oscar):
    """Taking a case another officer has is refused with their name, and changes nothing."""
    with pytest.raises(AlreadyTaken, match="Olive Officer has already taken this case") as caught:
        take(in_review, oscar)
    assert caught.value.officer.full_name == "Olive Officer"
    in_review.refresh_from_db()
    assert in_review.assigned_to.full_name == "Olive Officer"


def test_taking_your_own_case_again_is_refused(in_review, olive):
    with pytest.raises(AlreadyTaken, match="You have already taken this case"):
        take(in_review, olive)


@pytest.mark.parametrize("status", [s for s in ALL_STATUSES if s not in ("submitted", "in_review")])
def test_taking_is_refused_from_every_other_status(submitted, olive, status):
    """Only a submitted case can be taken; every other status is refused in plain words, nothing changed."""
    force_status(submitted, status)
    with pytest.raises(InvalidTransition, match="so it cannot be taken for review"):
        take(submitted, olive)
    submitted.refresh_from_db()
    assert submitted.status == status and submitted.assigned_to is None


def test_only_officers_can_take_a_case(submitted, owner):
    with pytest.raises(NotAnOfficer, match="Only council officers can do this"):
        take(submitted, owner)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED


def test_an_error_mid_take_leaves_the_case_as_it_was(submitted, olive, monkeypatch, django_capture_on_commit_callbacks):
    """Atomic: a failure while auditing leaves the case submitted and unassigned, and sends nothing."""
    monkeypatch.setattr("accreditation.services.transitions.audit_record", broken)
    mail.outbox.clear()
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        take(submitted, olive)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.assigned_to, submitted.assigned_at) == ("submitted", None, None)
    assert mail.outbox == []


# --- reassigning ------------------------------------------------------------------------------------


def test_a_lead_officer_reassigns_a_case(in_review, lead, oscar):
    """The case moves to the other officer, keeps its status, and the audit names both officers."""
    services.application_reassign(actor=lead, application=in_review, officer=oscar)
    in_review.refresh_from_db()
    assert in_review.assigned_to == oscar and in_review.status == ApplicationStatus.IN_REVIEW
    event = last_event(in_review, "application.reassign")
    assert event.actor == lead
    assert (event.from_state, event.to_state) == ("in_review", "in_review")
    assert event.note == "Reassigned from Olive Officer to Oscar Second."


def test_a_lead_officer_can_assign_a_submitted_case(submitted, lead, oscar):
    services.application_reassign(actor=lead, application=submitted, officer=oscar)
    submitted.refresh_from_db()
    assert submitted.assigned_to == oscar and submitted.status == ApplicationStatus.SUBMITTED
    assert last_event(submitted, "application.reassign").note == "Reassigned from nobody to Oscar Second."


def test_an_officer_who_is_not_a_lead_cannot_reassign(in_review, oscar, olive):
    with pytest.raises(NotALeadOfficer, match="Only a lead officer can reassign a case"):
        services.application_reassign(actor=oscar, application=in_review, officer=oscar)
    in_review.refresh_from_db()
    assert in_review.assigned_to == olive


def test_a_case_can_only_go_to_an_officer(in_review, lead, owner):
    with pytest.raises(InputInvalid, match="Choose a council officer"):
        services.application_reassign(actor=lead, application=in_review, officer=owner)


def test_reassigning_to_the_same_officer_is_refused(in_review, lead, olive):
    with pytest.raises(InputInvalid, match="Olive Officer already has this case"):
        services.application_reassign(actor=lead, application=in_review, officer=olive)


@pytest.mark.parametrize("status", ["draft", "recommended", "approved", "rejected", "withdrawn"])
def test_reassigning_is_refused_once_recommended_or_finished(in_review, lead, oscar, olive, status):
    force_status(in_review, status)
    with pytest.raises(InvalidTransition, match="so it cannot be reassigned"):
        services.application_reassign(actor=lead, application=in_review, officer=oscar)
    in_review.refresh_from_db()
    assert in_review.assigned_to == olive


# --- marking criteria -----------------------------------------------------------------------------


def test_the_assigned_officer_verifies_a_criterion(in_review, olive):
    """A verification is stored for this round, with who and when, and audited."""
    review = verify(in_review, olive, "pay.direct", note="Checked the payroll summary.")
    assert (review.outcome, review.submission_round, review.reviewed_by) == ("verified", 1, olive)
    assert review.note == "Checked the payroll summary."
    event = last_event(in_review, "criterion.verify")
    assert (event.actor, event.from_state, event.to_state) == (olive, "", "verified")
    assert event.note == "1.1 pay.direct: Verified. Checked the payroll summary."


def test_the_assigned_officer_queries_a_criterion_with_a_note(in_review, olive):
    review = query(in_review, olive, "pay.direct", note="The payslip is for a manager.")
    assert review.outcome == ReviewOutcome.QUERY and review.note == "The payslip is for a manager."
    assert last_event(in_review, "criterion.query").to_state == "query"


def test_a_query_needs_a_note(in_review, olive):
    with pytest.raises(InputInvalid, match="Enter your query") as caught:
        query(in_review, olive, "pay.direct", note="   ")
    assert "note" in caught.value.errors
    assert not CriterionReview.objects.exists()


def test_notes_are_plain_text_of_limited_length(in_review, olive):
    with pytest.raises(InputInvalid, match="without HTML tags"):
        query(in_review, olive, "pay.direct", note="<script>alert(1)</script>")
    with pytest.raises(InputInvalid, match="2,000 characters or fewer"):
        verify(in_review, olive, "pay.direct", note="x" * 2001)
    assert not CriterionReview.objects.exists()


def test_marking_again_in_a_round_replaces_the_outcome_and_the_audit_keeps_both(in_review, olive):
    query(in_review, olive, "pay.direct", note="Which roles?")
    verify(in_review, olive, "pay.direct")
    review = CriterionReview.objects.get()
    assert review.outcome == ReviewOutcome.VERIFIED and review.note == ""
    events = AuditEvent.objects.for_object(in_review).filter(action__startswith="criterion.")
    assert [(e.from_state, e.to_state) for e in events] == [("", "query"), ("query", "verified")]


def test_only_the_assigned_officer_marks_criteria(in_review, oscar):
    with pytest.raises(NotAssignedOfficer, match="Olive Officer has this case: only the officer assigned"):
        verify(in_review, oscar, "pay.direct")
    assert not CriterionReview.objects.exists()


def test_non_officers_cannot_mark_criteria(in_review, owner):
    with pytest.raises(NotAnOfficer):
        verify(in_review, owner, "pay.direct")


@pytest.mark.parametrize("status", [s for s in ALL_STATUSES if s != "in_review"])
def test_criteria_are_marked_only_in_review(in_review, olive, status):
    force_status(in_review, status)
    with pytest.raises(InvalidTransition, match="only while it is in review"):
        query(in_review, olive, "pay.direct")
    assert not CriterionReview.objects.exists()


def test_a_criterion_that_does_not_apply_cannot_be_marked(in_review, olive):
    """Pay-gap reporting applies from 250 employees; this bakery has 14."""
    with pytest.raises(CriterionNotReviewable):
        verify(in_review, olive, "inclusion.pay_gap")


def test_an_error_mid_review_stores_nothing(in_review, olive, monkeypatch):
    monkeypatch.setattr("accreditation.services.review.audit_record", broken)
    with pytest.raises(RuntimeError):
        verify(in_review, olive, "pay.direct")
    assert not CriterionReview.objects.exists()


# --- asking for changes -----------------------------------------------------------------------------


def test_asking_for_changes_sends_the_queries(in_review, olive, django_capture_on_commit_callbacks):
    """With a query, the case goes back to the employer, audited; their users get the queries by email."""
    query(in_review, olive, "pay.direct", note="Send payslips for roles paid < £13 & under 21s.")
    verify(in_review, olive, "pay.uplift")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_request_changes(
            actor=olive, application=in_review, note="Nearly there.", base_url=BASE_URL
        )
    in_review.refresh_from_db()
    assert in_review.status == ApplicationStatus.CHANGES_REQUESTED
    assert in_review.changes_requested_at is not None and in_review.changes_requested_note == "Nearly there."
    event = last_event(in_review, "application.request_changes")
    assert (event.actor, event.from_state, event.to_state) == (olive, "in_review", "changes_requested")
    assert event.note == "1 query (pay.direct). Nearly there."
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert message.subject == f"Fine City Employers Charter: changes needed to application {in_review.reference}"
    assert "1.1 " in message.body and "Send payslips for roles paid < £13 & under 21s." in message.body
    assert "Nearly there." in message.body
    html = message.alternatives[0][0]
    assert "roles paid &lt; £13 &amp; under 21s." in html
    assert "pay.uplift" not in message.body


def test_query_notes_are_escaped_in_the_html_email(in_review, olive):
    """Even a note that reached the database with markup (not through the service) is escaped in HTML."""
    CriterionReview.objects.create(
        application=in_review,
        criterion=criterion(in_review, "pay.direct"),
        submission_round=1,
        outcome="query",
        note="<script>alert('x')</script>",
        reviewed_by=olive,
        reviewed_at=in_review.submitted_at,
    )
    Application.objects.filter(pk=in_review.pk).update(changes_requested_at=in_review.submitted_at)
    mail.outbox.clear()
    send_changes_requested_email.call(application_id=in_review.pk, link="http://testserver/x/")
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>alert('x')</script>" in mail.outbox[0].body  # the text part is plain text


def test_asking_for_changes_needs_a_query(in_review, olive):
    verify(in_review, olive, "pay.direct")
    with pytest.raises(NoQueries, match="Raise a query on at least one criterion"):
        services.application_request_changes(actor=olive, application=in_review)
    in_review.refresh_from_db()
    assert in_review.status == ApplicationStatus.IN_REVIEW


def test_only_the_assigned_officer_asks_for_changes(in_review, olive, oscar):
    query(in_review, olive, "pay.direct")
    with pytest.raises(NotAssignedOfficer):
        services.application_request_changes(actor=oscar, application=in_review)
    in_review.refresh_from_db()
    assert in_review.status == ApplicationStatus.IN_REVIEW


@pytest.mark.parametrize("status", [s for s in ALL_STATUSES if s != "in_review"])
def test_asking_for_changes_is_refused_from_every_other_status(in_review, olive, status):
    query(in_review, olive, "pay.direct")
    force_status(in_review, status)
    expected = "is waiting for your changes" if status == "changes_requested" else "cannot be sent back for changes"
    with pytest.raises(InvalidTransition, match=expected):
        services.application_request_changes(actor=olive, application=in_review)
    in_review.refresh_from_db()
    assert in_review.status == status and in_review.changes_requested_at is None


def test_an_error_mid_request_leaves_the_case_in_review(
    in_review, olive, monkeypatch, django_capture_on_commit_callbacks
):
    query(in_review, olive, "pay.direct")
    monkeypatch.setattr("accreditation.services.transitions.audit_record", broken)
    mail.outbox.clear()
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        services.application_request_changes(actor=olive, application=in_review, note="Hello")
    in_review.refresh_from_db()
    assert (in_review.status, in_review.changes_requested_at, in_review.changes_requested_note) == (
        "in_review",
        None,
        "",
    )
    assert mail.outbox == []


# --- the employer's side of a query ------------------------------------------------------------------


@pytest.fixture
def sent_back(in_review, olive):
    query(in_review, olive, "pay.direct", note="Send payslips for the lowest-paid roles.")
    verify(in_review, olive, "hours.notice")
    return services.application_request_changes(actor=olive, application=in_review)


def test_the_task_list_shows_needs_changes_for_a_queried_commitment(sent_back, owner):
    """The queried commitment reads "Needs changes"; the others keep their own status."""
    tasks = {task.code: task for task in task_list(application_for_member(owner, sent_back.pk))}
    assert tasks["pay"].status == TaskStatus.NEEDS_CHANGES and tasks["pay"].status_label == "Needs changes"
    assert tasks["hours"].status == TaskStatus.COMPLETED


def test_the_employer_sees_the_queries(sent_back):
    assert queries_for(sent_back) == {"pay.direct": "Send payslips for the lowest-paid roles."}


def test_acting_on_a_query_clears_needs_changes(sent_back, owner):
    """Once the employer changes the queried answer (or adds a file), the task is no longer "Needs changes"."""
    answer(sent_back, owner, "pay.direct", explanation="Payslips attached for every role.")
    tasks = {task.code: task for task in task_list(application_for_member(owner, sent_back.pk))}
    assert tasks["pay"].status == TaskStatus.COMPLETED
    assert queries_for(sent_back) == {"pay.direct": "Send payslips for the lowest-paid roles."}


def test_resubmitting_tells_the_officer_and_keeps_the_history(
    sent_back, owner, olive, django_capture_on_commit_callbacks
):
    """Round 2: the assigned officer is emailed; earlier answers, files and reviews stay."""
    answer(sent_back, owner, "pay.direct", explanation="Payslips attached for every role.")
    add_evidence(sent_back, owner, "pay.direct", name="payslips.pdf", description="Payslips, April")
    revisions_before = AnswerRevision.objects.filter(answer__application=sent_back).count()
    files_before = Evidence.objects.filter(application=sent_back).count()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resubmitted = submit(sent_back, owner)
    resubmitted.refresh_from_db()
    assert resubmitted.status == ApplicationStatus.SUBMITTED and resubmitted.submission_round == 2
    assert resubmitted.assigned_to == olive
    to_officer = [m for m in mail.outbox if m.to == [olive.email]]
    assert len(to_officer) == 1
    assert to_officer[0].subject == (
        f"Fine City Employers Charter: case {resubmitted.reference} has been resubmitted to you"
    )
    assert "A case has been resubmitted to you" in to_officer[0].body and "(round 2)" in to_officer[0].body
    assert "http://testserver/officer/" in to_officer[0].body
    assert AnswerRevision.objects.filter(answer__application=sent_back).count() == revisions_before
    assert Evidence.objects.filter(application=sent_back).count() == files_before
    assert CriterionReview.objects.filter(application=sent_back, submission_round=1).count() == 2
    assert Answer.objects.get(application=sent_back, criterion__code="pay.direct").version == 2
    assert queries_for(resubmitted) == {}


def test_a_resubmitted_case_stays_with_its_officer(sent_back, owner, olive, oscar):
    """Another officer cannot take it; the officer who has it can."""
    submit(sent_back, owner)
    with pytest.raises(AlreadyTaken, match="Olive Officer has already taken this case"):
        take(sent_back, oscar)
    taken = take(sent_back, olive)
    assert taken.status == ApplicationStatus.IN_REVIEW and taken.submission_round == 2


def test_adding_a_file_to_a_queried_criterion_clears_needs_changes(sent_back, owner):
    add_evidence(sent_back, owner, "pay.direct", name="payslips.pdf", description="Payslips, April")
    tasks = {task.code: task for task in task_list(application_for_member(owner, sent_back.pk))}
    assert tasks["pay"].status == TaskStatus.COMPLETED


def test_a_lead_officer_can_hand_over_a_case_waiting_for_changes(sent_back, lead, oscar, owner):
    """The resubmission then goes to the new officer."""
    services.application_reassign(actor=lead, application=sent_back, officer=oscar)
    answer(sent_back, owner, "pay.direct", explanation="Payslips attached.")
    resubmitted = submit(sent_back, owner)
    assert resubmitted.assigned_to == oscar


def test_a_superuser_counts_as_a_lead_officer(in_review, oscar):
    admin = make_officer("Ada Admin")
    admin.is_superuser = True
    admin.save()
    assert services.is_lead_officer(admin) and not services.is_lead_officer(oscar)
    services.application_reassign(actor=admin, application=in_review, officer=oscar)
    in_review.refresh_from_db()
    assert in_review.assigned_to == oscar


def test_a_criterion_of_another_edition_cannot_be_marked(in_review, olive):
    from charter.models import Criterion

    other = Criterion.objects.exclude(edition=in_review.edition).first()
    if other is None:  # one edition loaded: make the criterion look foreign
        other = criterion(in_review, "pay.direct")
        other.edition_id = in_review.edition_id + 1
    with pytest.raises(CriterionNotReviewable):
        services.criterion_verify(actor=olive, application=in_review, criterion=other)
