"""Moving an accreditation between statuses, and activating it (issue 5 point 7).

`accreditation_activate` is the one service that makes an accreditation active, however its fee was
settled (paid online, recorded offline, or waived): whatever activation issues (today the "you are
accredited" email; the certificate and the register entry in later issues) hangs off it, in
`_after_activation`, so no caller can activate without them.
"""

from collections.abc import Callable
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ..exceptions import InvalidTransition
from ..models import Accreditation, AccreditationStatus
from ..tasks import send_accredited_email
from .transitions import Stamp, status_move

# How long an accreditation lasts from the day it becomes active (PRODUCT.md section 3).
VALIDITY = relativedelta(months=12)

_STATUS_PHRASES = {
    AccreditationStatus.AWAITING_FEE: "is waiting for its fee",
    AccreditationStatus.ACTIVE: "is already active",
    AccreditationStatus.SUSPENDED: "is suspended",
    AccreditationStatus.REVOKED: "has been revoked",
    AccreditationStatus.EXPIRED: "has expired",
}
_VERBS = {
    AccreditationStatus.AWAITING_FEE: "made to wait for a fee again",
    AccreditationStatus.ACTIVE: "activated",
    AccreditationStatus.SUSPENDED: "suspended",
    AccreditationStatus.REVOKED: "revoked",
    AccreditationStatus.EXPIRED: "expired",
}


def accreditation_lock(accreditation: Accreditation | int) -> Accreditation:
    """The accreditation re-read and locked for the rest of the transaction (SELECT ... FOR UPDATE)."""
    pk = accreditation.pk if isinstance(accreditation, Accreditation) else accreditation
    return (
        Accreditation.objects.select_for_update(of=("self",)).select_related("organisation", "application").get(pk=pk)
    )


def accreditation_refusal(accreditation: Accreditation, to_status: str) -> InvalidTransition:
    """The refusal for a move the table does not allow, in plain words."""
    current = AccreditationStatus(accreditation.status)
    target = AccreditationStatus(to_status)
    phrase = _STATUS_PHRASES[current]
    message = (
        f"This accreditation {phrase}."
        if current == target
        else f"This accreditation {phrase}, so it cannot be {_VERBS[target]}."
    )
    return InvalidTransition(message, from_status=current, to_status=target)


def accreditation_transition(
    *,
    actor,
    accreditation: Accreditation,
    to_status: str,
    action: str,
    note: str = "",
    prepare: Callable[[Accreditation], Stamp] | None = None,
) -> Accreditation:
    """Lock, check ACCREDITATION_TRANSITIONS, run the service's own step, set the status, audit.

    The same shape as `application_transition`: `prepare(locked)` refuses by raising (nothing is
    written) or sets its own fields and returns them in a Stamp. One transaction (a savepoint inside
    the caller's). Returns the locked row.
    """
    with transaction.atomic():
        return status_move(
            actor=actor,
            locked=accreditation_lock(accreditation),
            to_status=to_status,
            action=action,
            note=note,
            refusal=accreditation_refusal,
            prepare=prepare,
        )


def accreditation_valid_until(valid_from: date) -> date:
    """The last day an accreditation that starts on `valid_from` is valid: 12 months, less a day."""
    return valid_from + VALIDITY - relativedelta(days=1)


def accreditation_activate(
    *, actor, accreditation: Accreditation, how: str, on: date | None = None, base_url: str = ""
) -> Accreditation:
    """Make an accreditation awaiting its fee active for 12 months from today (or `on`), and issue what follows.

    `how` says how the fee was settled, for the audit note ("Paid by card, receipt R-2026-00001").
    Refused (InvalidTransition) unless the accreditation is awaiting its fee. The caller (the fee's
    service) records the payment or waiver in the same transaction, so neither exists without the other.
    """
    start = on or timezone.localdate()

    def prepare(locked: Accreditation) -> Stamp:
        # The table also allows suspended → active: that is lifting a suspension (its own service), not this.
        if locked.status != AccreditationStatus.AWAITING_FEE:
            raise InvalidTransition(
                f"This accreditation {_STATUS_PHRASES[locked.status_enum]}, so it cannot be activated by a fee.",
                from_status=locked.status,
                to_status=AccreditationStatus.ACTIVE,
            )
        locked.activated_at = timezone.now()
        locked.activated_by = actor if actor is not None and actor.is_authenticated else None
        locked.valid_from = start
        locked.valid_until = accreditation_valid_until(start)
        return Stamp(
            fields=["activated_at", "activated_by", "valid_from", "valid_until"],
            note=f"{how} Valid from {start:%-d %B %Y} until {locked.valid_until:%-d %B %Y}.",
        )

    with transaction.atomic():
        active = accreditation_transition(
            actor=actor,
            accreditation=accreditation,
            to_status=AccreditationStatus.ACTIVE,
            action="accreditation.activate",
            prepare=prepare,
        )
        _after_activation(active, base_url=base_url)
    return active


def _after_activation(accreditation: Accreditation, *, base_url: str) -> None:
    """What an accreditation's activation issues, inside its transaction (side effects after the commit).

    Later issues add the certificate (certificate_issue) and the register entry here.
    """
    path = reverse("employers:dashboard")
    link = base_url.rstrip("/") + path if base_url else path
    transaction.on_commit(
        lambda: send_accredited_email.enqueue(accreditation_id=accreditation.pk, link=link), robust=True
    )
