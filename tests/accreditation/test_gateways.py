"""The payment gateways (Stripe through the real SDK, and the test gateway), their settings and deploy check."""

import json
import time
from datetime import UTC, datetime

import pytest
import responses
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from accreditation.exceptions import GatewayError, PaymentDeclined, WebhookSignatureInvalid
from accreditation.gateways import CheckoutRequest, current_gateway
from accreditation.gateways.checks import check_payment_gateway
from accreditation.gateways.stripe import STRIPE_API_VERSION, StripeGateway
from accreditation.gateways.test import TestGateway
from tests.accreditation.stripe_helpers import (
    SESSIONS_URL,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
    event,
    form_params,
    session_json,
    sign,
)
from tests.config import conftest as config_helpers

load_settings = config_helpers.load_settings  # the settings-loading fixture of tests/config


def checkout_request(**overrides) -> CheckoutRequest:
    values = {
        "accreditation_id": 7,
        "amount_pence": 6900,
        "currency": "gbp",
        "description": "Fine City Employers Charter accreditation 2027: Accredited Employer",
        "customer_email": "owner@example.com",
        "client_reference_id": "accreditation-7",
        "metadata": {"accreditation_id": "7", "organisation_id": "3", "application_reference": "APP-000012"},
        "idempotency_key": "fcec-accreditation-7-checkout-1",
        "success_url": "https://charter.example.gov.uk/employer/accreditations/7/payment-received/?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://charter.example.gov.uk/employer/accreditations/7/payment-cancelled/",
    }
    return CheckoutRequest(**(values | overrides))


@pytest.fixture
def gateway():
    """The Stripe gateway with test keys and no retries (each test registers exactly the answers it needs)."""
    return StripeGateway(secret_key=STRIPE_SECRET_KEY, webhook_secret=STRIPE_WEBHOOK_SECRET, max_network_retries=0)


# --- settings ---------------------------------------------------------------------------------------------


def test_without_stripe_keys_the_test_gateway_is_used(load_settings):
    """The embedded default: no Stripe keys, the test gateway, a derived signing secret, no SITE_URL."""
    loaded = load_settings(DEBUG="true")
    assert loaded["PAYMENT_GATEWAY"] == "test"
    assert loaded["STRIPE_SECRET_KEY"] == ""
    assert loaded["TEST_GATEWAY_WEBHOOK_SECRET"].startswith("whsec_test_")
    assert loaded["SITE_URL"] == ""


def test_with_stripe_keys_stripe_is_used(load_settings):
    """STRIPE_SECRET_KEY (with its webhook secret) chooses the Stripe gateway."""
    loaded = load_settings(DEBUG="true", STRIPE_SECRET_KEY="sk_live_x", STRIPE_WEBHOOK_SECRET="whsec_x")
    assert loaded["PAYMENT_GATEWAY"] == "stripe"
    assert (loaded["STRIPE_SECRET_KEY"], loaded["STRIPE_WEBHOOK_SECRET"]) == ("sk_live_x", "whsec_x")


def test_the_test_gateway_can_be_chosen_explicitly(load_settings):
    """PAYMENT_GATEWAY=test keeps the test gateway even with Stripe keys set (a demo with keys in its environment)."""
    loaded = load_settings(
        DEBUG="true", STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="whsec_x", PAYMENT_GATEWAY="test"
    )
    assert loaded["PAYMENT_GATEWAY"] == "test"


def test_stripe_without_a_webhook_secret_refuses_to_start(load_settings):
    """Stripe without STRIPE_WEBHOOK_SECRET could never confirm a payment: the settings refuse to load."""
    with pytest.raises(ImproperlyConfigured, match="STRIPE_WEBHOOK_SECRET"):
        load_settings(DEBUG="true", STRIPE_SECRET_KEY="sk_live_x")
    with pytest.raises(ImproperlyConfigured, match="needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET"):
        load_settings(DEBUG="true", PAYMENT_GATEWAY="stripe")


def test_production_without_a_webhook_secret_does_not_start():
    """In a real process with DEBUG off, the missing webhook secret stops manage.py with the clear message."""
    result = config_helpers.manage(
        "check", environment=config_helpers.production_environment(STRIPE_WEBHOOK_SECRET=None)
    )
    assert result.returncode != 0
    assert "The Stripe payment gateway needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET" in result.stderr


def test_an_unknown_gateway_is_refused(load_settings):
    """PAYMENT_GATEWAY must be stripe or test."""
    with pytest.raises(ImproperlyConfigured, match='PAYMENT_GATEWAY must be "stripe" or "test", not "paypal"'):
        load_settings(DEBUG="true", PAYMENT_GATEWAY="paypal")


def test_the_test_gateway_secret_is_derived_from_secret_key(load_settings):
    """The test gateway's signing secret follows SECRET_KEY (stable for one key, different for another, not the key)."""
    first = load_settings(DEBUG="true", SECRET_KEY="a" * 50)["TEST_GATEWAY_WEBHOOK_SECRET"]
    again = load_settings(DEBUG="true", SECRET_KEY="a" * 50)["TEST_GATEWAY_WEBHOOK_SECRET"]
    other = load_settings(DEBUG="true", SECRET_KEY="b" * 50)["TEST_GATEWAY_WEBHOOK_SECRET"]
    assert first == again
    assert first != other
    assert "a" * 50 not in first


def test_site_url_is_kept_without_a_trailing_slash(load_settings):
    """SITE_URL is the portal's address for links in emails, stored without a trailing slash."""
    assert load_settings(DEBUG="true", SITE_URL="https://charter.example.gov.uk/")["SITE_URL"] == (
        "https://charter.example.gov.uk"
    )


# --- the deploy check ---------------------------------------------------------------------------------------


def test_deploy_check_warns_about_the_test_gateway_in_production(settings):
    """DEBUG off with the test gateway: a warning (a live service must not take fake payments)."""
    settings.DEBUG = False
    settings.PAYMENT_GATEWAY = "test"
    messages = check_payment_gateway()
    assert [(m.level, m.id) for m in messages] == [(checks.WARNING, "accreditation.W001")]
    assert "fees would be marked paid without any money being taken" in messages[0].msg


def test_deploy_check_is_quiet_with_stripe_or_in_development(settings):
    """Stripe configured, or DEBUG on: no warning."""
    settings.DEBUG = False
    settings.PAYMENT_GATEWAY = "stripe"
    assert check_payment_gateway() == []
    settings.DEBUG = True
    settings.PAYMENT_GATEWAY = "test"
    assert check_payment_gateway() == []


def test_deploy_check_is_registered_as_a_deployment_check(settings):
    """The check runs with `check --deploy` only (tagged deploy), under the security and payments tags."""
    settings.DEBUG = False
    settings.PAYMENT_GATEWAY = "test"
    deploy = checks.run_checks(tags=["payments"], include_deployment_checks=True)
    assert [m.id for m in deploy] == ["accreditation.W001"]
    assert checks.run_checks(tags=["payments"], include_deployment_checks=False) == []


def test_production_without_stripe_keys_does_not_start():
    """DEBUG off and no Stripe keys: the portal refuses to start rather than take fake payments."""
    environment = config_helpers.production_environment(STRIPE_SECRET_KEY=None, STRIPE_WEBHOOK_SECRET=None)
    result = config_helpers.manage("check", environment=environment)
    assert result.returncode != 0
    assert "No payment gateway: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET" in result.stderr


def test_check_deploy_fails_in_production_with_the_test_gateway():
    """A live service that chose the test gateway on purpose still fails `check --deploy --fail-level WARNING`."""
    environment = config_helpers.production_environment(
        STRIPE_SECRET_KEY=None, STRIPE_WEBHOOK_SECRET=None, PAYMENT_GATEWAY="test"
    )
    result = config_helpers.manage("check", "--deploy", "--fail-level", "WARNING", environment=environment)
    assert result.returncode != 0
    assert "accreditation.W001" in result.stderr


# --- choosing the gateway ----------------------------------------------------------------------------------


def test_current_gateway_follows_the_settings(settings):
    """current_gateway() is the test gateway by default and Stripe when PAYMENT_GATEWAY says so."""
    settings.PAYMENT_GATEWAY = "test"
    test_gateway = current_gateway()
    assert isinstance(test_gateway, TestGateway)
    assert (test_gateway.name, test_gateway.method) == ("test", "test")
    assert test_gateway.webhook_secret == settings.TEST_GATEWAY_WEBHOOK_SECRET

    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = STRIPE_SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET
    stripe_gateway = current_gateway()
    assert isinstance(stripe_gateway, StripeGateway)
    assert (stripe_gateway.name, stripe_gateway.method) == ("stripe", "card")
    assert stripe_gateway.webhook_secret == STRIPE_WEBHOOK_SECRET


# --- Stripe: creating a Checkout Session -----------------------------------------------------------------------


@responses.activate
def test_stripe_checkout_sends_the_request_and_reads_the_session(gateway):
    """The SDK's request carries every parameter, the idempotency key and the pinned API version; the answer is read."""
    expires = int(time.time()) + 3600
    responses.post(SESSIONS_URL, json=session_json(session_id="cs_test_gw", amount=6900, expires_at=expires))
    session = gateway.create_checkout(checkout_request())
    assert session.id == "cs_test_gw"
    assert session.url.startswith("https://checkout.stripe.com/c/pay/cs_test_gw")
    assert session.expires_at == datetime.fromtimestamp(expires, tz=UTC)

    request = responses.calls[0].request
    assert request.method == "POST"
    assert request.headers["Idempotency-Key"] == "fcec-accreditation-7-checkout-1"
    assert request.headers["Stripe-Version"] == STRIPE_API_VERSION
    params = form_params(request)
    assert params["mode"] == "payment"
    assert params["line_items[0][price_data][currency]"] == "gbp"
    assert params["line_items[0][price_data][unit_amount]"] == "6900"
    assert params["line_items[0][price_data][product_data][name]"] == (
        "Fine City Employers Charter accreditation 2027: Accredited Employer"
    )
    assert params["line_items[0][quantity]"] == "1"
    assert params["customer_email"] == "owner@example.com"
    assert params["client_reference_id"] == "accreditation-7"
    assert params["metadata[application_reference]"] == "APP-000012"
    assert params["payment_intent_data[metadata][accreditation_id]"] == "7"
    assert params["success_url"].endswith("/payment-received/?session_id={CHECKOUT_SESSION_ID}")
    assert params["cancel_url"].endswith("/payment-cancelled/")


@responses.activate
def test_stripe_server_error_is_a_gateway_error(gateway):
    """Stripe answering 500: GatewayError, whose message is the generic one."""
    responses.post(SESSIONS_URL, json={"error": {"type": "api_error", "message": "boom"}}, status=500)
    with pytest.raises(GatewayError, match="We could not start your payment"):
        gateway.create_checkout(checkout_request())


@responses.activate
def test_a_bad_api_key_is_a_gateway_error(gateway):
    """Stripe refusing the key (401): GatewayError; nothing of Stripe's message reaches the payer."""
    responses.post(
        SESSIONS_URL, json={"error": {"type": "invalid_request_error", "message": "Invalid API Key"}}, status=401
    )
    with pytest.raises(GatewayError) as refused:
        gateway.create_checkout(checkout_request())
    assert "Invalid API Key" not in str(refused.value)


@responses.activate
def test_a_card_error_is_a_decline_with_stripes_message(gateway):
    """A card error (402) is PaymentDeclined, carrying Stripe's message for the payer."""
    responses.post(
        SESSIONS_URL,
        json={"error": {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}},
        status=402,
    )
    with pytest.raises(PaymentDeclined, match="Your card was declined."):
        gateway.create_checkout(checkout_request())


@responses.activate
def test_a_session_without_a_url_is_a_gateway_error(gateway):
    """An answer without the hosted page's URL cannot be used: GatewayError."""
    responses.post(SESSIONS_URL, json=session_json(url=None))
    with pytest.raises(GatewayError):
        gateway.create_checkout(checkout_request())


# --- Stripe: verifying events -------------------------------------------------------------------------------


def test_a_correctly_signed_event_is_returned_as_sent(gateway):
    """A body signed with the endpoint's secret now: the parsed event, exactly as sent."""
    body = event("checkout.session.expired", {"id": "cs_test_1", "object": "checkout.session"})
    payload, header = sign(body, secret=STRIPE_WEBHOOK_SECRET)
    assert gateway.verify_event(payload=payload, signature=header) == body


@pytest.mark.parametrize(
    "case",
    ["wrong secret", "no header", "empty header", "garbled header", "no v1 signature", "stale", "tampered"],
)
def test_bad_signatures_are_refused(gateway, case):
    """Missing, garbled, wrong, old (over 300 s) or mismatched signatures raise WebhookSignatureInvalid."""
    body = event("checkout.session.completed", {"id": "cs_test_1", "object": "checkout.session"})
    payload, header = sign(body, secret=STRIPE_WEBHOOK_SECRET)
    if case == "wrong secret":
        payload, header = sign(body, secret="whsec_attacker")
    elif case == "no header":
        header = None
    elif case == "empty header":
        header = ""
    elif case == "garbled header":
        header = "nonsense"
    elif case == "no v1 signature":
        header = header.replace("v1=", "v0=")
    elif case == "stale":
        payload, header = sign(body, secret=STRIPE_WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
    elif case == "tampered":
        payload = payload.replace(b"checkout.session.completed", b"checkout.session.expired")
    with pytest.raises(WebhookSignatureInvalid):
        gateway.verify_event(payload=payload, signature=header)


def test_a_signature_just_inside_the_tolerance_is_accepted(gateway):
    """Stripe's default tolerance is 300 seconds: a 290-second-old signature still verifies."""
    body = event("charge.refunded", {"id": "ch_1", "object": "charge"})
    payload, header = sign(body, secret=STRIPE_WEBHOOK_SECRET, timestamp=int(time.time()) - 290)
    assert gateway.verify_event(payload=payload, signature=header)["id"] == body["id"]


@pytest.mark.parametrize(
    "body",
    [
        "not json at all",
        json.dumps(["a", "list"]),
        json.dumps({"object": "event", "type": "charge.refunded", "data": {"object": {}}}),  # no id
        json.dumps({"id": "evt_1", "object": "v2.core.event", "type": "x", "data": {"object": {}}}),
        json.dumps({"id": "evt_1", "object": "event", "type": "x", "data": "nothing"}),
    ],
)
def test_signed_bodies_that_are_not_events_are_refused(gateway, body):
    """Correctly signed but not JSON, or not a Stripe event: refused like a bad signature (nothing to store)."""
    payload, header = sign(body, secret=STRIPE_WEBHOOK_SECRET)
    with pytest.raises(WebhookSignatureInvalid):
        gateway.verify_event(payload=payload, signature=header)


def test_a_body_that_is_not_utf8_is_refused(gateway):
    """Bytes that are not UTF-8 cannot be an event: refused, not a crash."""
    with pytest.raises(WebhookSignatureInvalid):
        gateway.verify_event(payload=b"\xff\xfe\x00", signature="t=1,v1=abc")


# --- the test gateway ------------------------------------------------------------------------------------------


def test_test_gateway_sessions_are_local(settings):
    """A test session: id cs_test_local_..., its page under /payments/test-checkout/, open for 24 hours."""
    gateway = TestGateway(webhook_secret=settings.TEST_GATEWAY_WEBHOOK_SECRET)
    session = gateway.create_checkout(checkout_request())
    again = gateway.create_checkout(checkout_request())
    assert session.id.startswith("cs_test_local_")
    assert session.id != again.id
    assert session.url == f"/payments/test-checkout/{session.id}/"
    assert 23.9 * 3600 < (session.expires_at - datetime.now(tz=UTC)).total_seconds() <= 24 * 3600


def test_test_gateway_signs_and_verifies_like_stripe(settings):
    """Its events carry a real Stripe-Signature with its secret: verified by it, refused by a Stripe gateway."""
    gateway = TestGateway(webhook_secret=settings.TEST_GATEWAY_WEBHOOK_SECRET)
    body = event("checkout.session.completed", {"id": "cs_test_local_x", "object": "checkout.session"})
    payload, header = gateway.sign(body)
    assert header.startswith("t=") and ",v1=" in header
    assert gateway.verify_event(payload=payload, signature=header) == body
    stripe_gateway = StripeGateway(secret_key=STRIPE_SECRET_KEY, webhook_secret=STRIPE_WEBHOOK_SECRET)
    with pytest.raises(WebhookSignatureInvalid):
        stripe_gateway.verify_event(payload=payload, signature=header)
    forged_payload, forged_header = sign(body, secret=STRIPE_WEBHOOK_SECRET)
    with pytest.raises(WebhookSignatureInvalid):
        gateway.verify_event(payload=forged_payload, signature=forged_header)


# --- Stripe: expiring a Checkout Session --------------------------------------------------------------------------


@responses.activate
def test_stripe_expire_posts_to_the_sessions_expire_endpoint(gateway):
    """expire_checkout posts to /v1/checkout/sessions/<id>/expire with the pinned API version."""
    responses.post(
        f"{SESSIONS_URL}/cs_test_expire_me/expire", json=session_json(session_id="cs_test_expire_me", status="expired")
    )
    assert gateway.expire_checkout("cs_test_expire_me") is None
    assert len(responses.calls) == 1
    assert responses.calls[0].request.headers["Stripe-Version"] == STRIPE_API_VERSION


@responses.activate
def test_stripe_refusing_to_expire_is_logged_not_raised(gateway, caplog):
    """A session already paid or expired is refused by Stripe: logged, never raised (its event flags a payment)."""
    responses.post(
        f"{SESSIONS_URL}/cs_test_paid/expire",
        json={"error": {"type": "invalid_request_error", "message": "Only Checkout Sessions with a status of open"}},
        status=400,
    )
    gateway.expire_checkout("cs_test_paid")
    assert "could not expire checkout session cs_test_paid" in caplog.text


def test_the_test_gateway_expires_nothing():
    """The test gateway's expire_checkout is a no-op: its page refuses a payment no longer pending."""
    assert TestGateway(webhook_secret="whsec_test").expire_checkout("cs_test_local_abc") is None
