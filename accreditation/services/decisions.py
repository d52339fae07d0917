"""Recommending a level and deciding: approve (creating the accreditation) or reject (issue 4 point 5).

Four eyes (PRODUCT.md section 3): the officer who recommended a case cannot approve or reject it,
unless settings.FOUR_EYES_APPROVAL is off (for very small councils).
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record

from ..exceptions import FourEyesRequired, InputInvalid, LevelNotAllowed, RecommendedForRejection, ReviewIncomplete
from ..models import Accreditation, AccreditationStatus, Application, ApplicationStatus
from ..money import pounds
from ..selectors import review_progress
from ..tasks import send_application_approved_email, send_application_rejected_email
from .fees import fee_for
from .review import _note, officer_name, require_assigned, require_officer
from .transitions import Stamp, application_transition

REASON_MAX_LENGTH = 2000


def _dashboard_link(base_url: str) -> str:
    path = reverse("employers:dashboard")
    return base_url.rstrip("/") + path if base_url else path


def _require_reviewed(locked: Application):
    """This round's review, refused unless every applicable criterion has an outcome and none is a query."""
    progress = review_progress(locked)
    if progress.unreviewed:
        raise ReviewIncomplete(
            "Mark every criterion verified or query before recommending a level. Not marked yet: "
            + ", ".join(progress.unreviewed)
            + ".",
            codes=progress.unreviewed,
        )
    if progress.queried:
        raise ReviewIncomplete(
            "Some criteria have open queries: ask the employer for changes, or verify them, before recommending "
            "a level. Queried: " + ", ".join(progress.queried) + ".",
            codes=progress.queried,
        )
    return progress


def application_recommend(*, actor, application: Application, level_code: str, reason: str = "") -> Application:
    """The assigned officer recommends a level: the one the verified answers reach, or a lower one with a reason.

    Refused while any applicable criterion has no outcome in this round or has an open query
    (ReviewIncomplete), for a level above what the verified answers reach, one not in the edition, or
    when they reach no level at all (LevelNotAllowed: recommend rejection instead).
    """
    require_officer(actor)
    reason = _note(reason, label="Your reason", field="reason", max_length=REASON_MAX_LENGTH)

    def prepare(locked: Application) -> Stamp:
        require_assigned(actor=actor, application=locked, doing="recommend a level")
        progress = _require_reviewed(locked)
        levels = list(progress.content.levels)  # highest first
        codes = [level.code for level in levels]
        if level_code not in codes:
            raise LevelNotAllowed("Choose one of the charter's levels.")
        reached = progress.level
        if reached.level is None:
            raise LevelNotAllowed(
                f"The verified answers reach no level ({reached.label}), so this case cannot be recommended "
                "for approval. Recommend rejection instead, with your reason."
            )
        chosen = levels[codes.index(level_code)]
        if codes.index(level_code) < codes.index(reached.level.code):
            raise LevelNotAllowed(
                f"The verified answers reach {reached.level.name}: you cannot recommend a higher level than that."
            )
        if chosen.code != reached.level.code and not reason:
            raise InputInvalid(
                {
                    "reason": f"Give your reason for recommending {chosen.name}, lower than the "
                    f"{reached.level.name} the verified answers reach"
                }
            )
        locked.recommended_level_code = chosen.code
        locked.recommended_at = timezone.now()
        locked.recommended_by = actor
        locked.recommendation_reason = reason
        note = f"Recommended {chosen.name} (the verified answers reach {reached.level.name})."
        return Stamp(
            fields=["recommended_level_code", "recommended_at", "recommended_by", "recommendation_reason"],
            note=note + (f" {reason}" if reason else ""),
        )

    return application_transition(
        actor=actor,
        application=application,
        to_status=ApplicationStatus.RECOMMENDED,
        action="application.recommend",
        prepare=prepare,
        with_content=True,
    )


def application_recommend_rejection(*, actor, application: Application, reason: str) -> Application:
    """The assigned officer recommends rejecting the case, with a reason; another officer then decides.

    The state table has no move from in review to rejected: a rejection is recommended like a level,
    so that four eyes holds for rejections too. Open queries do not stop it.
    """
    require_officer(actor)
    reason = _note(
        reason,
        label="Your reason",
        field="reason",
        required="Give your reason for recommending rejection",
        max_length=REASON_MAX_LENGTH,
    )

    def prepare(locked: Application) -> Stamp:
        require_assigned(actor=actor, application=locked, doing="recommend a decision")
        locked.recommended_level_code = ""
        locked.recommended_at = timezone.now()
        locked.recommended_by = actor
        locked.recommendation_reason = reason
        return Stamp(
            fields=["recommended_level_code", "recommended_at", "recommended_by", "recommendation_reason"],
            note=f"Recommended rejection. {reason}",
        )

    return application_transition(
        actor=actor,
        application=application,
        to_status=ApplicationStatus.RECOMMENDED,
        action="application.recommend_rejection",
        prepare=prepare,
    )


def _require_four_eyes(*, actor, locked: Application) -> None:
    if settings.FOUR_EYES_APPROVAL and locked.recommended_by_id == actor.pk:
        raise FourEyesRequired


def application_approve(*, actor, application: Application, note: str = "", base_url: str = "") -> Application:
    """Another officer approves a recommended case: the accreditation is created, awaiting its fee, at the level.

    The fee is fixed now, in pence, from the fee band covering the organisation's headcount and type in
    the schedule in force today (PRODUCT.md section 4); a later schedule never changes it. Refused for
    the recommending officer (FourEyesRequired, unless FOUR_EYES_APPROVAL is off), for a case recommended
    for rejection, and when no fee band covers the organisation (NoFeeBand: nothing changes). The
    employer's users are told after the commit, with the fee.
    """
    require_officer(actor)
    note = _note(note, label="Your note", max_length=REASON_MAX_LENGTH)

    def prepare(locked: Application) -> Stamp:
        _require_four_eyes(actor=actor, locked=locked)
        if not locked.recommended_level_code:
            raise RecommendedForRejection
        level = locked.edition.levels.get(code=locked.recommended_level_code)
        now = timezone.now()
        organisation = locked.organisation
        fee = fee_for(
            employees=organisation.employee_count,
            organisation_type=organisation.organisation_type,
            on=timezone.localdate(now),
        )
        locked.decided_at = now
        locked.decided_by = actor
        locked.decision_note = note
        accreditation = Accreditation.objects.create(
            organisation=locked.organisation,
            application=locked,
            level_code=level.code,
            level_name=level.name,
            status=AccreditationStatus.AWAITING_FEE,
            approved_at=now,
            approved_by=actor,
            fee_pence=fee.amount_pence,
            fee_band=fee.band,
            fee_band_label=fee.label,
        )
        audit_record(
            actor=actor,
            action="accreditation.create",
            obj=accreditation,
            to_state=AccreditationStatus.AWAITING_FEE,
            note=f"{level.name}, from application {locked.reference}. Fee {pounds(fee.amount_pence)} ({fee.label}).",
        )
        recommended_by = officer_name(locked.recommended_by)
        return Stamp(
            fields=["decided_at", "decided_by", "decision_note"],
            note=f"Approved at {level.name}, as recommended by {recommended_by}." + (f" {note}" if note else ""),
        )

    with transaction.atomic():
        approved = application_transition(
            actor=actor,
            application=application,
            to_status=ApplicationStatus.APPROVED,
            action="application.approve",
            prepare=prepare,
        )
        # Straight to the page where the employer pays the fee.
        path = reverse("fees:accreditation", kwargs={"pk": approved.accreditation.pk})
        link = base_url.rstrip("/") + path if base_url else path
        transaction.on_commit(
            lambda: send_application_approved_email.enqueue(application_id=approved.pk, link=link), robust=True
        )
    return approved


def application_reject(
    *, actor, application: Application, reason: str, next_steps: str = "", base_url: str = ""
) -> Application:
    """Another officer rejects a recommended case, saying why and what the employer can do next."""
    require_officer(actor)
    reason = _note(
        reason,
        label="The reason",
        field="reason",
        required="Give the reason for the decision: the employer will read it",
        max_length=REASON_MAX_LENGTH,
    )
    next_steps = _note(next_steps, label="What they can do next", field="next_steps", max_length=REASON_MAX_LENGTH)

    def prepare(locked: Application) -> Stamp:
        _require_four_eyes(actor=actor, locked=locked)
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.rejection_reason = reason
        locked.rejection_next_steps = next_steps
        return Stamp(
            fields=["decided_at", "decided_by", "rejection_reason", "rejection_next_steps"],
            note=f"Rejected. {reason}" + (f" Next steps: {next_steps}" if next_steps else ""),
        )

    with transaction.atomic():
        rejected = application_transition(
            actor=actor,
            application=application,
            to_status=ApplicationStatus.REJECTED,
            action="application.reject",
            prepare=prepare,
        )
        link = _dashboard_link(base_url)
        transaction.on_commit(
            lambda: send_application_rejected_email.enqueue(application_id=rejected.pk, link=link), robust=True
        )
    return rejected
