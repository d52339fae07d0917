"""Employer-side reads of accreditations and their payments (issue 5), scoped through memberships.

An accreditation, payment or receipt of an organisation the person is not in is a 404, whatever id
they try; a receipt exists only for money the council has received.
"""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from ..models import RECEIVED_PAYMENT_STATUSES, Accreditation, AccreditationStatus, Payment, PaymentStatus

# GOV.UK tag colours, for the employer's pages.
ACCREDITATION_TAGS = {
    AccreditationStatus.AWAITING_FEE: "govuk-tag--yellow",
    AccreditationStatus.ACTIVE: "govuk-tag--green",
    AccreditationStatus.SUSPENDED: "govuk-tag--orange",
    AccreditationStatus.REVOKED: "govuk-tag--red",
    AccreditationStatus.EXPIRED: "govuk-tag--grey",
}
PAYMENT_TAGS = {
    PaymentStatus.PENDING: "govuk-tag--light-blue",
    PaymentStatus.PROCESSING: "govuk-tag--blue",
    PaymentStatus.PAID: "govuk-tag--green",
    PaymentStatus.FAILED: "govuk-tag--red",
    PaymentStatus.EXPIRED: "govuk-tag--grey",
    PaymentStatus.PARTIALLY_REFUNDED: "govuk-tag--purple",
    PaymentStatus.REFUNDED: "govuk-tag--purple",
}
# A checkout the payer left or that was refused: the page offers "Pay now" again.
UNSUCCESSFUL_PAYMENT_STATUSES = (PaymentStatus.FAILED, PaymentStatus.EXPIRED)


def accreditation_tag(accreditation: Accreditation) -> str:
    """The GOV.UK tag colour for the accreditation's status."""
    return ACCREDITATION_TAGS[accreditation.status_enum]


def payment_tag(payment: Payment) -> str:
    """The GOV.UK tag colour for the payment's status."""
    return PAYMENT_TAGS[PaymentStatus(payment.status)]


def _being_checked_subquery():
    return Exists(
        Payment.objects.filter(accreditation=OuterRef("pk"), status__in=RECEIVED_PAYMENT_STATUSES, needs_attention=True)
    )


def fee_being_checked(accreditation: Accreditation) -> bool:
    """A payment the gateway took for the accreditation is flagged for an officer (a wrong amount, say): the
    employer is told "an officer is checking it", not offered "Pay now".

    Read from the `fee_being_checked` annotation of the selectors below when there is one, else queried.
    """
    annotated = getattr(accreditation, "fee_being_checked", None)
    if annotated is not None:
        return bool(annotated)
    return accreditation.payments.filter(status__in=RECEIVED_PAYMENT_STATUSES, needs_attention=True).exists()


def fee_due(accreditation: Accreditation) -> bool:
    """The accreditation waits for a fee the employer can pay (not waived, not nothing, and no payment of it
    flagged for an officer to check: see `fee_being_checked`)."""
    return (
        accreditation.status == AccreditationStatus.AWAITING_FEE
        and not accreditation.fee_waived
        and accreditation.fee_pence > 0
        and not fee_being_checked(accreditation)
    )


def payment_is_received(payment: Payment) -> bool:
    """Money the council has received, with the receipt number its receipt needs."""
    return payment.status in RECEIVED_PAYMENT_STATUSES and bool(payment.receipt_number) and payment.paid_at is not None


def accreditations_for_member(user) -> QuerySet[Accreditation]:
    """Accreditations of every organisation `user` belongs to (none for anonymous people)."""
    if user is None or not user.is_authenticated:
        return Accreditation.objects.none()
    return Accreditation.objects.filter(organisation__memberships__user=user)


def accreditation_for_member(user, pk: int) -> Accreditation:
    """One accreditation of an organisation `user` belongs to, with its organisation and application; else Http404."""
    accreditation = (
        accreditations_for_member(user)
        .select_related("organisation", "application", "application__edition")
        .annotate(fee_being_checked=_being_checked_subquery())
        .filter(pk=pk)
        .first()
    )
    if accreditation is None:
        raise Http404("No such accreditation.")
    return accreditation


def organisation_accreditations(organisation) -> list[Accreditation]:
    """An organisation's accreditations, newest first, with their applications (two queries, however many).

    Each has `confirming_payments`: its payments being confirmed by the gateway (paid, not yet settled),
    so a page can say "you do not need to pay again" instead of offering "Pay now"; and `fee_being_checked`,
    true when a payment it took is flagged for an officer to check.
    """
    return list(
        Accreditation.objects.filter(organisation=organisation)
        .select_related("application")
        .annotate(fee_being_checked=_being_checked_subquery())
        .prefetch_related(
            Prefetch(
                "payments",
                queryset=Payment.objects.filter(status=PaymentStatus.PROCESSING).order_by("-created_at", "-pk"),
                to_attr="confirming_payments",
            )
        )
        .order_by("-approved_at", "-pk")
    )


def accreditation_payments(accreditation: Accreditation) -> list[Payment]:
    """Every payment (and attempt) for an accreditation, newest first (one query)."""
    return list(Payment.objects.filter(accreditation=accreditation).order_by("-created_at", "-pk"))


def checkout_payment(accreditation: Accreditation, session_id: str) -> Payment | None:
    """The payment of `accreditation` whose checkout session is `session_id` (None for any other id)."""
    if not session_id or len(session_id) > Payment._meta.get_field("checkout_session_id").max_length:
        return None
    return Payment.objects.filter(accreditation=accreditation, checkout_session_id=session_id).first()


def latest_payment(accreditation: Accreditation) -> Payment | None:
    """The newest payment (or attempt) of `accreditation`, whatever became of it."""
    return Payment.objects.filter(accreditation=accreditation).order_by("-created_at", "-pk").first()


def latest_received_payment(accreditation: Accreditation) -> Payment | None:
    """The newest payment of `accreditation` the council has received and numbered a receipt for."""
    return (
        Payment.objects.filter(
            accreditation=accreditation,
            status__in=RECEIVED_PAYMENT_STATUSES,
            receipt_number__isnull=False,
            paid_at__isnull=False,
        )
        .order_by("-paid_at", "-pk")
        .first()
    )


def receipt_payment_for_member(user, *, accreditation_pk: int, payment_pk: int) -> Payment:
    """A received payment of one of `user`'s organisations' accreditations, for its receipt; else Http404.

    The accreditation id in the URL must be the payment's own, and only received money has a receipt.
    """
    payment = (
        Payment.objects.select_related(
            "accreditation__organisation", "accreditation__application__edition", "recorded_by"
        )
        .filter(
            pk=payment_pk,
            accreditation_id=accreditation_pk,
            accreditation__in=accreditations_for_member(user),
            status__in=RECEIVED_PAYMENT_STATUSES,
            receipt_number__isnull=False,
            paid_at__isnull=False,
        )
        .first()
    )
    if payment is None:
        raise Http404("No such receipt.")
    return payment
