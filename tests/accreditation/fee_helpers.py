"""Building accreditations awaiting their fee, through the real services (issue 5's tests)."""

from importlib import import_module

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from accreditation import services
from accreditation.models import Accreditation, Payment, PaymentMethod, PaymentStatus
from accreditation.services.activation import accreditation_activate
from accreditation.services.sequences import receipt_number
from tests.accreditation.helpers import submitted_application
from tests.accreditation.review_helpers import BASE_URL, make_officer, recommend, take


def ensure_default_fees() -> None:
    """Put back the default fee schedule (migration 0005) if a transactional test has emptied the database."""
    import_module("accreditation.migrations.0005_default_fee_bands").add_default_schedule(apps, None)


def approved_accreditation(*, organisation, actor, reviewer=None, approver=None) -> Accreditation:
    """An application of `organisation` submitted by `actor`, reviewed, recommended and approved by a second officer.

    Returns its accreditation, `awaiting_fee`, with the fee fixed at approval.
    """
    ensure_default_fees()
    reviewer = reviewer or make_officer("Rita Reviewer")
    approver = approver or make_officer("Alex Approver")
    application = submitted_application(organisation=organisation, actor=actor)
    take(application, reviewer)
    recommend(application, reviewer)
    services.application_approve(actor=approver, application=application, base_url=BASE_URL)
    return Accreditation.objects.get(application=application)


def awaiting_fee(organisation, owner) -> Accreditation:
    """An accreditation of `organisation` approved through the real services: 14 employees, so £137.00 is due."""
    return approved_accreditation(organisation=organisation, actor=owner)


def open_checkout(accreditation, *, status=PaymentStatus.PENDING, session_id=None, **fields) -> Payment:
    """A card payment for the fee as the gateway's services leave it when a checkout starts (or later)."""
    session_id = session_id or f"cs_test_{accreditation.pk}_{Payment.objects.count() + 1}"
    return Payment.objects.create(
        accreditation=accreditation,
        method=fields.pop("method", PaymentMethod.CARD),
        status=status,
        amount_due_pence=accreditation.fee_pence,
        checkout_session_id=session_id,
        checkout_url=f"https://checkout.stripe.com/c/pay/{session_id}",
        customer_email="bea@goldencrust.example",
        **fields,
    )


def card_payment_received(accreditation, *, activate=True, **fields) -> Payment:
    """A card payment the webhook has confirmed: paid, numbered, and the accreditation activated."""
    with transaction.atomic():
        payment = open_checkout(accreditation, payment_intent_id="pi_3Pq8Example", **fields)
        payment.status = PaymentStatus.PAID
        payment.amount_paid_pence = payment.amount_due_pence
        payment.paid_at = timezone.now()
        payment.receipt_number = receipt_number(timezone.localdate().year)
        payment.save()
        if activate:
            accreditation_activate(actor=None, accreditation=accreditation, how="Paid by card.")
    accreditation.refresh_from_db()
    return payment
