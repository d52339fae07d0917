"""Payment gateways behind one small interface (CONVENTIONS.md "Money and outside services"; issue 5 point 4).

`current_gateway()` gives the gateway the settings choose: Stripe when STRIPE_SECRET_KEY is set, the
built-in test gateway otherwise (the embedded default and demos). Both speak Stripe's event format, so
the webhook handling (accreditation.services.payments) is one code path whichever delivered the event.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class CheckoutRequest:
    """What the portal asks the gateway for: a hosted page taking one fee for one accreditation."""

    accreditation_id: int
    amount_pence: int
    currency: str  # "gbp"
    description: str  # the line item's name: "Fine City Employers Charter accreditation 2027: Good employer"
    customer_email: str
    client_reference_id: str  # "accreditation-<pk>"
    metadata: dict[str, str]
    idempotency_key: str
    success_url: str  # may contain Stripe's "{CHECKOUT_SESSION_ID}" placeholder
    cancel_url: str


@dataclass(frozen=True)
class CheckoutSession:
    """The gateway's answer: where to send the payer, and the session's id and expiry."""

    id: str
    url: str
    expires_at: datetime | None


class PaymentGateway(Protocol):
    name: str  # "stripe" or "test"
    method: str  # PaymentMethod value for payments through it: "card" or "test"

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        """Create a hosted checkout session; raises GatewayError (or PaymentDeclined) on failure."""
        ...

    def expire_checkout(self, session_id: str) -> None:
        """Expire an open checkout session so nobody can pay through it; never raises (failures are logged).

        If the session was paid meanwhile, its event arrives as usual and the payment is flagged.
        """
        ...

    def verify_event(self, *, payload: bytes, signature: str | None) -> dict:
        """The event, parsed, if `signature` (the Stripe-Signature header) is valid and recent for `payload`.

        Raises WebhookSignatureInvalid otherwise (missing, wrong, too old, or a body that is not JSON).
        """
        ...


def current_gateway() -> PaymentGateway:
    """The gateway the settings choose (PAYMENT_GATEWAY: "stripe" or "test"), configured from them."""
    from django.conf import settings

    if settings.PAYMENT_GATEWAY == "stripe":
        from .stripe import StripeGateway

        return StripeGateway(secret_key=settings.STRIPE_SECRET_KEY, webhook_secret=settings.STRIPE_WEBHOOK_SECRET)
    from .test import TestGateway

    return TestGateway(webhook_secret=settings.TEST_GATEWAY_WEBHOOK_SECRET)
