"""The built-in test gateway: a local page, plainly a test, that takes no money (issue 5 point 4).

Used when no Stripe keys are configured (the embedded default and demos). Its checkout "session" is the
page payments:test_checkout; completing or failing the payment there builds the events Stripe would send,
signs them exactly as Stripe does (with a secret derived from SECRET_KEY), and hands them to the same
webhook handling as Stripe's events (accreditation.services.payment_events.payment_event_receive).

"Fail test payment" sends what Stripe sends when a delayed payment method (a bank debit) is refused after
the payer finished checking out: `checkout.session.completed` with payment_status "unpaid", then
`checkout.session.async_payment_failed`. The payment ends "failed" and the employer can try again.
"""

import json
import secrets
import time
from datetime import timedelta

import stripe
from django.urls import reverse
from django.utils import timezone

from . import CheckoutRequest, CheckoutSession
from .stripe import STRIPE_API_VERSION, verify_stripe_event

SESSION_PREFIX = "cs_test_local_"
# How long a test session stays open, as Stripe's default.
SESSION_LIFETIME = timedelta(hours=24)


def _token() -> str:
    return secrets.token_hex(12)


class TestGateway:
    """Checkout on a local page of the portal; events signed with settings.TEST_GATEWAY_WEBHOOK_SECRET."""

    __test__ = False  # not a pytest test class, whatever its name
    name = "test"
    method = "test"

    def __init__(self, *, webhook_secret: str):
        self.webhook_secret = webhook_secret

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        """A new local session: its page is payments:test_checkout. Nothing leaves the portal."""
        session_id = SESSION_PREFIX + _token()
        return CheckoutSession(
            id=session_id,
            url=reverse("payments:test_checkout", kwargs={"session_id": session_id}),
            expires_at=timezone.now() + SESSION_LIFETIME,
        )

    def expire_checkout(self, session_id: str) -> None:
        """Nothing to do: a local session's page refuses a payment that is no longer pending."""

    def verify_event(self, *, payload: bytes, signature: str | None) -> dict:
        """The event, if this gateway signed it in the last 300 seconds (the same check as Stripe's)."""
        return verify_stripe_event(payload=payload, signature=signature, secret=self.webhook_secret)

    def sign(self, event: dict) -> tuple[bytes, str]:
        """The event as a webhook body and its Stripe-Signature header, signed now."""
        payload = json.dumps(event).encode()
        header = stripe.WebhookSignature.generate_signature_header(payload.decode(), self.webhook_secret)
        return payload, header

    def events_for(self, *, payment, metadata: dict[str, str], succeed: bool) -> list[dict]:
        """The events Stripe would send when the payer completes (or fails) `payment`'s checkout.

        Success: checkout.session.completed, paid. Failure: completed but unpaid, then async_payment_failed.
        """
        payment_intent = "pi_test_local_" + _token()

        def session(payment_status: str) -> dict:
            return {
                "id": payment.checkout_session_id,
                "object": "checkout.session",
                "mode": "payment",
                "status": "complete",
                "payment_status": payment_status,
                "amount_subtotal": payment.amount_due_pence,
                "amount_total": payment.amount_due_pence,
                "currency": "gbp",
                "client_reference_id": f"accreditation-{payment.accreditation_id}",
                "customer_email": payment.customer_email or None,
                "customer_details": {"email": payment.customer_email or None},
                "metadata": dict(metadata),
                "payment_intent": payment_intent,
                "expires_at": int(payment.checkout_expires_at.timestamp()) if payment.checkout_expires_at else None,
                "livemode": False,
            }

        def event(event_type: str, payment_status: str) -> dict:
            return {
                "id": "evt_test_local_" + _token(),
                "object": "event",
                "api_version": STRIPE_API_VERSION,
                "created": int(time.time()),
                "livemode": False,
                "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None},
                "type": event_type,
                "data": {"object": session(payment_status)},
            }

        if succeed:
            return [event("checkout.session.completed", "paid")]
        return [
            event("checkout.session.completed", "unpaid"),
            event("checkout.session.async_payment_failed", "unpaid"),
        ]
