"""The webhook at /payments/stripe/webhook/ and the test gateway's checkout page (issue 5 points 3-4)."""

import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accreditation.models import (
    AccreditationStatus,
    Payment,
    PaymentEvent,
    PaymentEventStatus,
    PaymentStatus,
)
from accreditation.services import payment_events
from accreditation.services.payments import payment_checkout_start
from audit.models import AuditEvent
from tests.accreditation.fee_helpers import approved_accreditation
from tests.accreditation.stripe_helpers import (
    STRIPE_WEBHOOK_SECRET,
    WEBHOOK_URL,
    checkout_session,
    event,
    post_event,
    sign,
    stripe_settings,  # noqa: F401 (fixture)
)

BASE_URL = "http://testserver/"


@pytest.fixture
def accreditation(charter_edition, organisation, owner):
    """An accreditation awaiting its £137 fee."""
    return approved_accreditation(organisation=organisation, actor=owner)


@pytest.fixture
def started(accreditation, owner):
    """A checkout the owner started through the test gateway (the configured one in the tests)."""
    return payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)


@pytest.fixture
def webhook_client():
    """A client that enforces CSRF, as a browser would: Stripe sends no token, so the webhook must not need one."""
    return Client(enforce_csrf_checks=True)


def paid(payment, **session) -> dict:
    return event("checkout.session.completed", checkout_session(payment=payment, **session))


def test_the_webhook_url_is_the_agreed_one():
    """payments:stripe_webhook is /payments/stripe/webhook/ (the address set up in Stripe's dashboard)."""
    assert reverse("payments:stripe_webhook") == WEBHOOK_URL == "/payments/stripe/webhook/"


# --- the webhook ------------------------------------------------------------------------------------------


def test_a_signed_event_is_accepted_and_processed(webhook_client, started, accreditation):
    """A correctly signed checkout.session.completed: 200, the fee paid, the accreditation active."""
    body = paid(started)
    response = post_event(webhook_client, body)
    assert response.status_code == 200
    assert response.json() == {"received": True, "event": body["id"], "status": "processed"}
    started.refresh_from_db()
    accreditation.refresh_from_db()
    assert started.status == PaymentStatus.PAID
    assert accreditation.status == AccreditationStatus.ACTIVE


def test_a_forged_event_gets_400_and_nothing_is_stored(webhook_client, started, accreditation):
    """Signed with the wrong secret: 400, no event stored, nothing paid."""
    response = post_event(webhook_client, paid(started), secret="whsec_someone_else")
    assert response.status_code == 400
    assert not PaymentEvent.objects.exists()
    started.refresh_from_db()
    assert started.status == PaymentStatus.PENDING


def test_a_tampered_body_gets_400(webhook_client, started):
    """A body changed after signing (a bigger amount, say) no longer matches its signature: 400."""
    payload, signature = sign(paid(started))
    tampered = payload.replace(b'"amount_total": 13700', b'"amount_total": 1')
    assert tampered != payload
    response = webhook_client.post(
        WEBHOOK_URL, data=tampered, content_type="application/json", headers={"Stripe-Signature": signature}
    )
    assert response.status_code == 400
    assert not PaymentEvent.objects.exists()


def test_a_missing_signature_gets_400(webhook_client, started):
    """No Stripe-Signature header: 400, nothing stored."""
    payload, _ = sign(paid(started))
    response = webhook_client.post(WEBHOOK_URL, data=payload, content_type="application/json")
    assert response.status_code == 400
    assert not PaymentEvent.objects.exists()


def test_a_stale_event_gets_400(webhook_client, started):
    """A signature more than five minutes old (a captured request replayed later): 400, nothing stored."""
    response = post_event(webhook_client, paid(started), timestamp=int(time.time()) - 600)
    assert response.status_code == 400
    assert not PaymentEvent.objects.exists()


def test_a_body_that_is_not_json_gets_400(webhook_client, db):
    """A correctly signed body that is not JSON: 400, nothing stored."""
    response = post_event(webhook_client, "this is not json")
    assert response.status_code == 400
    assert not PaymentEvent.objects.exists()


def test_a_replayed_event_has_one_effect(webhook_client, started, accreditation, django_capture_on_commit_callbacks):
    """The same event delivered twice: 200 both times, one payment recorded, one activation, one receipt."""
    body = paid(started)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = post_event(webhook_client, body)
    with django_capture_on_commit_callbacks(execute=True):
        second = post_event(webhook_client, body)
    assert (first.status_code, second.status_code) == (200, 200)
    assert PaymentEvent.objects.count() == 1
    assert AuditEvent.objects.filter(action="accreditation.activate").count() == 1
    assert len([m for m in mail.outbox if "receipt" in m.subject]) == 1


def test_an_unhandled_event_type_gets_200_and_is_stored(webhook_client, accreditation):
    """payment_intent.created (not handled): 200, stored as ignored."""
    body = event("payment_intent.created", {"id": "pi_3New", "object": "payment_intent"})
    response = post_event(webhook_client, body)
    assert response.status_code == 200
    stored = PaymentEvent.objects.get(event_id=body["id"])
    assert stored.status == PaymentEventStatus.IGNORED


def test_a_processing_failure_gets_500_so_stripe_retries(webhook_client, started, monkeypatch):
    """An error while processing: 500, the event stored as failed with its error; a retry then succeeds."""

    def broken(year):
        raise RuntimeError("database hiccup")

    body = paid(started)
    monkeypatch.setattr(payment_events, "receipt_number", broken)
    response = post_event(webhook_client, body)
    assert response.status_code == 500
    stored = PaymentEvent.objects.get(event_id=body["id"])
    assert stored.status == PaymentEventStatus.FAILED
    assert "database hiccup" in stored.error

    monkeypatch.undo()
    assert post_event(webhook_client, body).status_code == 200
    stored.refresh_from_db()
    assert stored.status == PaymentEventStatus.PROCESSED


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_the_webhook_takes_only_post(client, method):
    """Anything but POST: 405."""
    assert getattr(client, method)(WEBHOOK_URL).status_code == 405


@pytest.mark.usefixtures("stripe_settings")
def test_with_stripe_configured_the_webhook_checks_the_stripe_secret(webhook_client, accreditation):
    """Under the Stripe gateway, an event signed with STRIPE_WEBHOOK_SECRET is accepted; the test gateway's is not."""
    session = checkout_session(session_id="cs_test_stripe1", accreditation=accreditation)
    body = event("checkout.session.completed", session)
    refused = post_event(webhook_client, body)  # the test gateway's secret
    assert refused.status_code == 400
    accepted = post_event(webhook_client, body, secret=STRIPE_WEBHOOK_SECRET)
    assert accepted.status_code == 200
    stored = PaymentEvent.objects.get(event_id=body["id"])
    assert stored.gateway == "stripe"
    accreditation.refresh_from_db()
    assert accreditation.status == AccreditationStatus.ACTIVE


def test_with_the_test_gateway_an_event_signed_with_a_stripe_secret_is_refused(webhook_client, started):
    """Under the test gateway, only its own secret is accepted."""
    assert post_event(webhook_client, paid(started), secret=STRIPE_WEBHOOK_SECRET).status_code == 400


# --- the test gateway's checkout page ----------------------------------------------------------------------


def test_checkout_page_url(started):
    """payments:test_checkout is /payments/test-checkout/<session id>/, the Payment's checkout_url."""
    url = reverse("payments:test_checkout", args=[started.checkout_session_id])
    assert url == f"/payments/test-checkout/{started.checkout_session_id}/" == started.checkout_url


def test_the_checkout_page_says_plainly_it_is_a_test(client, started, owner):
    """The page warns at the top that this is a TEST and no money is taken; it shows who pays what, and the buttons."""
    client.force_login(owner)
    response = client.get(started.checkout_url)
    assert response.status_code == 200
    html = response.content.decode()
    warning = html.index("This is a TEST payment page. No money is taken")
    assert warning < html.index("<h1")
    assert "govuk-warning-text" in html
    assert "Golden Crust Bakery Ltd" in html
    assert "Fine City Employers Charter accreditation 2027: Champion" in html
    assert "£137.00" in html
    assert ">Complete test payment</button>" in html
    assert ">Fail test payment</button>" in html
    assert "<title>Test payment: no money is taken" in html


def test_completing_a_test_payment_activates_through_the_webhook_code(client, started, accreditation, member):
    """Complete: a signed event goes through payment_event_receive; paid, active; redirected to the success URL."""
    client.force_login(member)
    response = client.post(started.checkout_url, {"outcome": "complete"})
    assert response.status_code == 302
    assert response.url == (
        f"/employer/accreditations/{accreditation.pk}/payment-received/?session_id={started.checkout_session_id}"
    )
    started.refresh_from_db()
    accreditation.refresh_from_db()
    assert started.status == PaymentStatus.PAID
    assert started.payment_intent_id.startswith("pi_test_local_")
    assert accreditation.status == AccreditationStatus.ACTIVE
    stored = PaymentEvent.objects.get()
    assert (stored.gateway, stored.event_type, stored.status) == ("test", "checkout.session.completed", "processed")
    assert stored.event_id.startswith("evt_test_local_")
    assert stored.payload["data"]["object"]["metadata"]["accreditation_id"] == str(accreditation.pk)


def test_failing_a_test_payment_leaves_the_fee_due(client, started, accreditation, owner):
    """Fail: completed-unpaid then async_payment_failed; the payment failed, redirected to the cancel URL."""
    client.force_login(owner)
    response = client.post(started.checkout_url, {"outcome": "fail"})
    assert response.status_code == 302
    assert response.url == f"/employer/accreditations/{accreditation.pk}/payment-cancelled/"
    started.refresh_from_db()
    accreditation.refresh_from_db()
    assert started.status == PaymentStatus.FAILED
    assert accreditation.status == AccreditationStatus.AWAITING_FEE
    assert list(PaymentEvent.objects.order_by("pk").values_list("event_type", flat=True)) == [
        "checkout.session.completed",
        "checkout.session.async_payment_failed",
    ]


def test_a_second_click_does_not_pay_twice(client, started, accreditation, owner):
    """After the test payment is complete, the page only sends the payer on to the success page."""
    client.force_login(owner)
    client.post(started.checkout_url, {"outcome": "complete"})
    again = client.post(started.checkout_url, {"outcome": "complete"})
    assert again.status_code == 302
    assert "payment-received" in again.url
    assert PaymentEvent.objects.count() == 1
    assert Payment.objects.get().status == PaymentStatus.PAID


def test_a_choice_is_needed(client, started, owner):
    """A POST without a known outcome: the page again, with an error, and nothing happens."""
    client.force_login(owner)
    response = client.post(started.checkout_url, {"outcome": "free"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Choose whether to complete or fail the test payment." in html
    assert "<title>Error: " in html
    assert not PaymentEvent.objects.exists()


def test_the_checkout_page_is_only_for_members(client, started, outsider, officer):
    """Another employer and an officer get 404; nobody can pay an organisation's test checkout but its members."""
    for user in (outsider, officer):
        client.force_login(user)
        assert client.get(started.checkout_url).status_code == 404
        assert client.post(started.checkout_url, {"outcome": "complete"}).status_code == 404
    started.refresh_from_db()
    assert started.status == PaymentStatus.PENDING


def test_anonymous_people_are_sent_to_sign_in(client, started):
    """Signed out: redirected to the sign-in page."""
    response = client.get(started.checkout_url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_an_unknown_session_is_404(client, owner, accreditation):
    """A made-up session id: 404."""
    client.force_login(owner)
    assert client.get(reverse("payments:test_checkout", args=["cs_test_local_nope"])).status_code == 404


def test_the_checkout_page_exists_only_under_the_test_gateway(client, started, owner, settings):
    """With Stripe configured, the test checkout page is 404: nobody can fake a payment on a live service."""
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_51PortalTestKey"
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET
    client.force_login(owner)
    assert client.get(started.checkout_url).status_code == 404
    assert client.post(started.checkout_url, {"outcome": "complete"}).status_code == 404
    started.refresh_from_db()
    assert started.status == PaymentStatus.PENDING
