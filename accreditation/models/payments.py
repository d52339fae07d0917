"""Payments of accreditation fees, and the payment gateway's events (PRODUCT.md section 4, issue 5).

Money is integer pence. A fee is marked paid only from a verified gateway event (Stripe's webhook, or
the test gateway's signed event through the same code), or by an officer recording an offline payment.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card (Stripe)"
    TEST = "test", "Test payment"
    OFFLINE = "offline", "Invoice or bank transfer"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Waiting for payment"  # a checkout session is open
    PROCESSING = "processing", "Being confirmed"  # completed checkout, payment not yet settled (async methods)
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Not completed"  # the checkout session expired unpaid
    PARTIALLY_REFUNDED = "partially_refunded", "Partly refunded"
    REFUNDED = "refunded", "Refunded"


# The moves a payment's status may make (services/payments.py and services/fees.py check every move here).
# "" is a payment written for the first time (an offline payment, or a checkout first heard of in an event).
# An expired checkout can still be paid (a session closed here but paid in a tab left open): the money is
# recorded and flagged. A refund on a payment that was never received changes no status.
PAYMENT_TRANSITIONS = {
    "": {
        PaymentStatus.PENDING,
        PaymentStatus.PROCESSING,
        PaymentStatus.PAID,
        PaymentStatus.FAILED,
        PaymentStatus.EXPIRED,
    },
    PaymentStatus.PENDING: {
        PaymentStatus.PROCESSING,
        PaymentStatus.PAID,
        PaymentStatus.FAILED,
        PaymentStatus.EXPIRED,
    },
    PaymentStatus.PROCESSING: {PaymentStatus.PAID, PaymentStatus.FAILED, PaymentStatus.EXPIRED},
    PaymentStatus.EXPIRED: {PaymentStatus.PAID},
    PaymentStatus.FAILED: set(),
    PaymentStatus.PAID: {PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED},
    PaymentStatus.PARTIALLY_REFUNDED: {PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED},
    PaymentStatus.REFUNDED: set(),
}

# A checkout the employer may still complete: at most one per accreditation (a DB constraint).
OPEN_PAYMENT_STATUSES = (PaymentStatus.PENDING, PaymentStatus.PROCESSING)
# Money the council has received (and may have given some back).
RECEIVED_PAYMENT_STATUSES = (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)


class Payment(models.Model):
    """One attempt to pay an accreditation's fee, online (a checkout session) or recorded offline by an officer."""

    accreditation = models.ForeignKey("accreditation.Accreditation", on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    # What was asked for when the checkout was created (the fee due), and what the gateway reported paid.
    amount_due_pence = models.PositiveIntegerField()
    amount_paid_pence = models.PositiveIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="gbp")
    refunded_pence = models.PositiveIntegerField(default=0)

    # The gateway's side (empty for offline payments).
    checkout_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    checkout_expires_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True)
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    customer_email = models.EmailField(blank=True)

    # Offline payments: the officer's reference (invoice number, BACS reference) and who recorded it.
    reference = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    paid_at = models.DateTimeField(null=True, blank=True)
    receipt_number = models.CharField(max_length=30, unique=True, null=True, blank=True)

    # Something an officer must look at: an amount or currency that is not the fee due, a fee paid twice,
    # a refund. Never accepted silently; cleared by an officer with a note.
    needs_attention = models.BooleanField(default=False)
    attention_reason = models.TextField(blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(method__in=PaymentMethod.values), name="payment_method_known"),
            models.CheckConstraint(condition=Q(status__in=PaymentStatus.values), name="payment_status_known"),
            models.UniqueConstraint(
                fields=["accreditation"],
                condition=Q(status__in=OPEN_PAYMENT_STATUSES),
                name="payment_one_open_checkout_per_accreditation",
            ),
        ]

    def __str__(self):
        return f"{self.get_method_display()} for accreditation {self.accreditation_id}: {self.get_status_display()}"


class PaymentEventStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Not handled (stored only)"
    FAILED = "failed", "Failed"


class PaymentEvent(models.Model):
    """One event from the payment gateway, stored once by its id, with what became of it."""

    event_id = models.CharField(max_length=255, unique=True)
    gateway = models.CharField(max_length=20)  # "stripe" or "test"
    event_type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    payload = models.JSONField()
    status = models.CharField(max_length=20, choices=PaymentEventStatus.choices, default=PaymentEventStatus.RECEIVED)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    payment = models.ForeignKey(Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PaymentEventStatus.values), name="paymentevent_status_known"),
        ]

    def __str__(self):
        return f"{self.event_type} {self.event_id} ({self.get_status_display()})"
