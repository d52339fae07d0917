"""Stripe Checkout through the official SDK's StripeClient (issue 5 points 2 and 3).

The portal creates one hosted Checkout Session per attempt to pay a fee and learns the outcome only from
Stripe's signed webhook events: it never marks a fee paid from the payer's return to the success page.
"""

import json
import logging
from datetime import UTC, datetime

import stripe

from ..exceptions import GatewayError, PaymentDeclined, WebhookSignatureInvalid
from . import CheckoutRequest, CheckoutSession

logger = logging.getLogger(__name__)

# The API version the requests, the recorded responses in the tests and the webhook handling were written
# against. Pinned here so that upgrading the SDK never changes it silently. The webhook endpoint in Stripe's
# dashboard should be created with the same version, so events arrive in the shape handled here.
STRIPE_API_VERSION = "2026-10-28.endive"

# Seconds to wait for Stripe before giving up on creating a session (the payer is waiting on the page).
TIMEOUT_SECONDS = 20


def verify_stripe_event(*, payload: bytes, signature: str | None, secret: str) -> dict:
    """The event in `payload`, parsed, if `signature` is Stripe's valid and recent (300 s) signature of it.

    Raises WebhookSignatureInvalid for a missing, malformed, wrong or old signature, and for a body that is
    not a JSON event. The test gateway verifies its own events with this too, with its own secret.
    """
    try:
        # The SDK's own check (what Webhook.construct_event runs before building its object): the v1 HMAC of
        # "<timestamp>.<body>" with the secret, compared in constant time, and the timestamp within tolerance.
        stripe.WebhookSignature.verify_header(payload, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE)
        event = json.loads(payload)
    except stripe.SignatureVerificationError as exc:
        raise WebhookSignatureInvalid(f"The event's signature could not be verified: {exc.user_message}") from None
    except ValueError:  # not UTF-8, not JSON, or not a v1 snapshot event
        raise WebhookSignatureInvalid("The event is not valid JSON.") from None
    if (
        not isinstance(event, dict)
        or event.get("object") != "event"
        or not isinstance(event.get("id"), str)
        or not isinstance(event.get("type"), str)
        or not isinstance(event.get("data"), dict)
        or not isinstance(event["data"].get("object"), dict)
    ):
        raise WebhookSignatureInvalid("The body is not a Stripe event.")
    return event


def _timestamp(value) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if isinstance(value, int) else None


class StripeGateway:
    """Fees paid by card (or any method enabled in Stripe's dashboard) on Stripe's hosted Checkout page."""

    name = "stripe"
    method = "card"

    def __init__(self, *, secret_key: str, webhook_secret: str, max_network_retries: int = 2):
        self.webhook_secret = webhook_secret
        # Retries are safe: every create carries an idempotency key, so Stripe replays rather than repeats.
        self.client = stripe.StripeClient(
            secret_key,
            stripe_version=STRIPE_API_VERSION,
            max_network_retries=max_network_retries,
            http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
        )

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        """Create a Checkout Session in payment mode for one line item; GatewayError or PaymentDeclined on failure."""
        params = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency,
                        "unit_amount": request.amount_pence,
                        "product_data": {"name": request.description},
                    },
                }
            ],
            "customer_email": request.customer_email,
            "client_reference_id": request.client_reference_id,
            "metadata": dict(request.metadata),
            "payment_intent_data": {"metadata": dict(request.metadata), "description": request.description},
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
        }
        try:
            session = self.client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": request.idempotency_key}
            )
        except stripe.CardError as exc:
            logger.warning("Stripe declined a checkout for accreditation %s: %s", request.accreditation_id, exc)
            raise PaymentDeclined(exc.user_message or PaymentDeclined.message) from exc
        except stripe.StripeError as exc:
            logger.error(
                "Stripe could not create a checkout for accreditation %s: %s (request id %s)",
                request.accreditation_id,
                exc.__class__.__name__,
                getattr(exc, "request_id", None),
            )
            raise GatewayError from exc
        created = session.to_dict()
        if not created.get("id") or not created.get("url"):
            logger.error(
                "Stripe answered a checkout for accreditation %s without an id or url", request.accreditation_id
            )
            raise GatewayError
        return CheckoutSession(id=created["id"], url=created["url"], expires_at=_timestamp(created.get("expires_at")))

    def expire_checkout(self, session_id: str) -> None:
        """Expire an open Checkout Session (the fee was settled another way). Stripe's errors are logged, not
        raised: a session already paid or expired is refused, and a paid one's event flags the payment."""
        try:
            self.client.v1.checkout.sessions.expire(session_id)
        except stripe.StripeError as exc:
            logger.warning(
                "Stripe could not expire checkout session %s: %s (request id %s)",
                session_id,
                exc.__class__.__name__,
                getattr(exc, "request_id", None),
            )

    def verify_event(self, *, payload: bytes, signature: str | None) -> dict:
        """The event, if Stripe signed it with the endpoint's secret in the last 300 seconds."""
        return verify_stripe_event(payload=payload, signature=signature, secret=self.webhook_secret)
