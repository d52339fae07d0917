"""The money path under concurrency, on PostgreSQL: one webhook event fifty times at once, two "Pay now" at once."""

import importlib
import threading

import pytest
import responses
from django.apps import apps
from django.core import mail
from django.db import connection
from django.test import Client

from accreditation.models import AccreditationStatus, Payment, PaymentEvent, PaymentEventStatus, PaymentStatus
from accreditation.services.payments import payment_checkout_start
from audit.models import AuditEvent
from tests.accreditation.fee_helpers import approved_accreditation
from tests.accreditation.stripe_helpers import (
    SESSIONS_URL,
    checkout_session,
    event,
    post_event,
    session_json,
    stripe_settings,  # noqa: F401 (fixture)
)
from tests.concurrency import POSTGRES_ONLY, race

pytestmark = POSTGRES_ONLY

BASE_URL = "http://testserver/"
DELIVERIES = 50


@pytest.fixture
def accreditation(charter_edition, organisation, owner):
    """An accreditation awaiting its fee. Transactional tests empty the tables between tests, the fee schedule
    the migration wrote included, so it is written again (the migration's own function: it adds it once)."""
    default_fee_bands = importlib.import_module("accreditation.migrations.0005_default_fee_bands")
    default_fee_bands.add_default_schedule(apps, None)
    return approved_accreditation(organisation=organisation, actor=owner)


def test_one_event_delivered_fifty_times_at_once_has_one_effect(accreditation, owner):
    """50 concurrent POSTs of one signed event: one PaymentEvent, one payment paid, one activation, one receipt."""
    started = payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)
    body = event("checkout.session.completed", checkout_session(payment=started))
    mail.outbox.clear()
    barrier = threading.Barrier(DELIVERIES)
    statuses = [None] * DELIVERIES

    def deliver(index):
        client = Client()  # its own client; Django gives each thread its own database connection
        try:
            barrier.wait()
            statuses[index] = post_event(client, body).status_code
        except Exception as exc:  # recorded, so the assertion below shows it
            statuses[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(DELIVERIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [200] * DELIVERIES
    assert PaymentEvent.objects.count() == 1
    stored = PaymentEvent.objects.get()
    assert stored.status == PaymentEventStatus.PROCESSED
    assert stored.attempts == 1
    started.refresh_from_db()
    accreditation.refresh_from_db()
    assert started.status == PaymentStatus.PAID
    assert Payment.objects.filter(status=PaymentStatus.PAID).count() == 1
    assert accreditation.status == AccreditationStatus.ACTIVE
    assert AuditEvent.objects.filter(action="accreditation.activate").count() == 1
    assert AuditEvent.objects.filter(action="payment.paid").count() == 1
    receipts = [m for m in mail.outbox if "receipt" in m.subject]
    assert [m.to for m in receipts] == [[owner.email]]


@pytest.mark.usefixtures("stripe_settings")
def test_two_pay_now_clicks_at_once_make_one_session(accreditation, owner, member):
    """Two members press Pay now at the same moment: one Checkout Session at Stripe, one Payment, both sent to it."""
    got = []
    with responses.RequestsMock() as stripe_api:
        stripe_api.post(SESSIONS_URL, json=session_json(session_id="cs_test_race", amount=accreditation.fee_pence))
        results = race(
            lambda: got.append(payment_checkout_start(actor=owner, accreditation=accreditation, base_url=BASE_URL)),
            lambda: got.append(payment_checkout_start(actor=member, accreditation=accreditation, base_url=BASE_URL)),
        )
        calls = len(stripe_api.calls)
    assert results == ["ok", "ok"]
    assert calls == 1
    assert Payment.objects.count() == 1
    assert {payment.checkout_session_id for payment in got} == {"cs_test_race"}
