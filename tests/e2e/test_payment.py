"""An employer pays the accreditation fee in a browser, through the built-in test gateway (issue 5)."""

import io
import re
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from pypdf import PdfReader

from accreditation.models import AccreditationStatus, Payment, PaymentStatus
from tests.accreditation.fee_helpers import approved_accreditation
from tests.factories import PASSWORD, OwnerMembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def default_fee_bands():
    """The default fee schedule, as migration 0005 writes it (it does nothing if the schedule is there).

    A browser test needs committed data, so its database is emptied after each test, migrations' data too.
    """
    import_module("accreditation.migrations.0005_default_fee_bands").add_default_schedule(django_apps, None)


@pytest.fixture
def accreditation(charter_edition, settings):
    """An organisation of 14 people whose application has been approved: £137.00 is due."""
    settings.PAYMENT_GATEWAY = "test"
    default_fee_bands()
    membership = OwnerMembershipFactory(
        organisation__legal_name="Crumbs & <b>Co</b> Ltd",
        organisation__employee_count=14,
        user__full_name="Bea Baker",
    )
    return approved_accreditation(organisation=membership.organisation, actor=membership.user)


def sign_in(page, a11y, accreditation, label):
    """Sign in through the login page as the organisation's owner; the dashboard shows the fee due."""
    page.goto("/accounts/login/")
    a11y.check(f"{label}-login")
    page.get_by_label("Email address").fill(accreditation.organisation.memberships.get().user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/employer/$"))
    a11y.check(f"{label}-dashboard")
    section = page.locator("section", has=page.get_by_role("heading", name="Your accreditation"))
    assert section.get_by_text("Fee due").is_visible()
    assert section.get_by_text("£137.00", exact=True).is_visible()
    return section


def pay_now(page, a11y, button_scope, label):
    """Press "Pay now" and land on the test gateway's page, which says plainly that it is a test."""
    button_scope.get_by_role("button", name=re.compile(r"^Pay now")).click()
    page.wait_for_url(re.compile(r".*/payments/test-checkout/[^/]+/$"))
    a11y.check(f"{label}-test-gateway")
    assert page.get_by_text("This is a TEST payment page").is_visible()
    assert page.get_by_text("£137.00", exact=True).is_visible()


def test_pay_through_the_test_gateway_and_become_accredited(page, a11y, accreditation, tmp_path):
    """Dashboard, Pay now, the test gateway, "Payment received" and accredited, then the receipt PDF."""
    section = sign_in(page, a11y, accreditation, "pay")
    pay_now(page, a11y, section, "pay")

    page.get_by_role("button", name="Complete test payment").click()
    page.wait_for_url(re.compile(r".*/payment-received/\?session_id=.+"))
    a11y.check("pay-received")
    # The test gateway delivers its event before sending the payer back; should it ever lag, check again.
    for attempt in range(5):
        if not page.get_by_role("heading", name="We are confirming your payment").count():
            break
        page.get_by_role("button", name="Check again").click()
        page.wait_for_load_state()
        a11y.check(f"pay-received-check-{attempt + 1}")
    panel = page.locator(".govuk-panel--confirmation")
    assert panel.get_by_role("heading", name="Payment received").is_visible()
    assert panel.get_by_text("You are accredited").is_visible()

    accreditation.refresh_from_db()
    payment = Payment.objects.get(accreditation=accreditation)
    assert accreditation.status == AccreditationStatus.ACTIVE
    assert payment.status == PaymentStatus.PAID and payment.receipt_number
    assert panel.get_by_text(payment.receipt_number).is_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your receipt (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"receipt-{payment.receipt_number}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = " ".join(PdfReader(io.BytesIO(saved.read_bytes())).pages[0].extract_text().split())
    assert "Receipt" in text and payment.receipt_number in text
    assert "Crumbs & <b>Co</b> Ltd" in text and "Amount paid £137.00" in text
    assert "Test payment: no money was taken" in text

    page.get_by_role("link", name="View your accreditation and payments").click()
    page.wait_for_load_state()
    a11y.check("pay-accreditation-page")
    assert page.get_by_text("Accredited", exact=True).is_visible()
    assert page.get_by_role("link", name=re.compile("Download receipt")).is_visible()
    assert not page.get_by_role("button", name=re.compile(r"^Pay now")).count()


def test_a_failed_payment_says_so_and_offers_pay_now_again(page, a11y, accreditation):
    """Failing the test payment: the employer is told it did not go through, nothing is active, and can pay again."""
    section = sign_in(page, a11y, accreditation, "pay-fail")
    pay_now(page, a11y, section, "pay-fail")

    page.get_by_role("button", name="Fail test payment").click()
    page.wait_for_url(re.compile(r".*/employer/accreditations/\d+/payment-(cancelled|received)/.*"))
    a11y.check("pay-fail-not-paid")
    assert page.get_by_role("heading", name="Your payment did not go through").is_visible()
    assert page.get_by_text("no money has been taken").is_visible()
    accreditation.refresh_from_db()
    assert accreditation.status == AccreditationStatus.AWAITING_FEE
    assert Payment.objects.get(accreditation=accreditation).status == PaymentStatus.FAILED

    pay_now(page, a11y, page.locator("main"), "pay-fail-again")
    assert Payment.objects.filter(accreditation=accreditation, status=PaymentStatus.PENDING).count() == 1


def test_the_confirming_page_moves_on_by_itself_when_the_payment_arrives(page, a11y, accreditation):
    """Back from the checkout before the gateway's event: "confirming", then, with no click, "Payment received"."""
    from django.conf import settings

    from accreditation.gateways.test import TestGateway
    from accreditation.services.payment_events import payment_event_receive
    from accreditation.services.payments import checkout_metadata, payment_checkout_start

    owner = accreditation.organisation.memberships.get().user
    payment = payment_checkout_start(actor=owner, accreditation=accreditation, base_url="http://testserver/")
    sign_in(page, a11y, accreditation, "auto")
    page.goto(f"/employer/accreditations/{accreditation.pk}/payment-received/?session_id={payment.checkout_session_id}")
    a11y.check("auto-confirming")
    assert page.get_by_role("heading", name="We are confirming your payment").is_visible()
    assert page.get_by_text("This page checks for your payment by itself every few seconds.").is_visible()

    # The gateway's events arrive now, through the same code as Stripe's webhook.
    gateway = TestGateway(webhook_secret=settings.TEST_GATEWAY_WEBHOOK_SECRET)
    for event in gateway.events_for(payment=payment, metadata=checkout_metadata(accreditation), succeed=True):
        payload, signature = gateway.sign(event)
        payment_event_receive(gateway=gateway, payload=payload, signature=signature)

    panel = page.locator(".govuk-panel--confirmation")
    panel.get_by_role("heading", name="Payment received").wait_for(timeout=15_000)
    a11y.check("auto-received")
    assert panel.get_by_text("You are accredited").is_visible()
