"""Accreditation fees: what is due, and how an officer settles a fee without the card gateway (issue 5 points 1, 5).

`fee_for` reads the fee bands (data with an `effective_from` date, PRODUCT.md section 4). The officer's
services record an offline payment (invoice or bank transfer) or waive the fee, and deal with a payment
the gateway flagged for attention; each activates the accreditation through `accreditation_activate` in
the same transaction as its own record, so neither exists without the other.

Lock order, as in the gateway's event handling (accreditation.services.payments): the accreditation
first, then its payment.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record
from employers.models import OrganisationType

from ..exceptions import FeeNotDue, InputInvalid, InvalidTransition, NoFeeBand, PaymentInProgress
from ..models import (
    Accreditation,
    AccreditationStatus,
    FeeBand,
    FeeRate,
    FeeSchedule,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from ..money import money, pounds
from ..tasks.fees import send_payment_receipt_email
from ._common import clean_text, text_problem
from .activation import _STATUS_PHRASES, accreditation_activate, accreditation_lock
from .payments import checkouts_close_for_settled_fee
from .review import officer_name, require_officer
from .sequences import receipt_number

REFERENCE_MAX_LENGTH = 100  # Payment.reference
NOTE_MAX_LENGTH = 2000
# Organisations that pay the public sector or charity rate, where a schedule has one (the 501+ band).
PUBLIC_OR_CHARITY_TYPES = frozenset({OrganisationType.CHARITY, OrganisationType.PUBLIC_BODY})
_ORGANISATION_WORDS = {
    OrganisationType.COMPANY: "a company",
    OrganisationType.CHARITY: "a charity",
    OrganisationType.PUBLIC_BODY: "a public body",
}
# Payments that can be accepted as the fee: money the council holds (a full refund gave it all back).
ACCEPTABLE_STATUSES = (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED)


# --- what is due --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeQuote:
    """The fee for one organisation on one date: the amount, the band it comes from, and the band in words."""

    amount_pence: int
    band: FeeBand
    label: str


def fee_rate_for(organisation_type: str) -> FeeRate:
    """The rate an organisation of this type pays where a band has more than one: charities and public bodies
    pay the public sector or charity rate, everyone else the private sector rate."""
    return FeeRate.PUBLIC_OR_CHARITY if organisation_type in PUBLIC_OR_CHARITY_TYPES else FeeRate.PRIVATE


def schedule_in_force(on: date) -> FeeSchedule | None:
    """The fee schedule in force on `on` (the latest one in force from that day or earlier), its bands prefetched."""
    schedules = FeeSchedule.objects.filter(effective_from__lte=on).prefetch_related("bands")
    return schedules.order_by("-effective_from").first()


def bands_covering(bands: Iterable[FeeBand], employees: int) -> list[FeeBand]:
    """The bands whose headcount range includes `employees`."""
    return [
        band
        for band in bands
        if band.min_employees <= employees and (band.max_employees is None or employees <= band.max_employees)
    ]


def band_for(bands: Iterable[FeeBand], *, employees: int, organisation_type: str) -> FeeBand | None:
    """Of one schedule's bands, the one that applies: the type's own rate where one covers the headcount,
    otherwise the band for every organisation; None when neither does."""
    covering = bands_covering(bands, employees)
    for rate in (fee_rate_for(organisation_type), FeeRate.ALL):
        matching = sorted((band for band in covering if band.applies_to == rate), key=lambda b: (b.min_employees, b.pk))
        if matching:
            return matching[0]
    return None


def fee_for(*, employees: int, organisation_type: str, on: date) -> FeeQuote:
    """The fee for an organisation of this headcount and type on `on`, from the schedule in force that day.

    Raises NoFeeBand when no schedule is in force yet, or no band of it covers the organisation.
    """
    schedule = schedule_in_force(on)
    bands = schedule.bands.all() if schedule else []
    band = band_for(bands, employees=employees, organisation_type=organisation_type)
    if band is None:
        who = _ORGANISATION_WORDS.get(organisation_type, "an organisation")
        raise NoFeeBand(
            f"No fee band covers {who} with {employees:,} employee{'s' if employees != 1 else ''} on {on:%-d %B %Y}. "
            "The scheme administrator must add one to the fee schedules before this case can be approved."
        )
    return FeeQuote(amount_pence=band.amount_pence, band=band, label=band.label)


# --- settling a fee without the card gateway ----------------------------------------------------


def _require_fee_due(locked: Accreditation) -> None:
    """Refuse unless the accreditation is waiting for its fee, and no card payment for it is in flight."""
    if locked.status != AccreditationStatus.AWAITING_FEE:
        raise FeeNotDue(f"No fee is due: this accreditation {_STATUS_PHRASES[locked.status_enum]}.")
    if locked.payments.filter(status=PaymentStatus.PROCESSING).exists():
        raise PaymentInProgress


def _employer_link(accreditation: Accreditation, base_url: str) -> str:
    """Where the employer sees the accreditation and downloads its receipts."""
    path = reverse("fees:accreditation", kwargs={"pk": accreditation.pk})
    return base_url.rstrip("/") + path if base_url else path


def _clean(value, *, label: str, required: str, max_length: int, one_line: bool = False) -> tuple[str, str | None]:
    """Free text as stored, and what is wrong with it (None if nothing): required, plain (no markup), not too long."""
    text = clean_text(value)
    if one_line:
        text = " ".join(text.split())
    if not text:
        return text, required
    return text, text_problem(text, label=label, max_length=max_length)


def _text(value, *, field: str, label: str, required: str, max_length: int) -> str:
    """Free text as stored, or InputInvalid naming the field."""
    text, problem = _clean(value, label=label, required=required, max_length=max_length)
    if problem:
        raise InputInvalid({field: problem})
    return text


def _send_receipt(payment: Payment, accreditation: Accreditation, base_url: str) -> None:
    link = _employer_link(accreditation, base_url)
    transaction.on_commit(lambda: send_payment_receipt_email.enqueue(payment_id=payment.pk, link=link), robust=True)


def payment_record_offline(
    *, actor, accreditation: Accreditation, amount_pence: int, paid_on: date, reference: str, base_url: str = ""
) -> Payment:
    """An officer records a fee paid by invoice or bank transfer: the payment, its receipt, and the activation.

    The amount must be exactly the fee due, the date neither in the future nor before the approval, and
    the reference (the invoice number or bank reference) plain text. Field refusals come as InputInvalid
    with the keys `amount`, `paid_on` and `reference`. The organisation's users get a receipt by email.
    Any checkout still open for the fee is closed, here and (after the commit) in the gateway.
    """
    require_officer(actor)
    reference, reference_problem = _clean(
        reference,
        label="The reference",
        required="Enter the payment's reference, such as the invoice number or the bank transfer reference",
        max_length=REFERENCE_MAX_LENGTH,
        one_line=True,
    )
    with transaction.atomic():
        locked = accreditation_lock(accreditation)
        _require_fee_due(locked)
        errors = {}
        if amount_pence != locked.fee_pence:
            errors["amount"] = f"The amount paid must be the fee due, {pounds(locked.fee_pence)}"
        approved_on = timezone.localdate(locked.approved_at)
        if paid_on > timezone.localdate():
            errors["paid_on"] = "The date paid must be today or in the past"
        elif paid_on < approved_on:
            errors["paid_on"] = (
                f"The date paid must be on or after {approved_on:%-d %B %Y}, when the accreditation was approved"
            )
        if reference_problem:
            errors["reference"] = reference_problem
        if errors:
            raise InputInvalid(errors)
        receipt = receipt_number(paid_on.year)
        payment = Payment.objects.create(
            accreditation=locked,
            method=PaymentMethod.OFFLINE,
            status=PaymentStatus.PAID,
            amount_due_pence=locked.fee_pence,
            amount_paid_pence=amount_pence,
            reference=reference,
            recorded_by=actor,
            created_by=actor,
            # A bank statement gives a day, not a time: noon that day (local), so the date reads the same anywhere.
            paid_at=timezone.make_aware(datetime.combine(paid_on, time(12))),
            receipt_number=receipt,
        )
        audit_record(
            actor=actor,
            action="payment.record_offline",
            obj=payment,
            to_state=PaymentStatus.PAID,
            note=f"{pounds(amount_pence)} paid on {paid_on:%-d %B %Y} by invoice or bank transfer, "
            f"reference {reference}, receipt {receipt}.",
        )
        checkouts_close_for_settled_fee(locked, actor=actor)
        accreditation_activate(
            actor=actor,
            accreditation=locked,
            how=f"Paid by invoice or bank transfer, reference {reference}, receipt {receipt}.",
            base_url=base_url,
        )
        _send_receipt(payment, locked, base_url)
    return payment


def fee_waive(*, actor, accreditation: Accreditation, reason: str, base_url: str = "") -> Accreditation:
    """An officer waives the fee, with a reason, and the accreditation becomes active.

    A waived fee is stamped on the accreditation (who, when, why) and can never be offset against
    business rates (PRODUCT.md section 5: only a fee paid). No payment and no receipt. Any checkout still
    open for the fee is closed, here and (after the commit) in the gateway.
    """
    require_officer(actor)
    reason = _text(
        reason,
        field="reason",
        label="The reason",
        required="Give the reason for waiving the fee",
        max_length=NOTE_MAX_LENGTH,
    )
    with transaction.atomic():
        locked = accreditation_lock(accreditation)
        _require_fee_due(locked)
        locked.fee_waived_at = timezone.now()
        locked.fee_waived_by = actor
        locked.fee_waived_reason = reason
        locked.save(update_fields=["fee_waived_at", "fee_waived_by", "fee_waived_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="fee.waive",
            obj=locked,
            note=f"Fee of {pounds(locked.fee_pence)} waived. {reason}",
        )
        checkouts_close_for_settled_fee(locked, actor=actor)
        active = accreditation_activate(
            actor=actor,
            accreditation=locked,
            how=f"Fee waived by {officer_name(actor)}.",
            base_url=base_url,
        )
    return active


def _lock_payment(payment: Payment | int) -> Payment:
    pk = payment.pk if isinstance(payment, Payment) else payment
    return Payment.objects.select_for_update(of=("self",)).get(pk=pk)


def _require_flagged(locked: Payment, *, doing: str) -> None:
    if not locked.needs_attention:
        raise InvalidTransition(
            f"This payment is not flagged for attention, so there is nothing to {doing}.",
            from_status=locked.status,
            to_status=locked.status,
        )


def payment_accept(*, actor, payment: Payment, note: str, base_url: str = "") -> Payment:
    """An officer accepts a received payment that was flagged (an amount or currency not the fee due, say) as the
    fee, with a note: the flag is cleared and the accreditation, still waiting for its fee, becomes active.

    The payment keeps its receipt number; one is given (and the receipt sent) if it had none.
    """
    require_officer(actor)
    note = _text(
        note,
        field="note",
        label="Your note",
        required="Say why this payment is accepted as the fee",
        max_length=NOTE_MAX_LENGTH,
    )
    with transaction.atomic():
        accreditation = accreditation_lock(payment.accreditation_id)
        locked = _lock_payment(payment)
        _require_flagged(locked, doing="accept")
        if locked.status not in ACCEPTABLE_STATUSES:
            raise InvalidTransition(
                f"This payment is {locked.get_status_display().lower()}, so it cannot be accepted as the fee.",
                from_status=locked.status,
                to_status=locked.status,
            )
        if accreditation.status != AccreditationStatus.AWAITING_FEE:
            raise FeeNotDue(
                f"No fee is due: this accreditation {_STATUS_PHRASES[accreditation.status_enum]}. "
                "Clear the flag instead, saying what was done about this payment."
            )
        new_receipt = not locked.receipt_number
        if new_receipt:
            locked.paid_at = locked.paid_at or timezone.now()
            locked.receipt_number = receipt_number(timezone.localdate(locked.paid_at).year)
        locked.needs_attention = False
        locked.save(update_fields=["needs_attention", "paid_at", "receipt_number", "updated_at"])
        paid = money(locked.amount_paid_pence, locked.currency)
        audit_record(
            actor=actor,
            action="payment.accept",
            obj=locked,
            from_state=locked.status,
            to_state=locked.status,
            note=f"{paid} accepted as the fee of {pounds(accreditation.fee_pence)} (receipt {locked.receipt_number}). "
            f"{note}",
        )
        checkouts_close_for_settled_fee(accreditation, actor=actor)
        accreditation_activate(
            actor=actor,
            accreditation=accreditation,
            how=f"{locked.get_method_display()} payment of {paid}, receipt {locked.receipt_number}, "
            f"accepted by {officer_name(actor)}.",
            base_url=base_url,
        )
        if new_receipt:
            _send_receipt(locked, accreditation, base_url)
    return locked


def payment_attention_clear(*, actor, payment: Payment, note: str) -> Payment:
    """An officer clears a payment's attention flag, saying what was done (refunded by hand, say). Nothing else
    changes: the accreditation keeps its status."""
    require_officer(actor)
    note = _text(
        note,
        field="note",
        label="Your note",
        required="Say what was done about this payment",
        max_length=NOTE_MAX_LENGTH,
    )
    with transaction.atomic():
        locked = _lock_payment(payment)
        _require_flagged(locked, doing="clear")
        locked.needs_attention = False
        locked.save(update_fields=["needs_attention", "updated_at"])
        audit_record(
            actor=actor,
            action="payment.attention_clear",
            obj=locked,
            from_state=locked.status,
            to_state=locked.status,
            note=note,
        )
    return locked
