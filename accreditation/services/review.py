"""The officers' review: taking a case, reassigning it, marking criteria, asking for changes (issue 4).

Every service here is for officers only (NotAnOfficer otherwise), runs in one transaction with the
application locked, writes an audit row and sends its emails after the commit.
"""

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.roles import is_officer
from audit.services import audit_record
from charter.models import Criterion

from ..exceptions import (
    AlreadyTaken,
    CriterionNotReviewable,
    InputInvalid,
    InvalidTransition,
    NoQueries,
    NotALeadOfficer,
    NotAnOfficer,
    NotAssignedOfficer,
)
from ..models import REVIEW_NOTE_MAX_LENGTH, Application, ApplicationStatus, CriterionReview, ReviewOutcome
from ..tasks import send_application_taken_email, send_changes_requested_email
from ._common import clean_text, text_problem
from .answers import criterion_number
from .transitions import _STATUS_PHRASES, Stamp, application_lock, application_transition

CHANGES_NOTE_MAX_LENGTH = 2000
# Cases a lead officer may hand to another officer: not yet decided, and not waiting for a decision
# (a recommended case stays with its recommender, so four eyes keeps its meaning).
REASSIGNABLE_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.CHANGES_REQUESTED,
)


# --- who may act ---------------------------------------------------------------------------------


def is_lead_officer(user) -> bool:
    """An officer in settings.LEAD_OFFICERS_GROUP (or a superuser): may reassign cases."""
    if not is_officer(user):
        return False
    return user.is_superuser or user.groups.filter(name=settings.LEAD_OFFICERS_GROUP).exists()


def require_officer(actor) -> None:
    """Refuse anyone who is not a council officer."""
    if actor is None or not is_officer(actor):
        raise NotAnOfficer


def officer_name(user) -> str:
    """How an officer is named to colleagues."""
    return (user.full_name or user.email) if user else ""


def require_assigned(*, actor, application: Application, doing: str) -> None:
    """Refuse unless the case is assigned to `actor`."""
    if application.assigned_to_id != actor.pk:
        holder = application.assigned_to
        who = f"{officer_name(holder)} has this case" if holder else "No officer has taken this case yet"
        raise NotAssignedOfficer(f"{who}: only the officer assigned to it can {doing}.", officer=holder)


def require_in_review(application: Application, *, doing: str) -> None:
    """Refuse unless the case is in review (the only status in which criteria are marked)."""
    if application.status != ApplicationStatus.IN_REVIEW:
        phrase = _STATUS_PHRASES[application.status_enum]
        raise InvalidTransition(
            f"This application {phrase}, so you cannot {doing} now: only while it is in review.",
            from_status=application.status,
            to_status=application.status,
        )


def employer_link(base_url: str, application: Application) -> str:
    path = reverse("applications:detail", kwargs={"pk": application.pk})
    return base_url.rstrip("/") + path if base_url else path


def officer_link(base_url: str, application: Application) -> str:
    """The case's page for officers (the officers' home until the case view exists)."""
    try:
        path = reverse("officer:case", kwargs={"pk": application.pk})
    except NoReverseMatch:
        path = reverse("officer:home")
    return base_url.rstrip("/") + path if base_url else path


def _note(value: str, *, label: str, field: str = "note", required: str = "", max_length: int) -> str:
    note = clean_text(value)
    if not note and required:
        raise InputInvalid({field: required})
    if problem := note and text_problem(note, label=label, max_length=max_length):
        raise InputInvalid({field: problem})
    return note


# --- taking and reassigning ----------------------------------------------------------------------


def application_take(*, actor, application: Application, base_url: str = "") -> Application:
    """An officer takes a submitted case: it moves to in review, assigned to them.

    Of two officers taking it at once, the second waits for the first's lock and is then refused with
    AlreadyTaken naming who has it. A resubmitted case stays with the officer it is assigned to:
    another officer is refused the same way (a lead officer can reassign it). The employer's users
    are told that their application is being checked.
    """
    require_officer(actor)

    def prepare(locked: Application) -> Stamp:
        locked.assigned_to = actor
        locked.assigned_at = timezone.now()
        return Stamp(
            fields=["assigned_to", "assigned_at"],
            note=f"Taken by {officer_name(actor)} (round {locked.submission_round}).",
        )

    with transaction.atomic():
        locked = application_lock(application)
        holder = locked.assigned_to
        if (
            holder is not None
            and holder.pk != actor.pk
            and locked.status in REASSIGNABLE_STATUSES + (ApplicationStatus.RECOMMENDED,)
        ):
            raise AlreadyTaken(
                f"{officer_name(holder)} has already taken this case. Ask a lead officer if it should be yours.",
                officer=holder,
            )
        if locked.status == ApplicationStatus.IN_REVIEW:
            raise AlreadyTaken("You have already taken this case.", officer=actor)
        taken = application_transition(
            actor=actor,
            application=locked,
            to_status=ApplicationStatus.IN_REVIEW,
            action="application.take",
            prepare=prepare,
        )
        link = employer_link(base_url, taken)
        transaction.on_commit(
            lambda: send_application_taken_email.enqueue(application_id=taken.pk, link=link), robust=True
        )
    return taken


def application_reassign(*, actor, application: Application, officer) -> Application:
    """A lead officer gives a case (submitted, in review or waiting for changes) to another officer."""
    require_officer(actor)
    if not is_lead_officer(actor):
        raise NotALeadOfficer
    if officer is None or not is_officer(officer):
        raise InputInvalid({"officer": "Choose a council officer to give the case to"})
    with transaction.atomic():
        locked = application_lock(application)
        if locked.status not in REASSIGNABLE_STATUSES:
            phrase = _STATUS_PHRASES[locked.status_enum]
            raise InvalidTransition(
                f"This application {phrase}, so it cannot be reassigned.",
                from_status=locked.status,
                to_status=locked.status,
            )
        previous = locked.assigned_to
        if previous is not None and previous.pk == officer.pk:
            raise InputInvalid({"officer": f"{officer_name(officer)} already has this case"})
        locked.assigned_to = officer
        locked.assigned_at = timezone.now()
        locked.save(update_fields=["assigned_to", "assigned_at", "updated_at"])
        audit_record(
            actor=actor,
            action="application.reassign",
            obj=locked,
            from_state=locked.status,
            to_state=locked.status,
            note=f"Reassigned from {officer_name(previous) or 'nobody'} to {officer_name(officer)}.",
        )
    return locked


# --- marking criteria ----------------------------------------------------------------------------


def _criterion_review(*, actor, application: Application, criterion: Criterion, outcome: str, note: str):
    require_officer(actor)
    with transaction.atomic():
        locked = application_lock(application)
        doing = "mark its criteria"
        require_assigned(actor=actor, application=locked, doing=doing)
        require_in_review(locked, doing=doing)
        if criterion.edition_id != locked.edition_id or not criterion.applies_to(locked.employee_count):
            raise CriterionNotReviewable
        previous = (
            CriterionReview.objects.select_for_update()
            .filter(application=locked, criterion=criterion, submission_round=locked.submission_round)
            .first()
        )
        review = previous or CriterionReview(
            application=locked, criterion=criterion, submission_round=locked.submission_round
        )
        from_outcome = previous.outcome if previous else ""
        review.outcome = outcome
        review.note = note
        review.reviewed_by = actor
        review.reviewed_at = timezone.now()
        review.save()
        label = ReviewOutcome(outcome).label
        audit_record(
            actor=actor,
            action=f"criterion.{'verify' if outcome == ReviewOutcome.VERIFIED else 'query'}",
            obj=locked,
            from_state=from_outcome,
            to_state=outcome,
            note=f"{criterion_number(criterion)} {criterion.code}: {label}." + (f" {note}" if note else ""),
        )
    return review


def criterion_verify(*, actor, application: Application, criterion: Criterion, note: str = "") -> CriterionReview:
    """The assigned officer marks a criterion verified in this round, with an optional note."""
    note = _note(note, label="Your note", max_length=REVIEW_NOTE_MAX_LENGTH)
    return _criterion_review(
        actor=actor, application=application, criterion=criterion, outcome=ReviewOutcome.VERIFIED, note=note
    )


def criterion_query(*, actor, application: Application, criterion: Criterion, note: str) -> CriterionReview:
    """The assigned officer queries a criterion in this round, with a note telling the employer what is needed."""
    note = _note(
        note,
        label="Your query",
        required="Enter your query: what the employer needs to change or send",
        max_length=REVIEW_NOTE_MAX_LENGTH,
    )
    return _criterion_review(
        actor=actor, application=application, criterion=criterion, outcome=ReviewOutcome.QUERY, note=note
    )


# --- asking for changes --------------------------------------------------------------------------


def application_request_changes(*, actor, application: Application, note: str = "", base_url: str = "") -> Application:
    """The assigned officer sends the case back with this round's queries; the employer's users get them by email."""
    require_officer(actor)
    note = _note(note, label="Your message", max_length=CHANGES_NOTE_MAX_LENGTH)

    def prepare(locked: Application) -> Stamp:
        require_assigned(actor=actor, application=locked, doing="ask for changes")
        queries = list(
            CriterionReview.objects.filter(
                application=locked, submission_round=locked.submission_round, outcome=ReviewOutcome.QUERY
            )
            .select_related("criterion")
            .order_by("criterion__commitment__order", "criterion__order")
        )
        if not queries:
            raise NoQueries
        locked.changes_requested_at = timezone.now()
        locked.changes_requested_note = note
        codes = ", ".join(review.criterion.code for review in queries)
        return Stamp(
            fields=["changes_requested_at", "changes_requested_note"],
            note=f"{len(queries)} quer{'y' if len(queries) == 1 else 'ies'} ({codes})." + (f" {note}" if note else ""),
        )

    with transaction.atomic():
        sent_back = application_transition(
            actor=actor,
            application=application,
            to_status=ApplicationStatus.CHANGES_REQUESTED,
            action="application.request_changes",
            prepare=prepare,
        )
        link = employer_link(base_url, sent_back)
        transaction.on_commit(
            lambda: send_changes_requested_email.enqueue(application_id=sent_back.pk, link=link), robust=True
        )
    return sent_back
