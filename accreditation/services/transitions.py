"""Moving an application from one status to another: the one helper every transition service uses.

Each transition (submit and withdraw here; take, query, recommend, approve, reject in issue 4) is the
same steps: lock the row, refuse a move the table in `accreditation.models.APPLICATION_TRANSITIONS`
does not list, let the service check and stamp its own fields, set the status, write the audit row.
Notifications are the caller's, queued with `transaction.on_commit` so a rolled-back move sends nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch

from audit.services import audit_record
from charter.models import Commitment, Criterion

from ..exceptions import InvalidTransition
from ..models import Application, ApplicationStatus

# How each status reads in a refusal: "This application <phrase>, so it cannot be <verb>."
_STATUS_PHRASES = {
    ApplicationStatus.DRAFT: "is still a draft",
    ApplicationStatus.SUBMITTED: "has already been submitted",
    ApplicationStatus.IN_REVIEW: "is being checked by an officer",
    ApplicationStatus.CHANGES_REQUESTED: "is waiting for your changes",
    ApplicationStatus.RECOMMENDED: "is waiting for a decision",
    ApplicationStatus.APPROVED: "has been approved",
    ApplicationStatus.REJECTED: "has been decided",
    ApplicationStatus.WITHDRAWN: "has been withdrawn",
}
_VERBS = {
    ApplicationStatus.DRAFT: "made a draft again",
    ApplicationStatus.SUBMITTED: "submitted",
    ApplicationStatus.IN_REVIEW: "taken for review",
    ApplicationStatus.CHANGES_REQUESTED: "sent back for changes",
    ApplicationStatus.RECOMMENDED: "recommended",
    ApplicationStatus.APPROVED: "approved",
    ApplicationStatus.REJECTED: "rejected",
    ApplicationStatus.WITHDRAWN: "withdrawn",
}


@dataclass
class Stamp:
    """What a transition's own step changed: the fields to save, and a note for the audit row."""

    fields: list[str] = field(default_factory=list)
    note: str = ""


def application_lock(application: Application | int, *, with_content: bool = False) -> Application:
    """The application re-read and locked for the rest of the transaction (SELECT ... FOR UPDATE).

    With `with_content`, the edition's levels, commitments and criteria come prefetched too.
    """
    pk = application.pk if isinstance(application, Application) else application
    queryset = Application.objects.select_for_update(of=("self",)).select_related("organisation", "edition")
    if with_content:
        queryset = queryset.prefetch_related(
            "edition__levels",
            Prefetch("edition__commitments", queryset=Commitment.objects.order_by("order")),
            Prefetch("edition__commitments__criteria", queryset=Criterion.objects.order_by("order")),
        )
    return queryset.get(pk=pk)


def transition_refusal(application: Application, to_status: str) -> InvalidTransition:
    """The refusal for a move the table does not allow, in plain words."""
    current = ApplicationStatus(application.status)
    target = ApplicationStatus(to_status)
    phrase = _STATUS_PHRASES[current]
    message = (
        f"This application {phrase}."
        if current == target
        else f"This application {phrase}, so it cannot be {_VERBS[target]}."
    )
    return InvalidTransition(message, from_status=current, to_status=target)


def status_move(*, actor, locked, to_status: str, action: str, note: str, refusal, prepare=None):
    """The steps every status change shares, on a row the caller has locked: check the row's table
    (`locked.can_move_to`), run the service's own step, set the status, save, audit.

    `refusal(locked, to_status)` builds the InvalidTransition for a move the table does not allow;
    `prepare(locked)` checks what the service needs (raising to refuse: nothing is written) and sets its
    own fields, returning them in a Stamp with the audit note.
    """
    if not locked.can_move_to(to_status):
        raise refusal(locked, to_status)
    stamp = prepare(locked) if prepare else Stamp()
    from_status = locked.status
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at", *stamp.fields])
    audit_record(
        actor=actor,
        action=action,
        obj=locked,
        from_state=from_status,
        to_state=to_status,
        note=stamp.note or note,
    )
    return locked


def application_transition(
    *,
    actor,
    application: Application,
    to_status: str,
    action: str,
    note: str = "",
    prepare: Callable[[Application], Stamp] | None = None,
    with_content: bool = False,
) -> Application:
    """Lock, check the table, run the service's own step, set the status, audit. Returns the locked row.

    Runs in one transaction (a savepoint inside the caller's); see `status_move` for `prepare`.
    """
    with transaction.atomic():
        locked = application_lock(application, with_content=with_content)
        return status_move(
            actor=actor,
            locked=locked,
            to_status=to_status,
            action=action,
            note=note,
            refusal=transition_refusal,
            prepare=prepare,
        )
