"""What the payment gateway tells us: its events, stored once and handled once (issue 5 point 3).

A fee is marked paid only from a verified gateway event: Stripe's webhook, or the test gateway's event
signed the same way and handled by the same code (`payment_event_receive`). Events are stored once by
their id and processed under a row lock on the stored event, so an event delivered twice, or fifty times
at once, has exactly one effect. Locks are always taken in the same order: the event, then the
accreditation, then the payment, so concurrent events for one accreditation queue rather than deadlock.
"""

import logging
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record

from ..exceptions import InvalidTransition
from ..models import (
    OPEN_PAYMENT_STATUSES,
    PAYMENT_TRANSITIONS,
    RECEIVED_PAYMENT_STATUSES,
    Accreditation,
    AccreditationStatus,
    Payment,
    PaymentEvent,
    PaymentEventStatus,
    PaymentMethod,
    PaymentStatus,
)
from ..money import money, pounds
from ..tasks.fees import send_payment_receipt_email
from .activation import _STATUS_PHRASES, accreditation_activate, accreditation_lock
from .payments import (
    CURRENCY,
    SETTLED_ANOTHER_WAY,
    _absolute,
    _close_other_open_payments,
    _method_label,
    _payment_move,
    checkouts_close_for_settled_fee,
    fees_path,
)
from .review import require_officer
from .sequences import receipt_number

logger = logging.getLogger(__name__)

_ERROR_MAX_LENGTH = 4000


class PaymentEventError(Exception):
    """An event that cannot be processed as it stands; its message is recorded on the event for officers."""


@dataclass(frozen=True)
class _Outcome:
    status: str  # PaymentEventStatus: processed or ignored
    payment: Payment | None = None
    note: str = ""  # why nothing changed, for the log


# --- the gateway's events -------------------------------------------------------------------------------


def payment_event_receive(*, gateway, payload: bytes, signature: str | None, base_url: str = "") -> PaymentEvent:
    """Verify a gateway event, store it once by its id, and process it once; returns the stored event.

    Raises WebhookSignatureInvalid (nothing stored) when the signature is missing, wrong or old. An event
    already processed or ignored is returned unchanged. A processing failure is recorded on the event
    (status failed, the error, one more attempt), and a later delivery or an officer's re-run tries again.
    `base_url` (else settings.SITE_URL) is for the link in the receipt email.
    """
    event = gateway.verify_event(payload=payload, signature=signature)
    stored = _event_store(event, gateway=gateway.name)
    return _event_process(stored.pk, base_url=base_url or settings.SITE_URL)


def payment_event_rerun(*, actor, event: PaymentEvent, base_url: str = "") -> PaymentEvent:
    """An officer runs a failed event again; returns it, processed or failed once more. Audited."""
    require_officer(actor)
    with transaction.atomic():
        locked = PaymentEvent.objects.select_for_update().get(pk=event.pk)
        if locked.status != PaymentEventStatus.FAILED:
            label = PaymentEventStatus(locked.status).label.lower()
            raise InvalidTransition(
                f"Only an event that failed can be run again: this one is {label}.",
                from_status=locked.status,
                to_status=locked.status,
            )
        result = _event_process(locked.pk, base_url=base_url or settings.SITE_URL)
        audit_record(
            actor=actor,
            action="payment_event.rerun",
            obj=result,
            from_state=PaymentEventStatus.FAILED,
            to_state=result.status,
            note=result.error if result.status == PaymentEventStatus.FAILED else "",
        )
    return result


def _event_store(event: dict, *, gateway: str) -> PaymentEvent:
    """The stored event with this id: created now, or the row an earlier (or concurrent) delivery made."""
    try:
        with transaction.atomic():
            return PaymentEvent.objects.create(
                event_id=event["id"],
                gateway=gateway,
                event_type=event["type"][:100],
                livemode=bool(event.get("livemode")),
                payload=event,
            )
    except IntegrityError:  # delivered before, or at this moment by another request: that row is the one
        return PaymentEvent.objects.get(event_id=event["id"])


def _error_summary(exc: Exception) -> str:
    if isinstance(exc, PaymentEventError):
        return str(exc)
    summary = "".join(traceback.format_exception(exc, limit=-4))
    return summary[-_ERROR_MAX_LENGTH:]


def _event_process(pk: int, *, base_url: str) -> PaymentEvent:
    """Process a stored event under a lock on its row, unless it already was; record a failure on it."""
    with transaction.atomic():
        event = PaymentEvent.objects.select_for_update().get(pk=pk)
        if event.status in (PaymentEventStatus.PROCESSED, PaymentEventStatus.IGNORED):
            return event
        event.attempts += 1
        try:
            with transaction.atomic():  # a savepoint: a failure undoes everything the handling did
                outcome = _handle(event, base_url=base_url)
        except Exception as exc:
            logger.exception("Payment event %s (%s) failed to process", event.event_id, event.event_type)
            event.status = PaymentEventStatus.FAILED
            event.error = _error_summary(exc)
            event.save(update_fields=["status", "error", "attempts"])
            return event
        if outcome.note:
            logger.info("Payment event %s (%s): %s", event.event_id, event.event_type, outcome.note)
        event.status = outcome.status
        event.error = ""  # only a failure is recorded here (the officers' event log shows it as the error)
        event.payment = outcome.payment
        event.processed_at = timezone.now()
        event.save(update_fields=["status", "error", "attempts", "payment", "processed_at"])
    return event


def _handle(event: PaymentEvent, *, base_url: str) -> _Outcome:
    handler = _HANDLERS.get(event.event_type)
    if handler is None:
        return _Outcome(PaymentEventStatus.IGNORED, note=f"Events of type {event.event_type} are stored, not handled.")
    return handler(event, base_url=base_url)


def _event_time(event: PaymentEvent) -> datetime:
    created = event.payload.get("created")
    return datetime.fromtimestamp(created, tz=UTC) if isinstance(created, int) else timezone.now()


def _named_accreditation(session: dict) -> str | None:
    """The accreditation a session says it is for (our metadata, else our client_reference_id), or None."""
    metadata = session.get("metadata") or {}
    if metadata.get("accreditation_id"):
        return str(metadata["accreditation_id"])
    reference = session.get("client_reference_id") or ""
    if reference.startswith("accreditation-"):
        return reference.removeprefix("accreditation-")
    return None


def _session_payment(event: PaymentEvent) -> tuple[Payment | None, Accreditation | None, dict]:
    """The payment (locked; new and unsaved if the portal did not start this session) and its accreditation.

    (None, None, session) when the session is not the portal's. PaymentEventError when it names an
    accreditation that does not exist.
    """
    session = event.payload["data"]["object"]
    session_id = session.get("id")
    if not isinstance(session_id, str) or not session_id:
        raise PaymentEventError("The event's checkout session has no id.")
    known = Payment.objects.filter(checkout_session_id=session_id).values_list("accreditation_id", flat=True).first()
    if known is None:
        named = _named_accreditation(session)
        if named is None:
            return None, None, session
        if not named.isdigit() or not Accreditation.objects.filter(pk=int(named)).exists():
            raise PaymentEventError(
                f'The checkout session {session_id} names accreditation "{named[:40]}", which does not exist: '
                "nothing was recorded. Check the payment in the gateway's dashboard."
            )
        known = int(named)
    accreditation = accreditation_lock(known)
    payment = Payment.objects.select_for_update().filter(checkout_session_id=session_id).first()
    if payment is None:  # a session the portal did not start (e.g. made in Stripe's dashboard) for one of ours
        details = session.get("customer_details") or {}
        payment = Payment(
            accreditation=accreditation,
            method=PaymentMethod.TEST if event.gateway == "test" else PaymentMethod.CARD,
            status=PaymentStatus.PENDING,
            amount_due_pence=accreditation.fee_pence,
            currency=str(session.get("currency") or CURRENCY)[:3],
            checkout_session_id=session_id,
            customer_email=(details.get("email") or session.get("customer_email") or "")[:254],
        )
    return payment, accreditation, session


def _not_ours(event: PaymentEvent) -> _Outcome:
    return _Outcome(
        PaymentEventStatus.IGNORED,
        note="Not a payment of this portal: the session names no accreditation and matches no checkout.",
    )


def _on_checkout_completed(event: PaymentEvent, *, base_url: str) -> _Outcome:
    payment, accreditation, session = _session_payment(event)
    if payment is None:
        return _not_ours(event)
    payment_status = session.get("payment_status")
    if payment_status in ("paid", "no_payment_required"):
        return fee_mark_paid(
            payment=payment, accreditation=accreditation, session=session, paid_at=_event_time(event), base_url=base_url
        )
    if payment_status != "unpaid":
        raise PaymentEventError(f'Unknown payment_status "{payment_status}" on checkout session {session["id"]}.')
    if payment.pk and payment.status != PaymentStatus.PENDING:
        return _Outcome(
            PaymentEventStatus.PROCESSED, payment, f"Nothing changed: the payment is already {payment.status}."
        )
    _close_other_open_payments(payment, reason="Another checkout of this fee was completed instead.")
    payment.payment_intent_id = str(session.get("payment_intent") or "")[:255]
    _payment_move(
        payment,
        PaymentStatus.PROCESSING,
        action="payment.processing",
        note="Checkout completed; the payment has not cleared yet (for example a bank debit).",
    )
    return _Outcome(PaymentEventStatus.PROCESSED, payment)


def _on_async_payment_succeeded(event: PaymentEvent, *, base_url: str) -> _Outcome:
    payment, accreditation, session = _session_payment(event)
    if payment is None:
        return _not_ours(event)
    return fee_mark_paid(
        payment=payment, accreditation=accreditation, session=session, paid_at=_event_time(event), base_url=base_url
    )


def _on_async_payment_failed(event: PaymentEvent, *, base_url: str) -> _Outcome:
    payment, _accreditation, _session = _session_payment(event)
    if payment is None:
        return _not_ours(event)
    if payment.pk and payment.status not in OPEN_PAYMENT_STATUSES:
        return _Outcome(
            PaymentEventStatus.PROCESSED, payment, f"Nothing changed: the payment is already {payment.status}."
        )
    _payment_move(
        payment,
        PaymentStatus.FAILED,
        action="payment.fail",
        note="The payment failed after checkout. The fee is still due.",
    )
    return _Outcome(PaymentEventStatus.PROCESSED, payment)


def _on_checkout_expired(event: PaymentEvent, *, base_url: str) -> _Outcome:
    payment, _accreditation, _session = _session_payment(event)
    if payment is None:
        return _not_ours(event)
    if payment.pk and payment.status != PaymentStatus.PENDING:
        return _Outcome(
            PaymentEventStatus.PROCESSED, payment, f"Nothing changed: the payment is already {payment.status}."
        )
    _payment_move(
        payment, PaymentStatus.EXPIRED, action="payment.expire", note="The checkout session expired without payment."
    )
    return _Outcome(PaymentEventStatus.PROCESSED, payment)


def _paid_problem(accreditation: Accreditation, payment: Payment) -> str:
    """Why a received payment must not activate the accreditation by itself, or "" when it may."""
    fee = pounds(accreditation.fee_pence)
    paid = money(payment.amount_paid_pence or 0, payment.currency)
    if accreditation.status != AccreditationStatus.AWAITING_FEE:
        if accreditation.fee_waived:
            return f"The fee was waived before this payment of {paid} arrived: refund it?"
        earlier = accreditation.payments.filter(status__in=RECEIVED_PAYMENT_STATUSES).exclude(pk=payment.pk).first()
        if earlier is not None:
            return (
                f"The fee was already paid (receipt {earlier.receipt_number or earlier.reference or earlier.pk}) "
                f"before this payment of {paid} arrived: refund one payment?"
            )
        phrase = _STATUS_PHRASES[accreditation.status_enum]
        return f"This payment of {paid} arrived when the accreditation {phrase}, so it did not activate it."
    if payment.currency.lower() != CURRENCY:
        return f"Paid in {payment.currency.upper() or 'an unknown currency'}: {paid}, but the fee due is {fee}."
    if payment.amount_paid_pence != accreditation.fee_pence:
        return f"Paid {paid} but the fee due is {fee}."
    return ""


def fee_mark_paid(
    *, payment: Payment, accreditation: Accreditation, session: dict, paid_at: datetime, base_url: str
) -> _Outcome:
    """Record the money a checkout session took, give it a receipt number, and activate the accreditation.

    Called with the accreditation and the payment locked. Activates only when exactly the fee due was paid,
    in pounds, while the accreditation awaits its fee; otherwise the money is recorded and the payment
    flagged for an officer with the reason, never accepted silently. The receipt email goes after the commit.
    """
    if payment.pk and payment.status in RECEIVED_PAYMENT_STATUSES:
        return _Outcome(PaymentEventStatus.PROCESSED, payment, "Nothing changed: the payment was already recorded.")
    amount = session.get("amount_total")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise PaymentEventError(f"The checkout session {session.get('id')} has no amount_total.")
    payment.amount_paid_pence = amount
    payment.currency = str(session.get("currency") or "")[:3].lower()
    payment.payment_intent_id = str(session.get("payment_intent") or "")[:255]
    payment.paid_at = paid_at
    payment.receipt_number = receipt_number(timezone.localtime(paid_at).year)
    if not payment.customer_email:
        payment.customer_email = ((session.get("customer_details") or {}).get("email") or "")[:254]
    problem = _paid_problem(accreditation, payment)
    if problem:
        payment.needs_attention = True
        payment.attention_reason = problem
    method = _method_label(payment.method)
    _payment_move(
        payment,
        PaymentStatus.PAID,
        action="payment.paid",
        note=f"{money(amount, payment.currency)} received by {method}, receipt {payment.receipt_number}.",
    )
    # Whatever becomes of this payment, no other checkout of the fee may take money again.
    checkouts_close_for_settled_fee(
        accreditation,
        note=(
            "closed: a payment for this fee was received through another checkout" if problem else SETTLED_ANOTHER_WAY
        ),
    )
    if problem:
        audit_record(actor=None, action="payment.flag", obj=payment, note=problem)
    else:
        accreditation_activate(
            actor=None,
            accreditation=accreditation,
            how=f"Paid by {method}, receipt {payment.receipt_number}.",
            base_url=base_url,
        )
    link = _absolute(base_url, fees_path("accreditation", accreditation.pk))
    payment_pk = payment.pk
    transaction.on_commit(lambda: send_payment_receipt_email.enqueue(payment_id=payment_pk, link=link), robust=True)
    return _Outcome(PaymentEventStatus.PROCESSED, payment)


def _charge_names_us(charge: dict) -> bool:
    """Whether a charge is for one of the portal's checkouts: its metadata names an accreditation (copied from
    the payment intent's), or its description is the one every checkout's payment intent is given."""
    metadata = charge.get("metadata") or {}
    if isinstance(metadata, dict) and metadata.get("accreditation_id"):
        return True
    description = charge.get("description")
    return isinstance(description, str) and description.startswith(f"{settings.SERVICE_NAME} accreditation ")


def _on_charge_refunded(event: PaymentEvent, *, base_url: str) -> _Outcome:
    """Record what Stripe refunded and flag it for officers; the accreditation is left as it is."""
    charge = event.payload["data"]["object"]
    payment_intent = charge.get("payment_intent")
    if isinstance(payment_intent, dict):
        payment_intent = payment_intent.get("id")
    if not payment_intent:
        return _Outcome(PaymentEventStatus.IGNORED, note="The charge has no payment intent: not a payment of ours.")
    known = Payment.objects.filter(payment_intent_id=payment_intent).values_list("pk", "accreditation_id").first()
    if known is None:
        if _charge_names_us(charge):  # its payment is not recorded yet (that event failed, or is late): keep it
            raise PaymentEventError(
                f"No payment matches payment intent {payment_intent} yet: re-run this event once the payment is "
                "recorded."
            )
        return _Outcome(
            PaymentEventStatus.IGNORED, note=f"No payment of this portal has payment intent {payment_intent}."
        )
    accreditation = accreditation_lock(known[1])
    payment = Payment.objects.select_for_update().get(pk=known[0])
    refunded = charge.get("amount_refunded")
    if not isinstance(refunded, int) or isinstance(refunded, bool) or refunded < 0:
        raise PaymentEventError(f"The charge {charge.get('id')} has no amount_refunded.")
    if refunded <= payment.refunded_pence:
        return _Outcome(PaymentEventStatus.PROCESSED, payment, "Nothing changed: this refund was already recorded.")
    currency = str(charge.get("currency") or payment.currency)
    paid = payment.amount_paid_pence if payment.amount_paid_pence is not None else charge.get("amount") or 0
    payment.refunded_pence = refunded
    whole = bool(charge.get("refunded")) or refunded >= paid
    to_status = payment.status
    if payment.status in RECEIVED_PAYMENT_STATUSES:
        to_status = PaymentStatus.REFUNDED if whole else PaymentStatus.PARTIALLY_REFUNDED
    label = AccreditationStatus(accreditation.status).officer_label.lower()
    reason = (
        f"{money(refunded, currency)} of {money(paid, currency)} refunded in the payment gateway. "
        f"The accreditation ({label}) has not been changed: decide whether it should be."
    )
    payment.needs_attention = True
    payment.attention_reason = (
        f"{payment.attention_reason}\n{reason}"
        if payment.attention_reason and reason not in payment.attention_reason
        else reason
    )
    if to_status == payment.status and to_status not in PAYMENT_TRANSITIONS[payment.status]:
        # A refund of a payment never received here (still being confirmed, say): flag it, change no status.
        payment.save()
        audit_record(actor=None, action="payment.refund", obj=payment, note=reason)
    else:
        _payment_move(payment, to_status, action="payment.refund", note=reason)
    return _Outcome(PaymentEventStatus.PROCESSED, payment)


_HANDLERS = {
    "checkout.session.completed": _on_checkout_completed,
    "checkout.session.async_payment_succeeded": _on_async_payment_succeeded,
    "checkout.session.async_payment_failed": _on_async_payment_failed,
    "checkout.session.expired": _on_checkout_expired,
    "charge.refunded": _on_charge_refunded,
}
