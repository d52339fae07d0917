"""accreditation.services.decisions: recommending a level, approving with four eyes, rejecting (issue 4)."""

import dataclasses
import datetime

import pytest
from django.core import mail

from accreditation import services
from accreditation.exceptions import (
    FourEyesRequired,
    InputInvalid,
    InvalidTransition,
    LevelNotAllowed,
    NoFeeBand,
    NotAnOfficer,
    NotAssignedOfficer,
    RecommendedForRejection,
    ReviewIncomplete,
)
from accreditation.models import (
    Accreditation,
    AccreditationStatus,
    AnswerRevision,
    Application,
    ApplicationStatus,
    CriterionReview,
    Evidence,
    FeeBand,
    FeeSchedule,
)
from accreditation.selectors import review_progress
from accreditation.tasks import send_application_rejected_email
from audit.models import AuditEvent
from charter.levels import AnswerChoice, compute_level
from employers.models import Organisation, OrganisationType
from tests.accreditation.helpers import (
    ALL_STATUSES,
    add_evidence,
    answer,
    complete,
    force_status,
    start_application,
    submit,
)
from tests.accreditation.review_helpers import BASE_URL, make_officer, query, recommend, take, verify, verify_all


@pytest.fixture
def olive(db):
    return make_officer("Olive Officer")


@pytest.fixture
def oscar(db):
    return make_officer("Oscar Second")


def _submitted(organisation, owner, responses=None):
    application = start_application(organisation=organisation, actor=owner)
    complete(application, owner, responses=responses or {})
    return submit(application, owner)


@pytest.fixture
def in_review(charter_edition, organisation, owner, member, olive):
    """Answered Yes throughout (Champion), taken by Olive."""
    return take(_submitted(organisation, owner), olive)


@pytest.fixture
def accredited_case(charter_edition, organisation, owner, member, olive):
    """Two optional commitments answered No: the answers reach Accredited Employer, not Champion."""
    no = {"voice.unions": AnswerChoice.NO, "skills.apprenticeships": AnswerChoice.NO}
    return take(_submitted(organisation, owner, no), olive)


@pytest.fixture
def recommended(in_review, olive):
    return recommend(in_review, olive)


def last_event(application, action):
    return AuditEvent.objects.for_object(application).filter(action=action).last()


def broken(*args, **kwargs):
    raise RuntimeError("the audit record is down")


# --- recommending -------------------------------------------------------------------------------------


def test_the_assigned_officer_recommends_the_verified_level(in_review, olive):
    """With every criterion verified, the level the answers reach is recommended, stamped and audited."""
    verify_all(in_review, olive)
    done = services.application_recommend(actor=olive, application=in_review, level_code="champion")
    done.refresh_from_db()
    assert done.status == ApplicationStatus.RECOMMENDED
    assert (done.recommended_level_code, done.recommended_by, done.recommendation_reason) == ("champion", olive, "")
    assert done.recommended_at is not None
    event = last_event(done, "application.recommend")
    assert (event.actor, event.from_state, event.to_state) == (olive, "in_review", "recommended")
    assert event.note == "Recommended Champion (the verified answers reach Champion)."


def test_a_lower_level_needs_a_reason(accredited_case, olive):
    verify_all(accredited_case, olive)
    with pytest.raises(InputInvalid, match="Give your reason for recommending Supporter") as caught:
        services.application_recommend(actor=olive, application=accredited_case, level_code="supporter")
    assert "reason" in caught.value.errors
    done = services.application_recommend(
        actor=olive, application=accredited_case, level_code="supporter", reason="The forum has not met this year."
    )
    assert done.recommended_level_code == "supporter"
    assert last_event(done, "application.recommend").note.endswith("The forum has not met this year.")


def test_a_higher_level_is_never_recommended(accredited_case, olive):
    verify_all(accredited_case, olive)
    with pytest.raises(LevelNotAllowed, match="reach Accredited Employer: you cannot recommend a higher level"):
        services.application_recommend(actor=olive, application=accredited_case, level_code="champion", reason="Why")
    accredited_case.refresh_from_db()
    assert accredited_case.status == ApplicationStatus.IN_REVIEW


def test_an_unknown_level_is_refused(in_review, olive):
    verify_all(in_review, olive)
    with pytest.raises(LevelNotAllowed, match="Choose one of the charter's levels"):
        services.application_recommend(actor=olive, application=in_review, level_code="platinum")


def test_below_the_lowest_level_nothing_can_be_recommended(in_review, olive, monkeypatch):
    """If the verified answers reach no level, recommending a level is refused: rejection is the way."""
    import accreditation.services.decisions as decisions

    real = decisions.review_progress

    def below(application):
        progress = real(application)
        level = compute_level(progress.content, employees=application.employee_count, answers={})
        return dataclasses.replace(progress, level=level)

    monkeypatch.setattr(decisions, "review_progress", below)
    verify_all(in_review, olive)
    with pytest.raises(LevelNotAllowed, match="reach no level \\(Below Supporter\\).*Recommend rejection instead"):
        services.application_recommend(actor=olive, application=in_review, level_code="supporter", reason="x")


def test_every_criterion_needs_an_outcome_first(in_review, olive):
    verify_all(in_review, olive, except_codes=("pay.direct", "local.suppliers"))
    with pytest.raises(ReviewIncomplete, match="Not marked yet: pay.direct, local.suppliers") as caught:
        services.application_recommend(actor=olive, application=in_review, level_code="champion")
    assert caught.value.codes == ("pay.direct", "local.suppliers")
    in_review.refresh_from_db()
    assert in_review.status == ApplicationStatus.IN_REVIEW


def test_open_queries_stop_a_recommendation(in_review, olive):
    verify_all(in_review, olive)
    query(in_review, olive, "hours.notice", note="How much notice?")
    with pytest.raises(ReviewIncomplete, match="open queries.*Queried: hours.notice"):
        services.application_recommend(actor=olive, application=in_review, level_code="champion")


def test_only_the_assigned_officer_recommends(in_review, olive, oscar, owner):
    verify_all(in_review, olive)
    with pytest.raises(NotAssignedOfficer):
        services.application_recommend(actor=oscar, application=in_review, level_code="champion")
    with pytest.raises(NotAnOfficer):
        services.application_recommend(actor=owner, application=in_review, level_code="champion")
    in_review.refresh_from_db()
    assert in_review.status == ApplicationStatus.IN_REVIEW and in_review.recommended_by is None


@pytest.mark.parametrize("status", [s for s in ALL_STATUSES if s != "in_review"])
def test_recommending_is_refused_from_every_other_status(in_review, olive, status):
    verify_all(in_review, olive)
    force_status(in_review, status)
    with pytest.raises(InvalidTransition, match="This application"):
        services.application_recommend(actor=olive, application=in_review, level_code="champion")
    in_review.refresh_from_db()
    assert in_review.status == status and in_review.recommended_level_code == ""


def test_an_error_mid_recommendation_changes_nothing(in_review, olive, monkeypatch):
    verify_all(in_review, olive)
    monkeypatch.setattr("accreditation.services.transitions.audit_record", broken)
    with pytest.raises(RuntimeError):
        services.application_recommend(actor=olive, application=in_review, level_code="champion")
    in_review.refresh_from_db()
    assert (in_review.status, in_review.recommended_level_code, in_review.recommended_by) == ("in_review", "", None)


def test_rejection_is_recommended_with_a_reason(in_review, olive):
    """Open queries do not stop a recommendation to reject; a reason is required."""
    query(in_review, olive, "pay.direct", note="No payslips.")
    with pytest.raises(InputInvalid, match="Give your reason for recommending rejection"):
        services.application_recommend_rejection(actor=olive, application=in_review, reason=" ")
    done = services.application_recommend_rejection(
        actor=olive, application=in_review, reason="No evidence of the Living Wage after two requests."
    )
    done.refresh_from_db()
    assert (done.status, done.recommended_level_code, done.recommended_by) == ("recommended", "", olive)
    event = last_event(done, "application.recommend_rejection")
    assert (event.from_state, event.to_state) == ("in_review", "recommended")
    assert event.note == "Recommended rejection. No evidence of the Living Wage after two requests."


# --- approving ----------------------------------------------------------------------------------------


def test_a_second_officer_approves_and_the_accreditation_awaits_its_fee(
    recommended, oscar, olive, django_capture_on_commit_callbacks
):
    """Approval creates the accreditation (awaiting fee, at the level), audits both, and tells the employer."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = services.application_approve(actor=oscar, application=recommended, note="Good case.", base_url=BASE_URL)
    done.refresh_from_db()
    assert (done.status, done.decided_by, done.decision_note) == ("approved", oscar, "Good case.")
    accreditation = Accreditation.objects.get()
    assert accreditation.application == done and accreditation.organisation == done.organisation
    assert (accreditation.level_code, accreditation.level_name) == ("champion", "Champion")
    assert accreditation.status == AccreditationStatus.AWAITING_FEE
    assert accreditation.approved_by == oscar and accreditation.valid_from is None and accreditation.valid_until is None
    assert accreditation.officer_status_label == "Approved, awaiting fee"
    event = last_event(done, "application.approve")
    assert (event.actor, event.from_state, event.to_state) == (oscar, "recommended", "approved")
    assert event.note == "Approved at Champion, as recommended by Olive Officer. Good case."
    created = AuditEvent.objects.for_object(accreditation).get()
    assert (created.action, created.to_state) == ("accreditation.create", "awaiting_fee")
    assert sorted(m.to[0] for m in mail.outbox) == ["bea@goldencrust.example", "sam@goldencrust.example"]
    message = mail.outbox[0]
    assert message.subject == f"Fine City Employers Charter: application {done.reference} approved"
    assert "approved at the level Champion" in message.body and "annual fee" in message.body
    assert "Champion" in message.alternatives[0][0]


def test_the_recommending_officer_cannot_approve(recommended, olive):
    with pytest.raises(FourEyesRequired, match="another officer must approve or reject it"):
        services.application_approve(actor=olive, application=recommended)
    recommended.refresh_from_db()
    assert recommended.status == ApplicationStatus.RECOMMENDED
    assert not Accreditation.objects.exists()


def test_four_eyes_can_be_turned_off(recommended, olive, settings):
    settings.FOUR_EYES_APPROVAL = False
    services.application_approve(actor=olive, application=recommended)
    assert Accreditation.objects.get().approved_by == olive


def test_only_officers_approve(recommended, owner):
    with pytest.raises(NotAnOfficer):
        services.application_approve(actor=owner, application=recommended)


def test_a_case_recommended_for_rejection_cannot_be_approved(in_review, olive, oscar):
    services.application_recommend_rejection(actor=olive, application=in_review, reason="Not verified.")
    with pytest.raises(RecommendedForRejection):
        services.application_approve(actor=oscar, application=in_review)
    assert not Accreditation.objects.exists()


@pytest.mark.parametrize("status", [s for s in ALL_STATUSES if s != "recommended"])
def test_approving_is_refused_from_every_other_status(recommended, oscar, status):
    force_status(recommended, status)
    with pytest.raises(InvalidTransition, match="This application"):
        services.application_approve(actor=oscar, application=recommended)
    recommended.refresh_from_db()
    assert recommended.status == status and recommended.decided_at is None
    assert not Accreditation.objects.exists()


def test_an_error_mid_approval_leaves_no_accreditation(
    recommended, oscar, monkeypatch, django_capture_on_commit_callbacks
):
    """Atomic: the accreditation is created in the same transaction as the approval, or not at all."""
    monkeypatch.setattr("accreditation.services.transitions.audit_record", broken)
    mail.outbox.clear()
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        services.application_approve(actor=oscar, application=recommended)
    recommended.refresh_from_db()
    assert (recommended.status, recommended.decided_at) == ("recommended", None)
    assert not Accreditation.objects.exists()
    assert mail.outbox == []


# --- rejecting ----------------------------------------------------------------------------------------


def test_a_second_officer_rejects_with_reasons(recommended, oscar, django_capture_on_commit_callbacks):
    """The reason and next steps are stored, audited and emailed; HTML escapes them."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = services.application_reject(
            actor=oscar,
            application=recommended,
            reason="Contractors are paid < £12.60 & no plan.",
            next_steps="Apply again once cleaners are paid the Living Wage.",
            base_url=BASE_URL,
        )
    done.refresh_from_db()
    assert (done.status, done.decided_by) == ("rejected", oscar)
    assert done.rejection_reason == "Contractors are paid < £12.60 & no plan."
    assert done.rejection_next_steps == "Apply again once cleaners are paid the Living Wage."
    event = last_event(done, "application.reject")
    assert (event.actor, event.from_state, event.to_state) == (oscar, "recommended", "rejected")
    assert event.note.startswith("Rejected. Contractors are paid")
    assert not Accreditation.objects.exists()
    message = mail.outbox[0]
    assert message.subject == f"Fine City Employers Charter: decision on application {done.reference}"
    assert "Contractors are paid < £12.60 & no plan." in message.body
    assert "Apply again once cleaners" in message.body
    assert "paid &lt; £12.60 &amp; no plan." in message.alternatives[0][0]


def test_the_rejection_email_escapes_markup(recommended, oscar):
    """A reason that reached the database with markup is escaped in the HTML part."""
    Application.objects.filter(pk=recommended.pk).update(
        status="rejected", decided_at=recommended.recommended_at, rejection_reason="<script>alert(1)</script>"
    )
    mail.outbox.clear()
    send_application_rejected_email.call(application_id=recommended.pk, link="http://testserver/employer/")
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_rejection_needs_a_reason(recommended, oscar):
    with pytest.raises(InputInvalid, match="Give the reason for the decision") as caught:
        services.application_reject(actor=oscar, application=recommended, reason="")
    assert "reason" in caught.value.errors
    with pytest.raises(InputInvalid, match="without HTML tags"):
        services.application_reject(actor=oscar, application=recommended, reason="<b>No</b>")
    recommended.refresh_from_db()
    assert recommended.status == ApplicationStatus.RECOMMENDED


def test_the_recommending_officer_cannot_reject(recommended, olive):
    with pytest.raises(FourEyesRequired):
        services.application_reject(actor=olive, application=recommended, reason="No.")


@pytest.mark.parametrize("status", [s for s in ALL_STATUSES if s != "recommended"])
def test_rejecting_is_refused_from_every_other_status(recommended, oscar, status):
    force_status(recommended, status)
    with pytest.raises(InvalidTransition, match="This application"):
        services.application_reject(actor=oscar, application=recommended, reason="No.")
    recommended.refresh_from_db()
    assert recommended.status == status and recommended.rejection_reason == ""


def test_an_error_mid_rejection_changes_nothing(recommended, oscar, monkeypatch):
    monkeypatch.setattr("accreditation.services.transitions.audit_record", broken)
    with pytest.raises(RuntimeError):
        services.application_reject(actor=oscar, application=recommended, reason="No.")
    recommended.refresh_from_db()
    assert (recommended.status, recommended.rejection_reason, recommended.decided_at) == ("recommended", "", None)


# --- the whole loop -----------------------------------------------------------------------------------


def test_the_full_loop_from_submission_through_changes_to_approval(
    charter_edition, organisation, owner, member, olive, oscar, django_capture_on_commit_callbacks
):
    """Submit, take, query, send back, change and add a file, resubmit, take, verify, recommend, approve."""
    application = _submitted(organisation, owner)
    take(application, olive)
    query(application, olive, "pay.direct", note="Send payslips for the lowest-paid roles.")
    services.application_request_changes(actor=olive, application=application, note="One thing to fix.")

    first_answer_revisions = AnswerRevision.objects.filter(answer__application=application).count()
    first_files = list(Evidence.objects.filter(application=application).values_list("pk", flat=True))
    answer(application, owner, "pay.direct", explanation="Payslips for every role are attached.")
    add_evidence(application, owner, "pay.direct", name="payslips.pdf", description="Payslips, April")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit(application, owner)
    assert any(m.to == [olive.email] for m in mail.outbox)
    application.refresh_from_db()
    assert (application.status, application.submission_round) == ("submitted", 2)

    take(application, olive)
    application.refresh_from_db()
    assert review_progress(application).unreviewed  # round 2 starts unmarked
    recommend(application, olive)
    services.application_approve(actor=oscar, application=application)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    accreditation = Accreditation.objects.get(application=application)
    assert (accreditation.status, accreditation.level_code) == ("awaiting_fee", "champion")
    # Earlier answers and files are still there, beside the new ones.
    assert AnswerRevision.objects.filter(answer__application=application).count() == first_answer_revisions + 1
    files = Evidence.objects.filter(application=application)
    assert set(first_files) < set(files.values_list("pk", flat=True))
    assert files.filter(submission_round=1).exists()
    assert CriterionReview.objects.filter(application=application, submission_round=1, outcome="query").exists()
    actions = list(
        AuditEvent.objects.for_object(application)
        .filter(from_state__gt="")
        .exclude(action__startswith="criterion.")
        .exclude(action="answer.save")
        .values_list("action", flat=True)
    )
    assert actions == [
        "application.submit",
        "application.take",
        "application.request_changes",
        "application.submit",
        "application.take",
        "application.recommend",
        "application.approve",
    ]


def test_verifying_after_a_query_in_the_same_round_allows_a_recommendation(in_review, olive):
    """A query settled by phone can be re-marked verified in the same round."""
    verify_all(in_review, olive)
    query(in_review, olive, "pay.direct", note="Which roles?")
    verify(in_review, olive, "pay.direct", note="Confirmed by phone.")
    done = services.application_recommend(actor=olive, application=in_review, level_code="champion")
    assert done.status == ApplicationStatus.RECOMMENDED


# --- the fee, fixed at approval (issue 5) ---------------------------------------------------------------


def test_approval_fixes_the_fee_from_the_band_in_force(recommended, oscar):
    """A company of 14 pays the 11 to 50 band of the schedule in force: £137, in pence, with the band's words."""
    services.application_approve(actor=oscar, application=recommended)
    accreditation = Accreditation.objects.get()
    assert (accreditation.fee_pence, accreditation.fee_band_label) == (137_00, "11 to 50 employees")
    assert accreditation.fee_band.schedule.effective_from == datetime.date(2024, 4, 1)
    event = AuditEvent.objects.for_object(accreditation).get(action="accreditation.create")
    assert event.note == f"Champion, from application {recommended.reference}. Fee £137.00 (11 to 50 employees)."


def test_a_large_charity_pays_the_public_sector_or_charity_rate(recommended, oscar, organisation):
    """The headcount and type are the organisation's on the day of approval: a charity of 600 pays £550."""
    Organisation.objects.filter(pk=organisation.pk).update(
        employee_count=600, organisation_type=OrganisationType.CHARITY
    )
    services.application_approve(actor=oscar, application=recommended)
    accreditation = Accreditation.objects.get()
    assert accreditation.fee_pence == 550_00
    assert accreditation.fee_band_label == "501 or more employees, public sector or charity"


def test_the_fee_comes_from_the_schedule_in_force_on_the_day_of_approval(recommended, oscar):
    """A schedule from a later date does not apply to an approval before it; a later change never alters a fee."""
    later = FeeSchedule.objects.create(effective_from=datetime.date(2099, 4, 1))
    FeeBand.objects.create(schedule=later, min_employees=1, max_employees=None, amount_pence=999_00)
    services.application_approve(actor=oscar, application=recommended)
    accreditation = Accreditation.objects.get()
    assert accreditation.fee_pence == 137_00
    FeeBand.objects.filter(pk=accreditation.fee_band_id).update(amount_pence=200_00)
    accreditation.refresh_from_db()
    assert accreditation.fee_pence == 137_00


def test_without_a_fee_band_approval_is_refused_and_nothing_changes(
    recommended, oscar, django_capture_on_commit_callbacks
):
    """NoFeeBand names what is missing; the case stays recommended, no accreditation, no audit row, no email."""
    FeeBand.objects.all().delete()
    mail.outbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(NoFeeBand, match="No fee band covers a company with 14 employees on .*scheme administrator"),
    ):
        services.application_approve(actor=oscar, application=recommended)
    recommended.refresh_from_db()
    assert recommended.status == ApplicationStatus.RECOMMENDED and recommended.decided_at is None
    assert not Accreditation.objects.exists()
    assert last_event(recommended, "application.approve") is None
    assert mail.outbox == []


def test_the_approval_email_states_the_fee_and_where_to_pay_it(recommended, oscar, django_capture_on_commit_callbacks):
    """Text and HTML both give the fee in pounds and its band, and send the employer to their page to pay."""
    Organisation.objects.filter(pk=recommended.organisation_id).update(employee_count=1200)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(actor=oscar, application=recommended, base_url=BASE_URL)
    message = mail.outbox[0]
    assert "Annual fee: £3,440.00" in message.body
    assert "Fee band: 501 or more employees, private sector" in message.body
    assert "Pay the fee by card on your accreditation's page" in message.body
    accreditation = Accreditation.objects.get()
    assert f"http://testserver/employer/accreditations/{accreditation.pk}/" in message.body
    html = message.alternatives[0][0]
    assert "£3,440.00" in html and "501 or more employees, private sector" in html
