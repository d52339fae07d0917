"""Emails about applications, sent by the task worker (in-process by default) after the change commits."""

from django.conf import settings
from django.tasks import task

from ..models import Application
from ..money import pounds
from ._common import _context, _one_line, _person, _recipients, _send


@task
def send_application_submitted_email(*, application_id: int, link: str) -> None:
    """Confirm a submission to every user of the organisation: reference, what happens next, the link."""
    application = (
        Application.objects.select_related("organisation", "edition", "submitted_by").filter(pk=application_id).first()
    )
    if application is None or application.submitted_at is None:
        return
    level = application.edition.levels.filter(code=application.provisional_level_code).first()
    context = _context(application, link) | {
        "submitted_by": _person(application.submitted_by),
        "submitted_at": application.submitted_at,
        "declaration_name": _one_line(application.declaration_name),
        "declaration_role": _one_line(application.declaration_role),
        "level_name": level.name if level else "",
        "resubmission": application.submission_round > 1,
    }
    subject = f"{settings.SERVICE_NAME}: application {application.reference} submitted"
    _send(subject, "submitted", context, _recipients(application))


@task
def send_application_withdrawn_email(*, application_id: int, link: str) -> None:
    """Tell every user of the organisation that its application has been withdrawn, by whom and why."""
    application = Application.objects.select_related("organisation", "withdrawn_by").filter(pk=application_id).first()
    if application is None or application.withdrawn_at is None:
        return
    context = _context(application, link) | {
        "withdrawn_by": _person(application.withdrawn_by),
        "withdrawn_at": application.withdrawn_at,
        "reason": application.withdrawal_reason,
    }
    subject = f"{settings.SERVICE_NAME}: application {application.reference} withdrawn"
    _send(subject, "withdrawn", context, _recipients(application))


# --- issue 4: the officers' review and decisions ------------------------------------------------


def _criterion_number(criterion) -> str:
    return f"{criterion.commitment.number}.{criterion.order + 1}"


@task
def send_application_taken_email(*, application_id: int, link: str) -> None:
    """Tell every user of the organisation that an officer has started checking their application."""
    application = Application.objects.select_related("organisation").filter(pk=application_id).first()
    if application is None or application.assigned_at is None:
        return
    context = _context(application, link) | {"resubmission": application.submission_round > 1}
    subject = f"{settings.SERVICE_NAME}: we are checking application {application.reference}"
    _send(subject, "taken", context, _recipients(application))


@task
def send_changes_requested_email(*, application_id: int, link: str) -> None:
    """Send every user of the organisation the officer's queries, and how to answer them."""
    from ..models import CriterionReview, ReviewOutcome

    application = Application.objects.select_related("organisation").filter(pk=application_id).first()
    if application is None or application.changes_requested_at is None:
        return
    reviews = (
        CriterionReview.objects.filter(
            application=application, submission_round=application.submission_round, outcome=ReviewOutcome.QUERY
        )
        .select_related("criterion__commitment")
        .order_by("criterion__commitment__order", "criterion__order")
    )
    queries = [
        {"number": _criterion_number(review.criterion), "text": review.criterion.text, "note": review.note}
        for review in reviews
    ]
    context = _context(application, link) | {"queries": queries, "note": application.changes_requested_note}
    subject = f"{settings.SERVICE_NAME}: changes needed to application {application.reference}"
    _send(subject, "changes_requested", context, _recipients(application))


@task
def send_case_resubmitted_email(*, application_id: int, link: str) -> None:
    """Tell the officer who has the case that the employer has sent it back with changes."""
    application = (
        Application.objects.select_related("organisation", "assigned_to", "submitted_by")
        .filter(pk=application_id)
        .first()
    )
    if application is None or application.assigned_to is None or application.submitted_at is None:
        return
    context = _context(application, link) | {
        "officer_name": _person(application.assigned_to),
        "submitted_by": _person(application.submitted_by),
        "submitted_at": application.submitted_at,
        "round": application.submission_round,
    }
    subject = f"{settings.SERVICE_NAME}: case {application.reference} has been resubmitted to you"
    _send(subject, "resubmitted", context, [application.assigned_to.email])


@task
def send_application_approved_email(*, application_id: int, link: str) -> None:
    """Tell every user of the organisation that the application is approved, at which level, and what next."""
    from ..models import Accreditation

    application = Application.objects.select_related("organisation").filter(pk=application_id).first()
    accreditation = Accreditation.objects.filter(application_id=application_id).first()
    if application is None or accreditation is None:
        return
    context = _context(application, link) | {
        "level_name": accreditation.level_name,
        "decided_at": application.decided_at,
        "fee": pounds(accreditation.fee_pence),
        "fee_band_label": _one_line(accreditation.fee_band_label),
    }
    subject = f"{settings.SERVICE_NAME}: application {application.reference} approved"
    _send(subject, "approved", context, _recipients(application))


@task
def send_application_rejected_email(*, application_id: int, link: str) -> None:
    """Tell every user of the organisation that the application was not approved, why, and what they can do."""
    application = Application.objects.select_related("organisation").filter(pk=application_id).first()
    if application is None or application.decided_at is None or not application.rejection_reason:
        return
    context = _context(application, link) | {
        "reason": application.rejection_reason,
        "next_steps": application.rejection_next_steps,
        "decided_at": application.decided_at,
    }
    subject = f"{settings.SERVICE_NAME}: decision on application {application.reference}"
    _send(subject, "rejected", context, _recipients(application))
