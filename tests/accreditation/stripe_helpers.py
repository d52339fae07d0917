"""Stripe as the tests see it without the network: recorded API responses, and events signed for real.

Checkout Sessions are created by the real SDK against `responses`; webhook events are signed with
`stripe.WebhookSignature.generate_signature_header`, exactly as Stripe signs them.
"""

import json
import secrets
import time
from urllib.parse import parse_qs

import pytest
import stripe
from django.conf import settings
from django.urls import reverse

STRIPE_SECRET_KEY = "sk_test_51PortalTestKey"
STRIPE_WEBHOOK_SECRET = "whsec_portal_test_endpoint_secret"
SESSIONS_URL = "https://api.stripe.com/v1/checkout/sessions"
WEBHOOK_URL = "/payments/stripe/webhook/"


@pytest.fixture
def stripe_settings(settings):
    """The portal configured for Stripe (as production is), with test keys."""
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = STRIPE_SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET
    return settings


def session_json(*, session_id="cs_test_a1B2c3D4e5F6", amount=6900, expires_at=None, **overrides) -> dict:
    """A Checkout Session as Stripe's API returns it on creation (API version 2026-10-28.endive)."""
    created = int(time.time())
    body = {
        "id": session_id,
        "object": "checkout.session",
        "adaptive_pricing": {"enabled": True},
        "after_expiration": None,
        "allow_promotion_codes": None,
        "amount_subtotal": amount,
        "amount_total": amount,
        "automatic_tax": {"enabled": False, "liability": None, "status": None},
        "billing_address_collection": None,
        "cancel_url": "http://testserver/employer/accreditations/1/payment-cancelled/",
        "client_reference_id": "accreditation-1",
        "consent": None,
        "created": created,
        "currency": "gbp",
        "customer": None,
        "customer_creation": "if_required",
        "customer_details": None,
        "customer_email": "bea@goldencrust.example",
        "expires_at": expires_at or created + 24 * 60 * 60,
        "invoice": None,
        "livemode": False,
        "locale": None,
        "metadata": {},
        "mode": "payment",
        "payment_intent": None,
        "payment_method_types": ["card"],
        "payment_status": "unpaid",
        "status": "open",
        "submit_type": None,
        "success_url": "http://testserver/employer/accreditations/1/payment-received/?session_id={CHECKOUT_SESSION_ID}",
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "ui_mode": "hosted",
        "url": f"https://checkout.stripe.com/c/pay/{session_id}#fidkdWxOYHwnPyd1blpxYHZxWjA0",
    }
    body.update(overrides)
    return body


def form_params(request) -> dict[str, str]:
    """The form-encoded body of a recorded request, one value per key (Stripe's bracketed names kept)."""
    body = request.body.decode() if isinstance(request.body, bytes) else request.body
    return {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}


def checkout_session(
    *,
    payment=None,
    session_id: str | None = None,
    accreditation=None,
    amount_total: int | None = None,
    currency: str = "gbp",
    payment_status: str = "paid",
    payment_intent: str = "pi_3PortalTestIntent",
    metadata: dict | None = None,
    client_reference_id: str | None = None,
    email: str = "bea@goldencrust.example",
) -> dict:
    """A Checkout Session object as it appears in an event, for `payment` (or an explicit session/accreditation)."""
    accreditation = accreditation or (payment.accreditation if payment is not None else None)
    if metadata is None:
        metadata = (
            {
                "accreditation_id": str(accreditation.pk),
                "organisation_id": str(accreditation.organisation_id),
                "application_reference": accreditation.application.reference,
            }
            if accreditation is not None
            else {}
        )
    if client_reference_id is None and accreditation is not None:
        client_reference_id = f"accreditation-{accreditation.pk}"
    if amount_total is None:
        amount_total = payment.amount_due_pence if payment is not None else accreditation.fee_pence
    return {
        "id": session_id or payment.checkout_session_id,
        "object": "checkout.session",
        "amount_subtotal": amount_total,
        "amount_total": amount_total,
        "client_reference_id": client_reference_id,
        "currency": currency,
        "customer_details": {"email": email, "name": "Bea Baker"},
        "customer_email": email,
        "livemode": False,
        "metadata": metadata,
        "mode": "payment",
        "payment_intent": payment_intent,
        "payment_status": payment_status,
        "status": "complete" if payment_status != "expired" else "expired",
    }


def event(event_type: str, data_object: dict, *, event_id: str | None = None, created: int | None = None) -> dict:
    """A Stripe event (a snapshot event, as webhooks deliver them)."""
    return {
        "id": event_id or f"evt_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created or int(time.time()),
        "data": {"object": data_object},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def charge_refunded(*, payment_intent: str, amount: int, amount_refunded: int, currency: str = "gbp") -> dict:
    """A Charge object after a refund, as charge.refunded carries it."""
    return {
        "id": "ch_3PortalTestCharge",
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": amount_refunded,
        "currency": currency,
        "paid": True,
        "payment_intent": payment_intent,
        "refunded": amount_refunded >= amount,
        "status": "succeeded",
    }


def sign(body: dict | bytes | str, *, secret: str | None = None, timestamp: int | None = None) -> tuple[bytes, str]:
    """The body as bytes and a real Stripe-Signature header for it (the test gateway's secret by default)."""
    if isinstance(body, dict | list):
        body = json.dumps(body)
    text = body.decode() if isinstance(body, bytes) else body
    secret = secret if secret is not None else settings.TEST_GATEWAY_WEBHOOK_SECRET
    header = stripe.WebhookSignature.generate_signature_header(text, secret, timestamp=timestamp)
    return text.encode(), header


def post_event(client, body, *, secret: str | None = None, timestamp: int | None = None, header: str | None = None):
    """POST an event to the webhook as Stripe does: the raw JSON body and its Stripe-Signature header."""
    payload, signature = sign(body, secret=secret, timestamp=timestamp)
    headers = {"Stripe-Signature": header if header is not None else signature}
    return client.post(
        reverse("payments:stripe_webhook"), data=payload, content_type="application/json", headers=headers
    )
