"""accreditation.services.payments: starting a checkout, and what the gateway's events do (issue 5 points 2-3)."""

import hashlib
import json
import time
from datetime import timedelta

import pytest
import requests
import responses
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone

from accreditation.exceptions import (
    FeeNotDue,
    GatewayError,
    InvalidTransition,
    NotAMember,
    NotAnOfficer,
    PaymentDeclined,
    WebhookSignatureInvalid,
)
from accreditation.gateways import current_gateway
from accreditation.models import (
    Accreditation,
    AccreditationStatus,
    Payment,
    PaymentEvent,
    PaymentEventStatus,
    PaymentMethod,
    PaymentStatus,
)
from accreditation.services import payment_events
from accreditation.services import payments as payments_service
from accreditation.services.activation import accreditation_activate
from accreditation.services.payment_events import payment_event_receive, payment_event_rerun
from accreditation.services.payments import payment_checkout_start
from audit.models import AuditEvent
from tests.accreditation.fee_helpers import approved_accreditation
from tests.accreditation.review_helpers import make_officer
from tests.accreditation.stripe_helpers import (
    SESSIONS_URL,
    STRIPE_WEBHOOK_SECRET,
    charge_refunded,
    checkout_session,
    event,
    form_params,
    session_json,
    sign,
    stripe_settings,  # noqa: F401 (fixture)
)

BASE_URL = "http://testserver/"


@pytest.fixture
def accreditation(charter_edition, organisation, owner):
    """An accreditation awaiting its fee of £137 (the 11-50 band: the organisation has 14 staff)."""
    return approved_accreditation(organisation=organisation, actor=owner)


@pytest.fixture
def started(accreditation, owner):
    """A test-gateway checkout the owner has started."""
    return payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)


def deliver(body: dict, *, secret: str | None = None, timestamp: int | None = None) -> PaymentEvent:
    """Hand a signed event to the service, as the webhook view does, with the configured gateway."""
    payload, signature = sign(body, secret=secret, timestamp=timestamp)
    return payment_event_receive(gateway=current_gateway(), payload=payload, signature=signature, base_url=BASE_URL)


def paid_event(payment, **session) -> dict:
    return event("checkout.session.completed", checkout_session(payment=payment, **session))


def key(accreditation_pk: int, attempt: int) -> str:
    """The idempotency key of an attempt: the installation's tag (from SECRET_KEY), the accreditation, the number."""
    tag = hashlib.sha256(django_settings.SECRET_KEY.encode()).hexdigest()[:8]
    return f"fcec-{tag}-accreditation-{accreditation_pk}-checkout-{attempt}"


def actions(obj) -> list[str]:
    return list(AuditEvent.objects.for_object(obj).order_by("pk").values_list("action", flat=True))


# --- starting a checkout ------------------------------------------------------------------------------


@responses.activate
@pytest.mark.usefixtures("stripe_settings")
def test_checkout_start_creates_a_stripe_session_with_the_agreed_parameters(accreditation, owner):
    """The real SDK posts mode, GBP, the fee, the line item's name, the email, the reference, metadata, URLs, key."""
    responses.post(SESSIONS_URL, json=session_json(session_id="cs_test_fee1", amount=13700))
    payment = payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)

    assert len(responses.calls) == 1
    request = responses.calls[0].request
    params = form_params(request)
    pk = accreditation.pk
    reference = accreditation.application.reference
    assert params == {
        "mode": "payment",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "gbp",
        "line_items[0][price_data][unit_amount]": "13700",
        "line_items[0][price_data][product_data][name]": "Fine City Employers Charter accreditation 2027: Champion",
        "customer_email": "bea@goldencrust.example",
        "client_reference_id": f"accreditation-{pk}",
        "metadata[accreditation_id]": str(pk),
        "metadata[organisation_id]": str(accreditation.organisation_id),
        "metadata[application_reference]": reference,
        "payment_intent_data[metadata][accreditation_id]": str(pk),
        "payment_intent_data[metadata][organisation_id]": str(accreditation.organisation_id),
        "payment_intent_data[metadata][application_reference]": reference,
        "payment_intent_data[description]": "Fine City Employers Charter accreditation 2027: Champion",
        "success_url": f"http://testserver/employer/accreditations/{pk}/payment-received/?session_id={{CHECKOUT_SESSION_ID}}",
        "cancel_url": f"http://testserver/employer/accreditations/{pk}/payment-cancelled/",
    }
    assert request.headers["Idempotency-Key"] == key(pk, 1)
    assert request.headers["Stripe-Version"] == "2026-10-28.endive"
    assert request.headers["Authorization"] == "Bearer sk_test_51PortalTestKey"

    assert payment.status == PaymentStatus.PENDING
    assert payment.method == PaymentMethod.CARD
    assert payment.amount_due_pence == 13700
    assert payment.checkout_session_id == "cs_test_fee1"
    assert payment.checkout_url.startswith("https://checkout.stripe.com/c/pay/cs_test_fee1")
    assert payment.checkout_expires_at > timezone.now() + timedelta(hours=23)
    assert payment.idempotency_key == key(pk, 1)
    assert payment.customer_email == "bea@goldencrust.example"
    assert payment.created_by == owner
    audit = AuditEvent.objects.for_object(payment).get()
    assert (audit.action, audit.actor, audit.to_state) == ("payment.checkout_start", owner, "pending")
    assert "£137.00" in audit.note


@responses.activate
@pytest.mark.usefixtures("stripe_settings")
def test_a_second_click_reuses_the_open_session(accreditation, owner, member):
    """Pay now twice (or from a colleague's tab): one session, one Payment, one call to Stripe."""
    responses.post(SESSIONS_URL, json=session_json(session_id="cs_test_once", amount=13700))
    first = payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)
    second = payment_checkout_start(actor=member, accreditation=accreditation, base_url=BASE_URL)
    assert first.pk == second.pk
    assert second.checkout_url == first.checkout_url
    assert len(responses.calls) == 1
    assert Payment.objects.filter(accreditation=accreditation).count() == 1


@responses.activate
@pytest.mark.usefixtures("stripe_settings")
def test_stripe_failing_records_a_failed_attempt(accreditation, owner, settings):
    """A Stripe error (500, after its retries with the same idempotency key) is a GatewayError; the attempt is
    kept as a failed payment with its key, and no checkout is started."""
    error = {"error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}}
    responses.post(SESSIONS_URL, json=error, status=500)
    with pytest.raises(GatewayError) as refused:
        payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)
    assert str(refused.value) == "We could not start your payment. Try again, or contact us if it keeps happening."
    assert len(responses.calls) == 3  # the SDK retried twice, each time with the same key
    assert {call.request.headers["Idempotency-Key"] for call in responses.calls} == {key(accreditation.pk, 1)}
    failed = Payment.objects.get()
    assert (failed.status, failed.method, failed.checkout_session_id) == (PaymentStatus.FAILED, "card", None)
    assert (failed.amount_due_pence, failed.created_by, failed.idempotency_key) == (
        13700,
        owner,
        key(accreditation.pk, 1),
    )
    assert actions(failed) == ["payment.checkout_fail"]
    assert not AuditEvent.objects.filter(action="payment.checkout_start").exists()


@responses.activate
@pytest.mark.usefixtures("stripe_settings")
def test_after_a_gateway_failure_the_next_click_uses_the_next_key(accreditation, owner, member):
    """Stripe replays a stored failure for a key (and refuses it with other parameters): the next click, even
    by a colleague with another email, sends attempt 2's key and opens the session."""
    failing_key = key(accreditation.pk, 1)

    def stripe_answer(request):  # Stripe replays the stored 500 for the first key, whoever retries it
        if request.headers["Idempotency-Key"] == failing_key:
            return 500, {}, json.dumps({"error": {"type": "api_error", "message": "boom"}})
        return 200, {}, json.dumps(session_json(session_id="cs_test_second", amount=13700))

    responses.add_callback(responses.POST, SESSIONS_URL, callback=stripe_answer)
    with pytest.raises(GatewayError):
        payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)
    calls_before = len(responses.calls)
    payment = payment_checkout_start(actor=member, accreditation=accreditation, base_url=BASE_URL)
    assert len(responses.calls) == calls_before + 1
    assert responses.calls[calls_before].request.headers["Idempotency-Key"] == key(accreditation.pk, 2)
    assert payment.idempotency_key == key(accreditation.pk, 2)
    assert payment.checkout_session_id == "cs_test_second"


@responses.activate
@pytest.mark.usefixtures("stripe_settings")
def test_a_declined_checkout_is_recorded_and_the_next_uses_the_next_key(accreditation, owner):
    """PaymentDeclined counts as an attempt too."""
    responses.post(
        SESSIONS_URL,
        json={"error": {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}},
        status=402,
    )
    responses.post(SESSIONS_URL, json=session_json(session_id="cs_test_after_decline", amount=13700))
    with pytest.raises(PaymentDeclined):
        payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)
    assert Payment.objects.get().status == PaymentStatus.FAILED
    payment = payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)
    assert payment.idempotency_key == key(accreditation.pk, 2)


def test_the_key_differs_between_installations(accreditation, owner, settings):
    """Two installations sharing a Stripe account (staging, production) never send the same key."""
    first = payments_service.checkout_idempotency_key(accreditation.pk, 1)
    settings.SECRET_KEY = "another-installation-secret-key-" + "x" * 40
    assert payments_service.checkout_idempotency_key(accreditation.pk, 1) != first
    assert first.startswith("fcec-") and first.endswith(f"-accreditation-{accreditation.pk}-checkout-1")


@responses.activate
@pytest.mark.usefixtures("stripe_settings")
def test_stripe_unreachable_records_a_failed_attempt(accreditation, owner, monkeypatch):
    """A network failure is a GatewayError too; only the failed attempt is stored."""
    monkeypatch.setattr("stripe._http_client.HTTPClient._sleep_time_seconds", lambda self, *args: 0)
    responses.post(SESSIONS_URL, body=requests.ConnectionError("connection refused"))
    with pytest.raises(GatewayError):
        payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)
    assert list(Payment.objects.values_list("status", flat=True)) == [PaymentStatus.FAILED]


def test_checkout_start_with_the_test_gateway_makes_a_local_session(started, accreditation):
    """The test gateway's session is local: cs_test_local_..., its page is payments:test_checkout."""
    assert started.method == PaymentMethod.TEST
    assert started.checkout_session_id.startswith("cs_test_local_")
    assert started.checkout_url == f"/payments/test-checkout/{started.checkout_session_id}/"
    assert started.idempotency_key == key(accreditation.pk, 1)


def test_only_members_can_start_a_checkout(accreditation, outsider, officer):
    """Someone outside the organisation, or an officer, is refused and nothing is stored."""
    for actor in (outsider, officer):
        with pytest.raises(NotAMember):
            payment_checkout_start(actor=actor, accreditation=accreditation, base_url=BASE_URL)
    assert not Payment.objects.exists()


def test_no_checkout_once_the_fee_is_paid(started, accreditation, owner):
    """After the fee is paid, Pay now says so."""
    deliver(paid_event(started))
    with pytest.raises(FeeNotDue, match="The fee for this accreditation has already been paid."):
        payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)


def test_no_checkout_once_the_fee_is_waived(accreditation, owner, officer):
    """A waived fee cannot be paid."""
    Accreditation.objects.filter(pk=accreditation.pk).update(fee_waived_at=timezone.now(), fee_waived_by=officer)
    accreditation_activate(actor=officer, accreditation=accreditation, how="Fee waived.")
    with pytest.raises(FeeNotDue, match="The fee for this accreditation was waived, so there is nothing to pay."):
        payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)


def test_no_second_checkout_while_a_payment_is_being_confirmed(started, accreditation, owner):
    """A completed checkout waiting for a bank debit to clear: the employer is told not to pay again."""
    deliver(paid_event(started, payment_status="unpaid"))
    with pytest.raises(FeeNotDue, match="Your payment is being confirmed"):
        payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)


def test_a_new_attempt_after_the_session_expired_gets_the_next_key(started, accreditation, owner):
    """After checkout.session.expired, Pay now opens a new session with attempt 2's idempotency key."""
    deliver(event("checkout.session.expired", checkout_session(payment=started, payment_status="unpaid")))
    again = payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)
    assert again.pk != started.pk
    assert again.idempotency_key == key(accreditation.pk, 2)
    started.refresh_from_db()
    assert started.status == PaymentStatus.EXPIRED


def test_a_session_past_its_expiry_is_not_handed_out_again(started, accreditation, owner):
    """If the expiry event has not arrived, a session past its time is closed here and a new one opened."""
    Payment.objects.filter(pk=started.pk).update(checkout_expires_at=timezone.now() - timedelta(minutes=1))
    again = payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)
    assert again.pk != started.pk
    assert again.idempotency_key.endswith("-checkout-2")
    started.refresh_from_db()
    assert started.status == PaymentStatus.EXPIRED
    assert "payment.expire" in actions(started)


# --- events: verification and storage -------------------------------------------------------------------


def test_a_forged_event_is_refused_and_nothing_is_stored(started):
    """An event signed with another secret raises WebhookSignatureInvalid; nothing is stored or changed."""
    with pytest.raises(WebhookSignatureInvalid):
        deliver(paid_event(started), secret="whsec_forged")
    assert not PaymentEvent.objects.exists()
    started.refresh_from_db()
    assert started.status == PaymentStatus.PENDING


def test_a_stale_event_is_refused(started):
    """An event signed more than 300 seconds ago is refused (a replay of an old delivery)."""
    with pytest.raises(WebhookSignatureInvalid):
        deliver(paid_event(started), timestamp=int(time.time()) - 301)
    assert not PaymentEvent.objects.exists()


def test_a_missing_signature_is_refused(started):
    """No Stripe-Signature header at all: refused."""
    payload, _ = sign(paid_event(started))
    with pytest.raises(WebhookSignatureInvalid):
        payment_event_receive(gateway=current_gateway(), payload=payload, signature=None)
    assert not PaymentEvent.objects.exists()


def test_the_same_event_twice_has_one_effect(started, accreditation, django_capture_on_commit_callbacks):
    """A replayed event (same id) is stored once and changes nothing the second time: one receipt, one activation."""
    paid = paid_event(started)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = deliver(paid)
    with django_capture_on_commit_callbacks(execute=True):
        second = deliver(paid)
    assert first.pk == second.pk
    assert second.status == PaymentEventStatus.PROCESSED
    assert second.attempts == 1
    assert PaymentEvent.objects.count() == 1
    assert AuditEvent.objects.filter(action="accreditation.activate").count() == 1
    assert AuditEvent.objects.filter(action="payment.paid").count() == 1
    assert len([m for m in mail.outbox if "receipt" in m.subject]) == 1


def test_unhandled_event_types_are_stored_and_ignored(accreditation):
    """An event type the portal does not handle is stored with status ignored, and nothing else happens."""
    stored = deliver(event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert stored.status == PaymentEventStatus.IGNORED
    assert stored.event_type == "customer.created"
    assert stored.payload["data"]["object"]["id"] == "cus_1"
    assert stored.processed_at is not None
    assert stored.gateway == "test"


def test_sessions_without_our_metadata_are_not_ours(accreditation):
    """A checkout session naming no accreditation (another service on the same Stripe account) is ignored."""
    session = checkout_session(session_id="cs_test_other", amount_total=500, metadata={}, client_reference_id="")
    stored = deliver(event("checkout.session.completed", session))
    assert stored.status == PaymentEventStatus.IGNORED
    assert stored.error == ""
    assert not Payment.objects.exists()


# --- events: paying -----------------------------------------------------------------------------------


def test_a_paid_checkout_records_the_payment_and_activates(
    started, accreditation, owner, django_capture_on_commit_callbacks
):
    """checkout.session.completed (paid): amount, currency, ids, time, receipt; accreditation active; emails."""
    paid = paid_event(started, payment_intent="pi_3Paid")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        stored = deliver(paid)
    assert stored.status == PaymentEventStatus.PROCESSED
    assert stored.payment == started
    started.refresh_from_db()
    accreditation.refresh_from_db()
    assert started.status == PaymentStatus.PAID
    assert started.amount_paid_pence == 13700
    assert started.currency == "gbp"
    assert started.payment_intent_id == "pi_3Paid"
    assert started.paid_at.timestamp() == paid["created"]
    year = timezone.localtime(started.paid_at).year
    assert started.receipt_number == f"R-{year}-00001"
    assert not started.needs_attention
    assert accreditation.status == AccreditationStatus.ACTIVE
    assert accreditation.activated_by is None
    activation = AuditEvent.objects.for_object(accreditation).get(action="accreditation.activate")
    assert activation.actor_label == "System"
    assert f"Paid by test payment (no money taken), receipt R-{year}-00001." in activation.note
    assert actions(started) == ["payment.checkout_start", "payment.paid"]
    subjects = [m.subject for m in mail.outbox]
    assert any(f"receipt R-{year}-00001" in subject for subject in subjects)
    assert any("is now accredited" in subject for subject in subjects)
    receipt = next(m for m in mail.outbox if "receipt" in m.subject)
    assert f"http://testserver/employer/accreditations/{accreditation.pk}/" in receipt.body


def test_an_async_payment_waits_then_succeeds(started, accreditation):
    """completed (unpaid) → processing, nothing activated; async_payment_succeeded → paid and active."""
    deliver(paid_event(started, payment_status="unpaid"))
    started.refresh_from_db()
    accreditation.refresh_from_db()
    assert started.status == PaymentStatus.PROCESSING
    assert accreditation.status == AccreditationStatus.AWAITING_FEE
    assert "payment.processing" in actions(started)

    deliver(event("checkout.session.async_payment_succeeded", checkout_session(payment=started)))
    started.refresh_from_db()
    accreditation.refresh_from_db()
    assert started.status == PaymentStatus.PAID
    assert accreditation.status == AccreditationStatus.ACTIVE


def test_an_async_payment_that_fails_leaves_the_fee_due(started, accreditation, owner):
    """async_payment_failed → the payment failed, the accreditation still awaits its fee, a new attempt is allowed."""
    deliver(paid_event(started, payment_status="unpaid"))
    deliver(event("checkout.session.async_payment_failed", checkout_session(payment=started, payment_status="unpaid")))
    started.refresh_from_db()
    accreditation.refresh_from_db()
    assert started.status == PaymentStatus.FAILED
    assert accreditation.status == AccreditationStatus.AWAITING_FEE
    assert actions(started)[-1] == "payment.fail"
    again = payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)
    assert again.idempotency_key.endswith("-checkout-2")


def test_an_expired_session_is_recorded(started, accreditation):
    """checkout.session.expired → the payment is expired (not completed); the fee is still due."""
    stored = deliver(event("checkout.session.expired", checkout_session(payment=started, payment_status="unpaid")))
    assert stored.status == PaymentEventStatus.PROCESSED
    started.refresh_from_db()
    assert started.status == PaymentStatus.EXPIRED
    accreditation.refresh_from_db()
    assert accreditation.status == AccreditationStatus.AWAITING_FEE


def test_a_wrong_amount_is_recorded_and_flagged_not_activated(started, accreditation):
    """Paid £100 against a £137 fee: the money is recorded, flagged for officers, the accreditation stays put."""
    deliver(paid_event(started, amount_total=10000))
    started.refresh_from_db()
    accreditation.refresh_from_db()
    assert started.status == PaymentStatus.PAID
    assert started.amount_paid_pence == 10000
    assert started.receipt_number
    assert started.needs_attention
    assert started.attention_reason == "Paid £100.00 but the fee due is £137.00."
    assert accreditation.status == AccreditationStatus.AWAITING_FEE
    flag = AuditEvent.objects.for_object(started).get(action="payment.flag")
    assert flag.note == "Paid £100.00 but the fee due is £137.00."


def test_a_wrong_currency_is_flagged_not_activated(started, accreditation):
    """Paid 137.00 in USD: recorded in that currency and flagged; not activated."""
    deliver(paid_event(started, currency="usd"))
    started.refresh_from_db()
    accreditation.refresh_from_db()
    assert started.currency == "usd"
    assert started.needs_attention
    assert started.attention_reason == "Paid in USD: 137.00 USD, but the fee due is £137.00."
    assert accreditation.status == AccreditationStatus.AWAITING_FEE


def test_a_fee_paid_twice_is_flagged(started, accreditation, owner):
    """A second session paid after the first activated: recorded, flagged "refund one payment?"."""
    other = Payment.objects.create(
        accreditation=accreditation,
        method=PaymentMethod.TEST,
        status=PaymentStatus.EXPIRED,
        amount_due_pence=13700,
        checkout_session_id="cs_test_local_second_tab",
    )
    deliver(paid_event(started))
    started.refresh_from_db()
    deliver(paid_event(other, payment_intent="pi_3Second"))
    other.refresh_from_db()
    assert other.status == PaymentStatus.PAID
    assert other.needs_attention
    assert other.attention_reason == (
        f"The fee was already paid (receipt {started.receipt_number}) before this payment of £137.00 arrived: "
        "refund one payment?"
    )
    assert other.receipt_number != started.receipt_number
    assert AuditEvent.objects.filter(action="accreditation.activate").count() == 1


def test_a_payment_after_the_fee_was_waived_is_flagged(started, accreditation, officer):
    """Money arriving after an officer waived the fee is recorded and flagged for a refund."""
    Accreditation.objects.filter(pk=accreditation.pk).update(fee_waived_at=timezone.now(), fee_waived_by=officer)
    accreditation_activate(actor=officer, accreditation=accreditation, how="Fee waived.")
    deliver(paid_event(started))
    started.refresh_from_db()
    assert started.status == PaymentStatus.PAID
    assert started.attention_reason == "The fee was waived before this payment of £137.00 arrived: refund it?"


def test_a_session_made_outside_the_portal_for_our_accreditation_is_recorded(accreditation):
    """A paid session from Stripe's dashboard whose metadata names our accreditation: Payment created, activated."""
    session = checkout_session(session_id="cs_live_dashboard", accreditation=accreditation, payment_intent="pi_3Dash")
    stored = deliver(event("checkout.session.completed", session))
    assert stored.status == PaymentEventStatus.PROCESSED
    payment = Payment.objects.get(checkout_session_id="cs_live_dashboard")
    assert payment.accreditation == accreditation
    assert payment.status == PaymentStatus.PAID
    assert payment.amount_due_pence == 13700
    assert payment.created_by is None
    accreditation.refresh_from_db()
    assert accreditation.status == AccreditationStatus.ACTIVE


def test_a_session_naming_an_unknown_accreditation_fails_with_a_clear_error(accreditation):
    """Metadata naming an accreditation that does not exist: the event fails, saying so; nothing is recorded."""
    session = checkout_session(
        session_id="cs_test_unknown",
        amount_total=13700,
        metadata={"accreditation_id": "999999"},
        client_reference_id="",
    )
    stored = deliver(event("checkout.session.completed", session))
    assert stored.status == PaymentEventStatus.FAILED
    assert 'names accreditation "999999", which does not exist' in stored.error
    assert not Payment.objects.exists()


# --- events: refunds ------------------------------------------------------------------------------------


def test_a_partial_refund_is_recorded_and_flagged(started, accreditation):
    """charge.refunded for part of the fee: refunded_pence, partly refunded, flagged; the accreditation unchanged."""
    deliver(paid_event(started, payment_intent="pi_3Refund"))
    stored = deliver(
        event("charge.refunded", charge_refunded(payment_intent="pi_3Refund", amount=13700, amount_refunded=3700))
    )
    assert stored.status == PaymentEventStatus.PROCESSED
    started.refresh_from_db()
    accreditation.refresh_from_db()
    assert started.refunded_pence == 3700
    assert started.status == PaymentStatus.PARTIALLY_REFUNDED
    assert started.needs_attention
    assert started.attention_reason.startswith("£37.00 of £137.00 refunded in the payment gateway.")
    assert accreditation.status == AccreditationStatus.ACTIVE
    refund = AuditEvent.objects.for_object(started).get(action="payment.refund")
    assert (refund.from_state, refund.to_state) == ("paid", "partially_refunded")


def test_a_full_refund_is_recorded_once(started, accreditation):
    """A full refund: status refunded; the same state reported again changes nothing."""
    deliver(paid_event(started, payment_intent="pi_3Full"))
    refunded = charge_refunded(payment_intent="pi_3Full", amount=13700, amount_refunded=13700)
    deliver(event("charge.refunded", refunded))
    deliver(event("charge.refunded", refunded))  # another event id, nothing new
    started.refresh_from_db()
    assert started.status == PaymentStatus.REFUNDED
    assert started.refunded_pence == 13700
    assert AuditEvent.objects.filter(action="payment.refund").count() == 1


def test_a_refund_of_a_charge_not_ours_is_ignored(accreditation):
    """charge.refunded for a payment intent the portal never saw: stored, ignored."""
    stored = deliver(
        event("charge.refunded", charge_refunded(payment_intent="pi_3Stranger", amount=500, amount_refunded=500))
    )
    assert stored.status == PaymentEventStatus.IGNORED


# --- events: failures and re-runs ------------------------------------------------------------------------


def _break_receipts(monkeypatch):
    def broken(year):
        raise RuntimeError("the receipt sequence is unavailable")

    monkeypatch.setattr(payment_events, "receipt_number", broken)


def test_a_processing_failure_is_recorded_and_changes_nothing(started, accreditation, monkeypatch):
    """An error while processing: the event is stored failed with the error; the payment and accreditation unchanged."""
    _break_receipts(monkeypatch)
    stored = deliver(paid_event(started))
    assert stored.status == PaymentEventStatus.FAILED
    assert stored.attempts == 1
    assert "RuntimeError: the receipt sequence is unavailable" in stored.error
    started.refresh_from_db()
    accreditation.refresh_from_db()
    assert started.status == PaymentStatus.PENDING
    assert accreditation.status == AccreditationStatus.AWAITING_FEE
    assert actions(started) == ["payment.checkout_start"]


def test_a_failed_event_is_processed_when_delivered_again(started, accreditation, monkeypatch):
    """Stripe retries an event answered with an error: the retry processes it (attempt 2)."""
    paid = paid_event(started)
    _break_receipts(monkeypatch)
    deliver(paid)
    monkeypatch.undo()
    stored = deliver(paid)
    assert stored.status == PaymentEventStatus.PROCESSED
    assert stored.attempts == 2
    assert stored.error == ""
    accreditation.refresh_from_db()
    assert accreditation.status == AccreditationStatus.ACTIVE


def test_an_officer_reruns_a_failed_event(started, accreditation, monkeypatch, officer):
    """payment_event_rerun: processed now, audited with the officer's name."""
    _break_receipts(monkeypatch)
    failed = deliver(paid_event(started))
    monkeypatch.undo()
    result = payment_event_rerun(actor=officer, event=failed, base_url=BASE_URL)
    assert result.status == PaymentEventStatus.PROCESSED
    assert result.attempts == 2
    accreditation.refresh_from_db()
    assert accreditation.status == AccreditationStatus.ACTIVE
    audit = AuditEvent.objects.for_object(result).get(action="payment_event.rerun")
    assert (audit.actor, audit.from_state, audit.to_state) == (officer, "failed", "processed")


def test_a_rerun_that_fails_again_is_recorded(started, monkeypatch, officer):
    """A re-run that fails again: the event stays failed with one more attempt, and the re-run is audited."""
    _break_receipts(monkeypatch)
    failed = deliver(paid_event(started))
    result = payment_event_rerun(actor=officer, event=failed)
    assert result.status == PaymentEventStatus.FAILED
    assert result.attempts == 2
    audit = AuditEvent.objects.for_object(result).get(action="payment_event.rerun")
    assert audit.to_state == "failed"
    assert "the receipt sequence is unavailable" in audit.note


def test_only_officers_rerun_events(started, monkeypatch, owner):
    """An employer cannot re-run an event."""
    _break_receipts(monkeypatch)
    failed = deliver(paid_event(started))
    with pytest.raises(NotAnOfficer):
        payment_event_rerun(actor=owner, event=failed)


def test_only_failed_events_are_rerun(started):
    """Re-running a processed event is refused, saying why."""
    officer = make_officer("Olive Officer")
    processed = deliver(paid_event(started))
    with pytest.raises(InvalidTransition, match="Only an event that failed can be run again: this one is processed."):
        payment_event_rerun(actor=officer, event=processed)


# --- a received payment flagged for an officer ----------------------------------------------------------


def test_no_checkout_while_a_flagged_payment_is_checked(started, accreditation, owner):
    """Paid the wrong amount (flagged, still awaiting its fee): Pay now is refused, saying an officer is checking."""
    deliver(paid_event(started, amount_total=10000))
    accreditation.refresh_from_db()
    assert accreditation.status == AccreditationStatus.AWAITING_FEE
    with pytest.raises(FeeNotDue) as refused:
        payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)
    assert str(refused.value) == (
        "We have received a payment for this fee and an officer is checking it. You do not need to pay again."
    )
    assert Payment.objects.filter(accreditation=accreditation).count() == 1


# --- a paid event closes the other open checkouts --------------------------------------------------------------


def test_a_paid_event_expires_the_other_open_checkout(started, accreditation, owner):
    """A checkout closed here as past its time is paid after all while a newer one is open: the fee is
    settled, so the newer checkout is marked expired (audited) and cannot take the fee again."""
    Payment.objects.filter(pk=started.pk).update(checkout_expires_at=timezone.now() - timedelta(minutes=1))
    newer = payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)
    deliver(paid_event(started))
    accreditation.refresh_from_db()
    newer.refresh_from_db()
    assert accreditation.status == AccreditationStatus.ACTIVE
    assert newer.status == PaymentStatus.EXPIRED
    audit = AuditEvent.objects.for_object(newer).get(action="payment.expire")
    assert audit.note == "closed: the fee was settled another way"


@pytest.mark.usefixtures("stripe_settings")
def test_a_paid_event_asks_stripe_to_expire_the_other_session(accreditation, owner, django_capture_on_commit_callbacks):
    """With Stripe, the other open session is expired at Stripe after the commit."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(SESSIONS_URL, json=session_json(session_id="cs_test_left_open", amount=13700))
        expire = mock.post(
            f"{SESSIONS_URL}/cs_test_left_open/expire", json=session_json(session_id="cs_test_left_open")
        )
        left_open = payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)
        paid_elsewhere = checkout_session(session_id="cs_test_made_in_dashboard", accreditation=accreditation)
        payload, signature = sign(event("checkout.session.completed", paid_elsewhere), secret=STRIPE_WEBHOOK_SECRET)
        with django_capture_on_commit_callbacks(execute=True):
            payment_event_receive(gateway=current_gateway(), payload=payload, signature=signature, base_url=BASE_URL)
        assert expire.call_count == 1
    left_open.refresh_from_db()
    assert left_open.status == PaymentStatus.EXPIRED


# --- a refund that arrives before its payment ------------------------------------------------------------------


def test_a_refund_before_its_payment_fails_and_is_rerun(started, accreditation, officer):
    """charge.refunded for one of our charges (its description is ours) before the completed event: failed
    (so the webhook answers 500 and Stripe retries); once the payment is recorded a re-run records the refund."""
    charge = charge_refunded(payment_intent="pi_3Early", amount=13700, amount_refunded=13700)
    charge["description"] = "Fine City Employers Charter accreditation 2027: Champion"
    refund = deliver(event("charge.refunded", charge))
    assert refund.status == PaymentEventStatus.FAILED
    assert refund.error == (
        "No payment matches payment intent pi_3Early yet: re-run this event once the payment is recorded."
    )
    assert deliver(paid_event(started, payment_intent="pi_3Early")).status == PaymentEventStatus.PROCESSED
    rerun = payment_event_rerun(actor=officer, event=refund, base_url=BASE_URL)
    assert rerun.status == PaymentEventStatus.PROCESSED
    started.refresh_from_db()
    assert started.status == PaymentStatus.REFUNDED
    assert started.needs_attention and started.refunded_pence == 13700


def test_a_refund_naming_our_accreditation_in_metadata_is_kept(accreditation):
    """A charge whose metadata names an accreditation but matches no payment yet fails rather than being lost."""
    charge = charge_refunded(payment_intent="pi_3Meta", amount=13700, amount_refunded=500)
    charge["metadata"] = {"accreditation_id": str(accreditation.pk)}
    assert deliver(event("charge.refunded", charge)).status == PaymentEventStatus.FAILED


# --- the payment's transition table ----------------------------------------------------------------------


def test_a_move_the_table_does_not_list_fails_the_event_and_changes_nothing(started, accreditation):
    """A failed payment reported paid: the move is refused, the event is failed for officers, nothing changes."""
    from accreditation.models import Payment

    Payment.objects.filter(pk=started.pk).update(status=PaymentStatus.FAILED)
    stored = deliver(paid_event(started))
    assert stored.status == PaymentEventStatus.FAILED
    assert "A payment that is failed cannot become paid." in stored.error
    started.refresh_from_db()
    accreditation.refresh_from_db()
    assert started.status == PaymentStatus.FAILED and started.receipt_number is None
    assert accreditation.status == AccreditationStatus.AWAITING_FEE


def test_an_expired_checkout_paid_in_a_tab_left_open_is_recorded(started, accreditation):
    """A session closed here but paid anyway: the money is recorded (expired → paid), not lost."""
    from accreditation.models import Payment

    Payment.objects.filter(pk=started.pk).update(status=PaymentStatus.EXPIRED)
    stored = deliver(paid_event(started))
    assert stored.status == PaymentEventStatus.PROCESSED
    started.refresh_from_db()
    assert started.status == PaymentStatus.PAID and started.amount_paid_pence == accreditation.fee_pence
