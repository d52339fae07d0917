"""Paying an accreditation's fee online: starting a checkout, and the payment's own moves (issue 5 point 2).

A fee is marked paid only from a verified gateway event, handled in `payment_events`
(`payment_event_receive`); the payer's return to the success page changes nothing. This module starts
checkouts (`payment_checkout_start`, the accreditation row locked, an open session reused, one
idempotency key per attempt), moves a payment through PAYMENT_TRANSITIONS, and closes open checkouts
when a fee is settled another way. It takes locks in the events' order: the accreditation, then the
payment.
"""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record

from ..exceptions import FeeNotDue, GatewayError, InvalidTransition, PaymentDeclined
from ..gateways import CheckoutRequest, PaymentGateway, current_gateway
from ..models import (
    OPEN_PAYMENT_STATUSES,
    PAYMENT_TRANSITIONS,
    RECEIVED_PAYMENT_STATUSES,
    Accreditation,
    AccreditationStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from ..money import pounds
from ._common import require_member
from .activation import _STATUS_PHRASES, accreditation_lock

logger = logging.getLogger(__name__)

CURRENCY = "gbp"
# An open checkout session is handed out again only if it has at least this long left to run.
REUSE_MARGIN = timedelta(minutes=5)
_ERROR_MAX_LENGTH = 4000
# Said to the payer while a payment the gateway took is flagged for an officer (a wrong amount, say).
PAYMENT_BEING_CHECKED = (
    "We have received a payment for this fee and an officer is checking it. You do not need to pay again."
)
SETTLED_ANOTHER_WAY = "closed: the fee was settled another way"


# --- small helpers ---------------------------------------------------------------------------------


def fees_path(name: str, accreditation_pk: int) -> str:
    """The path of one of the employer's fee pages for an accreditation (fees:accreditation, :paid, :cancelled)."""
    return reverse(f"fees:{name}", args=[accreditation_pk])


def _absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path if base_url else path


def _method_label(method: str) -> str:
    return "test payment (no money taken)" if method == PaymentMethod.TEST else "card"


def checkout_description(accreditation: Accreditation) -> str:
    """The line item's name: "Fine City Employers Charter accreditation 2027: Accredited Employer"."""
    code = accreditation.application.edition.code
    year = code if code.isdigit() and len(code) == 4 else str(timezone.localtime(accreditation.approved_at).year)
    return f"{settings.SERVICE_NAME} accreditation {year}: {accreditation.level_name}"


def checkout_metadata(accreditation: Accreditation) -> dict[str, str]:
    """What identifies the accreditation on the session and its payment (Stripe metadata values are strings)."""
    return {
        "accreditation_id": str(accreditation.pk),
        "organisation_id": str(accreditation.organisation_id),
        "application_reference": accreditation.application.reference,
    }


def _fee_not_due(accreditation: Accreditation) -> FeeNotDue:
    """The refusal to take a fee for an accreditation that is not awaiting one, saying why."""
    if accreditation.fee_waived:
        return FeeNotDue("The fee for this accreditation was waived, so there is nothing to pay.")
    if accreditation.payments.filter(status__in=RECEIVED_PAYMENT_STATUSES).exists():
        return FeeNotDue("The fee for this accreditation has already been paid.")
    phrase = _STATUS_PHRASES[accreditation.status_enum]
    return FeeNotDue(f"This accreditation {phrase}, so there is no fee to pay.")


def installation_tag() -> str:
    """A short value of this installation's own (from SECRET_KEY), so that two installations sharing one
    Stripe account (staging and production, say) never send the same idempotency key."""
    return hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest()[:8]


def checkout_idempotency_key(accreditation_pk: int, attempt: int) -> str:
    """The idempotency key of attempt `attempt` to open a checkout for the accreditation."""
    return f"fcec-{installation_tag()}-accreditation-{accreditation_pk}-checkout-{attempt}"


def payment_being_checked(accreditation: Accreditation) -> bool:
    """Whether the gateway took a payment for the accreditation that is flagged for an officer to check."""
    return accreditation.payments.filter(status__in=RECEIVED_PAYMENT_STATUSES, needs_attention=True).exists()


def _payment_move(payment: Payment, to_status: str, *, action: str, note: str, actor=None) -> Payment:
    """Set a payment's status (saving a payment new from an event) and audit the move.

    A move PAYMENT_TRANSITIONS does not list is refused (InvalidTransition): for an event, that records
    the event as failed for an officer to look at, rather than writing a payment history that cannot be.
    """
    from_status = payment.status if payment.pk else ""
    if to_status not in PAYMENT_TRANSITIONS[from_status]:
        raise InvalidTransition(
            f"A payment that is {from_status or 'new'} cannot become {to_status}.",
            from_status=from_status,
            to_status=to_status,
        )
    payment.status = to_status
    payment.save()
    audit_record(actor=actor, action=action, obj=payment, from_state=from_status, to_state=to_status, note=note)
    return payment


def _close_other_open_payments(payment: Payment, *, reason: str) -> None:
    """Mark any other open checkout of the accreditation expired (at most one may be open at a time)."""
    others = Payment.objects.select_for_update().filter(
        accreditation_id=payment.accreditation_id, status__in=OPEN_PAYMENT_STATUSES
    )
    if payment.pk:
        others = others.exclude(pk=payment.pk)
    for other in others:
        _payment_move(other, PaymentStatus.EXPIRED, action="payment.expire", note=reason)


def checkouts_close_for_settled_fee(
    accreditation: Accreditation, *, actor=None, note: str = SETTLED_ANOTHER_WAY
) -> None:
    """Mark every open (pending) checkout of a fee just settled another way expired, and after the commit
    ask the gateway to expire its session, so that nobody can pay the fee again through it.

    Called inside the settling service's transaction, with the accreditation locked. A processing payment
    is left alone: its money is on its way, and its event flags it if it arrives.
    """
    pending = list(
        Payment.objects.select_for_update().filter(accreditation_id=accreditation.pk, status=PaymentStatus.PENDING)
    )
    for payment in pending:
        _payment_move(payment, PaymentStatus.EXPIRED, action="payment.expire", note=note, actor=actor)
    sessions = [(payment.method, payment.checkout_session_id) for payment in pending if payment.checkout_session_id]
    if sessions:
        transaction.on_commit(lambda: _expire_sessions(sessions), robust=True)


def _expire_sessions(sessions: list[tuple[str, str]]) -> None:
    """Ask the gateway to expire checkout sessions it opened (those of another gateway are left to expire)."""
    gateway = current_gateway()
    for method, session_id in sessions:
        if method == gateway.method:
            gateway.expire_checkout(session_id)


# --- starting a checkout -----------------------------------------------------------------------------


def _reusable(payment: Payment, gateway: PaymentGateway) -> bool:
    """Whether an open checkout can be handed out again: the same gateway, and time left to pay."""
    if payment.status != PaymentStatus.PENDING or payment.method != gateway.method:
        return False
    return payment.checkout_expires_at is None or payment.checkout_expires_at > timezone.now() + REUSE_MARGIN


def payment_checkout_start(*, actor, accreditation: Accreditation, base_url: str) -> Payment:
    """Open a checkout for the accreditation's fee (or give back the one already open); returns the Payment.

    For a member of the organisation, while the accreditation awaits its fee (FeeNotDue otherwise). A
    second click or a second tab gets the same open session. Each new attempt has its own idempotency
    key, so a retried request never makes two sessions; the number goes up only after an attempt ended.
    The gateway is called with the accreditation locked; if it fails (GatewayError or PaymentDeclined),
    the attempt is stored as a failed payment (so the next click uses the next key: Stripe would replay the
    stored failure for the same key, and refuse it with other parameters) and the error is raised again.
    While a payment the gateway took is flagged for an officer, FeeNotDue says so.
    """
    gateway = current_gateway()
    with transaction.atomic():
        locked = accreditation_lock(accreditation)
        require_member(actor=actor, organisation=locked.organisation)
        if locked.status != AccreditationStatus.AWAITING_FEE:
            raise _fee_not_due(locked)
        if payment_being_checked(locked):
            raise FeeNotDue(PAYMENT_BEING_CHECKED)
        open_payment = (
            Payment.objects.select_for_update().filter(accreditation=locked, status__in=OPEN_PAYMENT_STATUSES).first()
        )
        if open_payment is not None:
            if open_payment.status == PaymentStatus.PROCESSING:
                raise FeeNotDue(
                    "Your payment is being confirmed. We will email you a receipt when it has gone through: "
                    "you do not need to pay again."
                )
            if _reusable(open_payment, gateway):
                return open_payment
            _payment_move(
                open_payment,
                PaymentStatus.EXPIRED,
                action="payment.expire",
                note=(
                    "The checkout was not completed in time; a new one was started."
                    if open_payment.method == gateway.method
                    else "The payment gateway has changed since this checkout was started; a new one was started."
                ),
            )

        # Every attempt that reached the gateway counts, whether it made a session or failed.
        attempt = locked.payments.filter(Q(checkout_session_id__isnull=False) | ~Q(idempotency_key="")).count() + 1
        idempotency_key = checkout_idempotency_key(locked.pk, attempt)
        request = CheckoutRequest(
            accreditation_id=locked.pk,
            amount_pence=locked.fee_pence,
            currency=CURRENCY,
            description=checkout_description(locked),
            customer_email=actor.email,
            client_reference_id=f"accreditation-{locked.pk}",
            metadata=checkout_metadata(locked),
            idempotency_key=idempotency_key,
            success_url=_absolute(base_url, fees_path("paid", locked.pk)) + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=_absolute(base_url, fees_path("cancelled", locked.pk)),
        )
        try:
            session = gateway.create_checkout(request)
        except (GatewayError, PaymentDeclined) as exc:
            failure = exc
            _checkout_failed(actor=actor, accreditation=locked, gateway=gateway, key=idempotency_key, exc=exc)
        else:
            return _checkout_open(
                actor=actor, locked=locked, gateway=gateway, session=session, key=idempotency_key, attempt=attempt
            )
    raise failure  # outside the transaction, so the failed attempt is kept


def _checkout_failed(*, actor, accreditation: Accreditation, gateway, key: str, exc: Exception) -> None:
    """Record an attempt the gateway refused or failed, so that its idempotency key is not used again."""
    payment = Payment.objects.create(
        accreditation=accreditation,
        method=gateway.method,
        status=PaymentStatus.FAILED,
        amount_due_pence=accreditation.fee_pence,
        currency=CURRENCY,
        idempotency_key=key,
        customer_email=actor.email,
        created_by=actor,
    )
    why = "declined the payment" if isinstance(exc, PaymentDeclined) else "could not open a checkout"
    audit_record(
        actor=actor,
        action="payment.checkout_fail",
        obj=payment,
        to_state=PaymentStatus.FAILED,
        note=f"The {gateway.name} gateway {why} (idempotency key {key}).",
    )


def _checkout_open(*, actor, locked: Accreditation, gateway, session, key: str, attempt: int) -> Payment:
    """Store the session the gateway opened as the accreditation's pending payment."""
    payment = Payment.objects.create(
        accreditation=locked,
        method=gateway.method,
        status=PaymentStatus.PENDING,
        amount_due_pence=locked.fee_pence,
        currency=CURRENCY,
        checkout_session_id=session.id,
        checkout_url=session.url,
        checkout_expires_at=session.expires_at,
        idempotency_key=key,
        customer_email=actor.email,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="payment.checkout_start",
        obj=payment,
        to_state=PaymentStatus.PENDING,
        note=f"Checkout {session.id} for {pounds(locked.fee_pence)} ({gateway.name} gateway, attempt {attempt}).",
    )
    return payment
