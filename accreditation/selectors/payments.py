"""Reads for the officers' fee and payment pages (issue 5): one accreditation and its payments, the payments
table, and the gateway's event log. Each returns what its page shows in a fixed number of queries."""

from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from audit.models import AuditEvent

from ..models import Accreditation, Payment, PaymentEvent, PaymentStatus


@dataclass
class OfficerAccreditation:
    """An accreditation as the officers' page shows it: its payments (newest first) and its history."""

    accreditation: Accreditation
    payments: list[Payment]
    flagged: list[Payment]  # received payments an officer must look at
    processing: bool  # a card payment is being confirmed
    history: list[AuditEvent]


def accreditation_for_officer(pk: int) -> OfficerAccreditation:
    """One accreditation with its organisation, application, fee band, payments and history (three queries); 404."""
    accreditation = (
        Accreditation.objects.select_related(
            "organisation", "application", "approved_by", "activated_by", "fee_waived_by", "fee_band__schedule"
        )
        .prefetch_related(
            Prefetch("payments", queryset=Payment.objects.select_related("recorded_by").order_by("-created_at", "-pk"))
        )
        .filter(pk=pk)
        .first()
    )
    if accreditation is None:
        raise Http404("No such accreditation.")
    payments = list(accreditation.payments.all())
    return OfficerAccreditation(
        accreditation=accreditation,
        payments=payments,
        flagged=[payment for payment in payments if payment.needs_attention],
        processing=any(payment.status == PaymentStatus.PROCESSING for payment in payments),
        history=accreditation_history(accreditation, payments),
    )


def accreditation_history(accreditation: Accreditation, payments: list[Payment]) -> list[AuditEvent]:
    """What happened to the accreditation and its payments, oldest first (one query, content types cached)."""
    types = ContentType.objects.get_for_models(Accreditation, Payment, for_concrete_models=False)
    about_payments = Q(content_type=types[Payment], object_id__in=[str(payment.pk) for payment in payments])
    about_accreditation = Q(content_type=types[Accreditation], object_id=str(accreditation.pk))
    events = AuditEvent.objects.filter(about_accreditation | about_payments).select_related("actor")
    return list(events.order_by("created_at", "pk"))


def officer_payments(filters: dict | None = None) -> QuerySet[Payment]:
    """Every payment, newest first, with its accreditation and organisation; narrowed by the filters given.

    Filters: `status`, `method`, `paid_from` and `paid_to` (dates, inclusive, in the council's time zone),
    `needs_attention` (True: only flagged payments).
    """
    filters = filters or {}
    payments = Payment.objects.select_related("accreditation__organisation").order_by("-created_at", "-pk")
    if status := filters.get("status"):
        payments = payments.filter(status=status)
    if method := filters.get("method"):
        payments = payments.filter(method=method)
    paid_from: date | None = filters.get("paid_from")
    if paid_from:
        payments = payments.filter(paid_at__date__gte=paid_from)
    paid_to: date | None = filters.get("paid_to")
    if paid_to:
        payments = payments.filter(paid_at__date__lte=paid_to)
    if filters.get("needs_attention"):
        payments = payments.filter(needs_attention=True)
    return payments


def payments_needing_attention() -> int:
    """How many payments are flagged for an officer to look at."""
    return Payment.objects.filter(needs_attention=True).count()


def officer_payment_events(filters: dict | None = None) -> QuerySet[PaymentEvent]:
    """Every gateway event, newest first, with its payment's accreditation; narrowed by `status` and `event_type`."""
    filters = filters or {}
    events = PaymentEvent.objects.select_related("payment__accreditation__organisation").order_by("-received_at", "-pk")
    if status := filters.get("status"):
        events = events.filter(status=status)
    if event_type := filters.get("event_type"):
        events = events.filter(event_type=event_type)
    return events


def payment_event_types() -> list[str]:
    """The kinds of event received so far, for the event log's filter."""
    return list(PaymentEvent.objects.order_by("event_type").values_list("event_type", flat=True).distinct())


def payment_event_for_officer(pk: int) -> PaymentEvent:
    """One gateway event with its payment's accreditation and organisation; 404 if there is none."""
    event = PaymentEvent.objects.select_related("payment__accreditation__organisation").filter(pk=pk).first()
    if event is None:
        raise Http404("No such payment event.")
    return event


def payment_for_officer(pk: int) -> Payment:
    """One payment (for the officers' actions on it); 404 if there is none."""
    payment = Payment.objects.select_related("accreditation").filter(pk=pk).first()
    if payment is None:
        raise Http404("No such payment.")
    return payment
