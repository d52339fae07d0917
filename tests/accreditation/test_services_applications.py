"""accreditation.services.applications: start, submit and withdraw, with every refusal, audit row and email."""

from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import IntegrityError

from accreditation import services
from accreditation.exceptions import (
    ApplicationAlreadyOpen,
    ApplicationIncomplete,
    InputInvalid,
    InvalidTransition,
    NoCurrentEdition,
    NotAMember,
)
from accreditation.models import Application, ApplicationStatus
from audit.models import AuditEvent
from charter.levels import AnswerChoice
from tests.accreditation.helpers import (
    ALL_STATUSES,
    add_evidence,
    answer,
    complete,
    criterion,
    force_status,
    start_application,
    submit,
)
from tests.factories import OfficerFactory

# --- start ---------------------------------------------------------------------------------------


def test_a_member_starts_a_draft_against_the_current_edition(charter_edition, organisation, member):
    """The application is a draft of the organisation, on the current edition, with its headcount copied."""
    application = services.application_start(actor=member, organisation=organisation)
    assert application.status == ApplicationStatus.DRAFT
    assert application.edition == charter_edition
    assert application.employee_count == 14
    assert application.created_by == member
    assert application.submission_round == 0


def test_starting_is_audited(charter_edition, organisation, owner):
    """The audit row says who started it, into draft, against which edition."""
    application = services.application_start(actor=owner, organisation=organisation)
    [event] = AuditEvent.objects.for_object(application)
    assert (event.action, event.actor, event.to_state) == ("application.start", owner, "draft")
    assert "2027 edition" in event.note


def test_a_second_open_application_is_refused(application, organisation, member):
    """One open application per organisation: a second start is refused with a clear message."""
    with pytest.raises(ApplicationAlreadyOpen) as refused:
        services.application_start(actor=member, organisation=organisation)
    assert str(refused.value) == (
        "Your organisation already has an application in progress. "
        "Continue that one: an organisation can have one open application at a time."
    )
    assert refused.value.application == application
    assert Application.objects.count() == 1


@pytest.mark.parametrize(
    "status",
    [
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.RECOMMENDED,
        ApplicationStatus.CHANGES_REQUESTED,
    ],
)
def test_an_application_in_any_open_status_blocks_a_new_one(application, organisation, owner, status):
    """Submitted, in review, changes requested and recommended all count as open."""
    force_status(application, status)
    with pytest.raises(ApplicationAlreadyOpen):
        services.application_start(actor=owner, organisation=organisation)


@pytest.mark.parametrize(
    "status", [ApplicationStatus.WITHDRAWN, ApplicationStatus.APPROVED, ApplicationStatus.REJECTED]
)
def test_after_a_closed_application_a_new_one_can_start(application, organisation, owner, status):
    """Once the last one is withdrawn or decided, the organisation can start again."""
    force_status(application, status)
    again = services.application_start(actor=owner, organisation=organisation)
    assert again.pk != application.pk and again.status == ApplicationStatus.DRAFT


def test_the_database_also_refuses_two_open_applications(application, organisation, owner, charter_edition):
    """The one-open-application constraint backs the service's check up."""
    with pytest.raises(IntegrityError):
        Application.objects.create(
            organisation=organisation, edition=charter_edition, employee_count=3, created_by=owner
        )


def test_an_outsider_cannot_start_an_application_for_an_organisation(charter_edition, organisation, outsider):
    """Only the organisation's own people can start its application; nothing is written."""
    with pytest.raises(NotAMember):
        services.application_start(actor=outsider, organisation=organisation)
    assert not Application.objects.exists()
    assert not AuditEvent.objects.filter(action="application.start").exists()


def test_an_officer_cannot_start_an_application(charter_edition, organisation):
    """Officers are not employer users."""
    with pytest.raises(NotAMember):
        services.application_start(actor=OfficerFactory(), organisation=organisation)


def test_no_application_starts_before_a_charter_is_published(organisation, owner):
    """Without an edition there is nothing to apply against: a clear refusal."""
    with pytest.raises(NoCurrentEdition) as refused:
        services.application_start(actor=owner, organisation=organisation)
    assert "has not been published yet" in str(refused.value)
    assert not Application.objects.exists()


# --- submit ---------------------------------------------------------------------------------------


def test_a_complete_application_is_submitted_and_stamped(
    application, owner, organisation, django_capture_on_commit_callbacks
):
    """Status, who and when, the declaration, the headcount again, the provisional level and the round."""
    complete(application, owner)
    organisation.employee_count = 16
    organisation.save()
    with django_capture_on_commit_callbacks(execute=True):
        submitted = submit(application, owner, name="  Bea Baker ", role="Managing Director")
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.submitted_by == owner and submitted.submitted_at is not None
    assert (submitted.declaration_name, submitted.declaration_role) == ("Bea Baker", "Managing Director")
    assert submitted.declared_at == submitted.submitted_at
    assert submitted.employee_count == 16
    assert submitted.provisional_level_code == "champion"
    assert submitted.submission_round == 1


def test_submission_is_audited_with_from_and_to(application, owner):
    """One audit row: draft to submitted, with the round, level and who signed."""
    complete(application, owner)
    submit(application, owner)
    event = AuditEvent.objects.for_object(application).get(action="application.submit")
    assert (event.from_state, event.to_state, event.actor) == ("draft", "submitted", owner)
    assert "Round 1" in event.note and "Champion" in event.note and "Bea Baker (Managing Director)" in event.note


def test_submission_emails_every_user_of_the_organisation_after_commit(
    application, owner, member, django_capture_on_commit_callbacks
):
    """The confirmation goes to the owner and every member, only once the submission has committed."""
    complete(application, owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(application, owner)
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert sorted(m.to[0] for m in mail.outbox) == ["bea@goldencrust.example", "sam@goldencrust.example"]
    assert all(application.reference in m.subject for m in mail.outbox)


def test_a_failing_email_does_not_undo_the_submission(
    application, owner, monkeypatch, django_capture_on_commit_callbacks
):
    """The email is queued after commit; if queueing it fails, the application stays submitted."""
    complete(application, owner)

    def broken(**kwargs):
        raise ConnectionError("the task queue is down")

    monkeypatch.setattr(
        "accreditation.services.applications.send_application_submitted_email", SimpleNamespace(enqueue=broken)
    )
    with django_capture_on_commit_callbacks(execute=True):
        submit(application, owner)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert mail.outbox == []


def test_an_error_mid_submit_leaves_the_application_as_it_was(application, owner, monkeypatch):
    """If the audit write fails, nothing of the submission is kept: still a draft, nothing stamped."""
    complete(application, owner)

    def broken(**kwargs):
        raise RuntimeError("audit database unavailable")

    monkeypatch.setattr("accreditation.services.transitions.audit_record", broken)
    with pytest.raises(RuntimeError):
        submit(application, owner)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.submitted_at is None and application.declaration_name == ""
    assert application.submission_round == 0
    assert mail.outbox == []


def test_submission_lists_every_gap_with_where_to_fix_it(application, owner):
    """Unanswered criteria, missing evidence and the declaration: each gap with the URL of its page."""
    complete(application, owner, except_codes={"hours.notice", "pay.direct"})
    answer(application, owner, "pay.direct", AnswerChoice.YES)  # a Yes that needs a file, without one
    with pytest.raises(ApplicationIncomplete) as refused:
        services.application_submit(actor=owner, application=application, declaration_name="", declaration_role=" ")
    gaps = refused.value.gaps
    texts = [gap.text for gap in gaps]
    assert texts[0].startswith("Add evidence for 1.1: A payroll summary")
    assert gaps[0].url == f"/employer/applications/{application.pk}/criteria/pay.direct/evidence/"
    assert texts[1].startswith("Answer 2.2: Staff get at least four weeks")
    notice = criterion(application, "hours.notice")
    assert gaps[1].url == f"/employer/applications/{application.pk}/commitments/hours/#criterion-{notice.pk}"
    assert texts[2:] == ["Enter your full name for the declaration", "Enter your role in the organisation"]
    assert gaps[2].field == "declaration_name" and gaps[3].field == "declaration_role"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert not AuditEvent.objects.filter(action="application.submit").exists()


def test_submission_below_the_lowest_level_is_refused(application, owner):
    """A No to a mandatory commitment's criterion leaves the level below Supporter: refused, with why."""
    complete(application, owner, responses={"fair.no_blacklisting": AnswerChoice.NO})
    with pytest.raises(ApplicationIncomplete) as refused:
        submit(application, owner)
    [gap] = refused.value.gaps
    assert gap.text == (
        "'Treat people fairly' is mandatory: answer Yes to each of its criteria to reach Supporter, the lowest level"
    )
    assert gap.url == f"/employer/applications/{application.pk}/commitments/fair/"


def test_not_yet_on_an_optional_commitment_can_be_submitted(application, owner):
    """'Not yet' is an answer: optional commitments not met still allow Supporter or above."""
    complete(
        application, owner, responses={"voice.unions": AnswerChoice.NOT_YET, "skills.development": AnswerChoice.NO}
    )
    submitted = submit(application, owner)
    assert submitted.provisional_level_code == "accredited"


def test_markup_in_the_declaration_is_refused(application, owner):
    """The declaration's name and role are text: scripts are refused."""
    complete(application, owner)
    with pytest.raises(ApplicationIncomplete) as refused:
        submit(application, owner, name="<script>alert(1)</script>")
    [gap] = refused.value.gaps
    assert gap.field == "declaration_name"
    assert gap.text == "Enter text without HTML tags or scripts (remove any < or > signs around words)"


def test_a_bigger_headcount_at_submission_brings_in_criteria(application, owner, organisation):
    """Criteria are judged at the organisation's headcount now: at 250 the pay gap criterion must be answered."""
    complete(application, owner)
    organisation.employee_count = 250
    organisation.save()
    with pytest.raises(ApplicationIncomplete) as refused:
        submit(application, owner)
    assert [gap.text for gap in refused.value.gaps] == [
        "Answer 6.2: You publish your gender pay gap and an action plan to close it."
    ]


def test_an_outsider_cannot_submit(application, owner, outsider):
    """Only the organisation's people can sign and submit."""
    complete(application, owner)
    with pytest.raises(NotAMember):
        submit(application, outsider)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


SUBMIT_FROM = {ApplicationStatus.DRAFT, ApplicationStatus.CHANGES_REQUESTED}


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_submit_from_each_status(application, owner, status):
    """Submit is allowed from draft and changes requested only; from anything else a clear refusal."""
    complete(application, owner)
    force_status(application, status)
    if status in SUBMIT_FROM:
        assert submit(application, owner).status == ApplicationStatus.SUBMITTED
    else:
        with pytest.raises(InvalidTransition) as refused:
            submit(application, owner)
        assert str(refused.value).startswith("This application ")
        application.refresh_from_db()
        assert application.status == status


def test_submitting_twice_says_it_is_already_submitted(application, owner):
    """The second submission of the same application is refused in plain words."""
    complete(application, owner)
    submit(application, owner)
    with pytest.raises(InvalidTransition) as refused:
        submit(application, owner)
    assert str(refused.value) == "This application has already been submitted."


def test_resubmission_counts_the_round(application, owner):
    """After changes are requested, submitting again is round 2."""
    complete(application, owner)
    submit(application, owner)
    force_status(application, ApplicationStatus.CHANGES_REQUESTED)
    assert submit(application, owner).submission_round == 2


# --- withdraw -------------------------------------------------------------------------------------


def test_withdrawing_stamps_who_when_and_why(application, member, django_capture_on_commit_callbacks):
    """Withdrawn, with the person, the time, the reason and an audit row from draft."""
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = services.application_withdraw(actor=member, application=application, reason="We are merging.")
    assert withdrawn.status == ApplicationStatus.WITHDRAWN
    assert withdrawn.withdrawn_by == member and withdrawn.withdrawn_at is not None
    assert withdrawn.withdrawal_reason == "We are merging."
    event = AuditEvent.objects.for_object(application).get(action="application.withdraw")
    assert (event.from_state, event.to_state, event.note) == ("draft", "withdrawn", "We are merging.")
    assert len(mail.outbox) == 2


def test_the_reason_is_optional(application, owner):
    """A withdrawal without a reason is fine."""
    assert services.application_withdraw(actor=owner, application=application).withdrawal_reason == ""


@pytest.mark.parametrize("reason", ["<img src=x onerror=alert(1)>", "x" * 1001])
def test_a_bad_reason_is_refused_and_nothing_changes(application, owner, reason):
    """Markup or an over-long reason is refused with a message; the application stays as it was."""
    with pytest.raises(InputInvalid) as refused:
        services.application_withdraw(actor=owner, application=application, reason=reason)
    assert "reason" in refused.value.errors
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


WITHDRAW_FROM = {
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.CHANGES_REQUESTED,
    ApplicationStatus.RECOMMENDED,
}


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_withdraw_from_each_status(application, owner, status):
    """Withdrawal is allowed in every open status before a decision, refused after one."""
    force_status(application, status)
    if status in WITHDRAW_FROM:
        assert services.application_withdraw(actor=owner, application=application).status == "withdrawn"
    else:
        with pytest.raises(InvalidTransition):
            services.application_withdraw(actor=owner, application=application)
        application.refresh_from_db()
        assert application.status == status
        assert application.withdrawn_at is None


def test_an_outsider_cannot_withdraw(application, outsider):
    """Only the organisation's people can withdraw its application."""
    with pytest.raises(NotAMember):
        services.application_withdraw(actor=outsider, application=application)


def test_evidence_is_kept_when_an_application_is_withdrawn(application, owner):
    """Withdrawing deletes nothing: the files stay."""
    add_evidence(application, owner, "pay.direct")
    services.application_withdraw(actor=owner, application=application)
    assert application.evidence.count() == 1


def test_a_withdrawn_application_frees_the_organisation_to_start_again(application, owner, organisation):
    """After withdrawing, a new application can be started."""
    services.application_withdraw(actor=owner, application=application)
    assert start_application(organisation=organisation, actor=owner).status == ApplicationStatus.DRAFT


# --- one application per accreditation year ---------------------------------------------------------


@pytest.fixture
def accredited(charter_edition, organisation, owner):
    """The organisation's approved accreditation, awaiting its fee."""
    from tests.accreditation.fee_helpers import approved_accreditation

    return approved_accreditation(organisation=organisation, actor=owner)


def test_no_new_application_while_the_fee_is_due(accredited, organisation, owner):
    """An approved application's fee is due: starting another is refused in plain words, and nothing is made."""
    from accreditation.exceptions import AlreadyAccredited

    before = Application.objects.count()
    with pytest.raises(AlreadyAccredited) as refused:
        services.application_start(actor=owner, organisation=organisation)
    assert str(refused.value) == (
        f"Your application has been approved at {accredited.level_name}: pay the fee to become accredited. "
        "You cannot start another application while the fee is due."
    )
    assert Application.objects.count() == before


def test_renewal_opens_ninety_days_before_the_last_day(accredited, organisation, owner):
    """Active until a date: refused until 90 days before it (saying when), then a renewal can start."""
    import datetime

    from accreditation.exceptions import AlreadyAccredited
    from accreditation.models import Accreditation, AccreditationStatus

    today = datetime.date.today()
    Accreditation.objects.filter(pk=accredited.pk).update(
        status=AccreditationStatus.ACTIVE, valid_from=today, valid_until=today + datetime.timedelta(days=91)
    )
    with pytest.raises(AlreadyAccredited) as refused:
        services.application_start(actor=owner, organisation=organisation)
    last_day = today + datetime.timedelta(days=91)
    opens = last_day - datetime.timedelta(days=90)
    assert str(refused.value) == (
        f"Your organisation is accredited until {last_day:%-d %B %Y}. You can apply to renew from {opens:%-d %B %Y}."
    )
    Accreditation.objects.filter(pk=accredited.pk).update(valid_until=today + datetime.timedelta(days=90))
    renewal = services.application_start(actor=owner, organisation=organisation)
    assert renewal.status == ApplicationStatus.DRAFT


def test_an_expired_accreditation_does_not_stop_a_new_application(accredited, organisation, owner):
    """Once the accreditation has expired (or been revoked), the organisation can apply again."""
    from accreditation.models import Accreditation, AccreditationStatus

    Accreditation.objects.filter(pk=accredited.pk).update(status=AccreditationStatus.EXPIRED)
    assert services.application_start(actor=owner, organisation=organisation).status == ApplicationStatus.DRAFT


def test_the_dashboard_says_why_no_application_can_start(accredited, client, owner):
    """The dashboard offers no "Start your application" button while the fee is due, and says why."""
    client.force_login(owner)
    html = client.get("/employer/").content.decode()
    assert "Start your application" not in html
    assert "You cannot start another application while the fee is due." in html
