"""accreditation.views_fees: the employer's accreditation page, "Pay now", the return pages and the receipt.

Who may use each page (the organisation's people only; officers refused; anyone else a 404), what each
page shows in each state, and that coming back from the checkout never marks anything paid.
"""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from accreditation import urls_fees, views_fees
from accreditation.exceptions import FeeNotDue, GatewayError
from accreditation.models import AccreditationStatus, Payment, PaymentStatus
from accreditation.services.fees import fee_waive, payment_record_offline
from tests.accreditation.fee_helpers import awaiting_fee, card_payment_received, open_checkout
from tests.accreditation.review_helpers import make_officer
from tests.factories import OwnerMembershipFactory

OFFICER_REFUSAL = "This part of the service is for employers"
NOW = timezone.make_aware(datetime.datetime(2027, 3, 3, 10, 42))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response) -> str:
    return response.content.decode()


@pytest.fixture(autouse=True)
def now():
    """The tests run on 3 March 2027 at 10:42 (the clock moves on from there)."""
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def accreditation(charter_edition, organisation, owner):
    return awaiting_fee(organisation, owner)


@pytest.fixture
def owner_client(owner):
    return signed_in(owner)


@pytest.fixture
def member_client(member):
    return signed_in(member)


@pytest.fixture
def outsider_client(outsider):
    return signed_in(outsider)


@pytest.fixture
def received(accreditation):
    """The fee paid by card: the accreditation is active and the payment has receipt R-2027-00001."""
    return card_payment_received(accreditation)


# --- every URL of the namespace ----------------------------------------------------------------------


def all_urls(accreditation, payment) -> dict[str, str]:
    """Every URL pattern of the fees namespace, filled in with `accreditation`'s and `payment`'s ids."""
    values = {"pk": accreditation.pk, "payment_pk": payment.pk}
    urls = {}
    for pattern in urls_fees.urlpatterns:
        assert isinstance(pattern, URLPattern)
        kwargs = {name: values[name] for name in pattern.pattern.converters}
        urls[pattern.name] = reverse(f"fees:{pattern.name}", kwargs=kwargs)
    return urls


ALL_PAGES = [p.name for p in urls_fees.urlpatterns]


@pytest.fixture
def urls(received):
    return all_urls(received.accreditation, received)


def request(client, urls, page):
    return client.post(urls[page]) if page == "pay" else client.get(urls[page])


def test_the_namespace_has_the_agreed_pages():
    """The URL names other engineers build on (the gateway's return URLs, emails) all exist, and only they."""
    assert set(ALL_PAGES) == {"accreditation", "pay", "paid", "cancelled", "receipt"}
    assert all(p.pattern.converters for p in urls_fees.urlpatterns), "every page is one accreditation's"


def test_every_url_is_plain_english_under_employer_accreditations(urls):
    """Every page lives under /employer/accreditations/<id>/, in lower-case kebab-case words."""
    for url in urls.values():
        assert url.startswith("/employer/accreditations/")
        words = [part.removesuffix(".pdf") for part in url.split("/") if part and not part.isdigit()]
        assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", word) for word in words), url


@pytest.mark.parametrize("page", ALL_PAGES)
def test_anonymous_people_are_sent_to_sign_in(client, urls, page):
    """Every page sends someone not signed in to sign in first."""
    response = request(client, urls, page)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("page", ALL_PAGES)
def test_officers_are_refused_every_page(officer_client, urls, page, accreditation):
    """Officers are not employer users: each page (and "Pay now") refuses them, and nothing changes."""
    response = request(officer_client, urls, page)
    assert response.status_code == 403
    assert OFFICER_REFUSAL in body(response)
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("page", ALL_PAGES)
def test_officers_without_two_factor_get_nothing(officer_without_2fa_client, urls, page):
    """The two-factor rule comes first: an officer without it is sent to set it up."""
    response = request(officer_without_2fa_client, urls, page)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("page", ALL_PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organisation_gets_404_for_every_url(outsider_client, urls, page, method):
    """A user of organisation B gets 404 for each of A's URLs (405 for the wrong method), and no checkout starts."""
    response = getattr(outsider_client, method)(urls[page])
    page_method = "post" if page == "pay" else "get"
    assert response.status_code == (404 if method == page_method else 405)
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("page", ["accreditation", "paid", "cancelled", "receipt"])
def test_the_owner_and_a_member_can_use_every_page(urls, owner_client, member_client, page):
    """Both the owner and a member of the organisation can see each page."""
    # With the fee received: the pages that show something answer 200; "cancelled" has nothing left to
    # cancel and sends the payer to the accreditation's page (never to the sign-in page).
    expected = {"accreditation": 200, "paid": 200, "receipt": 200, "cancelled": 302}[page]
    for user_client in (owner_client, member_client):
        response = user_client.get(urls[page])
        assert response.status_code == expected, page
        if expected == 302:
            assert response["Location"] == urls["accreditation"]


def test_unknown_ids_are_404(owner_client, received):
    """Ids that do not exist, or past 64 bits, are a 404 (never a server error)."""
    pk = received.accreditation_id
    assert owner_client.get(f"/employer/accreditations/{pk + 1000}/").status_code == 404
    assert owner_client.get(f"/employer/accreditations/{'9' * 19}/").status_code == 404
    missing = reverse("fees:receipt", kwargs={"pk": pk, "payment_pk": received.pk + 1000})
    assert owner_client.get(missing).status_code == 404


def test_a_receipt_is_reached_only_through_its_own_accreditation(charter_edition, received, owner, organisation):
    """The accreditation id in the receipt's URL must be the payment's own, even among one's own accreditations."""
    other = OwnerMembershipFactory(user=owner).organisation
    other.employee_count = 14
    other.save()
    second = awaiting_fee(other, owner)
    client = signed_in(owner)
    url = reverse("fees:receipt", kwargs={"pk": second.pk, "payment_pk": received.pk})
    assert client.get(url).status_code == 404
    own = reverse("fees:receipt", kwargs={"pk": received.accreditation_id, "payment_pk": received.pk})
    assert client.get(own).status_code == 200


@pytest.mark.parametrize(
    "status", [PaymentStatus.PENDING, PaymentStatus.PROCESSING, PaymentStatus.FAILED, PaymentStatus.EXPIRED]
)
def test_money_not_received_has_no_receipt(owner_client, accreditation, status):
    """Only received payments have a receipt: a checkout that is open, failed or lapsed is a 404."""
    payment = open_checkout(accreditation, status=status)
    response = owner_client.get(reverse("fees:receipt", kwargs={"pk": accreditation.pk, "payment_pk": payment.pk}))
    assert response.status_code == 404


def test_pay_needs_the_csrf_token(owner, accreditation, monkeypatch):
    """ "Pay now" is a POST protected against cross-site request forgery: a forged one starts nothing."""
    started = []
    monkeypatch.setattr(views_fees, "payment_checkout_start", lambda **kwargs: started.append(kwargs))
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    assert strict.post(reverse("fees:pay", kwargs={"pk": accreditation.pk})).status_code == 403
    assert started == []


@pytest.mark.parametrize("page", ["accreditation", "paid", "cancelled", "receipt"])
def test_the_pages_that_read_refuse_posts(owner_client, urls, page):
    """Pages that only show things answer a POST with 405, changing nothing."""
    assert owner_client.post(urls[page]).status_code == 405


def test_pay_is_post_only(owner_client, accreditation):
    """A GET (a link followed, a prefetch) does not start a checkout."""
    assert owner_client.get(reverse("fees:pay", kwargs={"pk": accreditation.pk})).status_code == 405
    assert not Payment.objects.exists()


# --- the accreditation page ---------------------------------------------------------------------------


def page(client, accreditation) -> str:
    response = client.get(reverse("fees:accreditation", kwargs={"pk": accreditation.pk}))
    assert response.status_code == 200
    return body(response)


def test_awaiting_fee_shows_the_fee_band_and_pay_now(owner_client, accreditation, settings):
    """Awaiting its fee: the level, the status tag, the fee in pounds, the band in words and a "Pay now" form."""
    html = page(owner_client, accreditation)
    assert accreditation.level_name in html
    assert "Approved: pay the fee to become accredited</strong>" in html
    assert "govuk-tag--yellow" in html
    assert "£137.00" in html and "11 to 50 employees" in html
    pay_url = reverse("fees:pay", kwargs={"pk": accreditation.pk})
    pay_form = re.search(rf'<form method="post" action="{pay_url}"[^>]*>(.*?)</form>', html, re.S)
    assert pay_form, "no form posting to fees:pay"
    assert 'name="csrfmiddlewaretoken"' in pay_form.group(1)
    assert ">Pay now<" in pay_form.group(1)
    assert "Valid from" not in html
    assert "No payments have been made yet." in html


def test_awaiting_fee_says_how_else_to_pay(owner_client, accreditation, settings):
    """Invoice or bank transfer: contact the council, by the configured email and telephone, quoting the reference."""
    settings.SERVICE_EMAIL = "charter@council.example"
    settings.SERVICE_PHONE = "01603 000000"
    html = page(owner_client, accreditation)
    assert "Other ways to pay" in html
    assert "bank transfer (BACS)" in html
    assert 'href="mailto:charter@council.example"' in html and "01603 000000" in html
    assert accreditation.application.reference in html


def test_a_waived_fee_says_so_and_offers_no_payment(owner_client, accreditation):
    """Waived by an officer: the page says so, shows the dates, and has no "Pay now"."""
    officer = make_officer("Wendy Waiver")
    fee_waive(actor=officer, accreditation=accreditation, reason="Community interest company in its first year.")
    html = page(owner_client, accreditation)
    assert "Waived by the council" in html
    assert "The council has waived the fee" in html
    assert "Pay now" not in html
    assert "Accredited</strong>" in html
    assert "Valid from</dt>" in html and "3 March 2027" in html and "2 March 2028" in html


def test_active_shows_dates_and_the_payment_with_its_receipt(owner_client, received):
    """Paid: valid from and until, and the payment's date, amount, method, status and receipt link."""
    html = page(owner_client, received.accreditation)
    assert "Accredited</strong>" in html and "govuk-tag--green" in html
    assert "3 March 2027" in html and "2 March 2028" in html
    assert "Pay now" not in html
    row = re.search(r'<tbody class="govuk-table__body">(.*?)</tbody>', html, re.S).group(1)
    assert "£137.00" in row and "Card (Stripe)" in row and ">Paid</strong>" in row
    assert received.receipt_number == "R-2027-00001" and "R-2027-00001" in row
    receipt = reverse("fees:receipt", kwargs={"pk": received.accreditation_id, "payment_pk": received.pk})
    assert f'href="{receipt}"' in row and "Download receipt (PDF)" in row


def test_failed_attempts_are_listed_without_a_receipt(owner_client, accreditation):
    """A failed card payment appears as "Failed", with no receipt, and "Pay now" is still offered."""
    open_checkout(accreditation, status=PaymentStatus.FAILED)
    html = page(owner_client, accreditation)
    assert ">Failed</strong>" in html
    assert "Download receipt" not in html
    assert ">Pay now<" in html


def test_a_payment_being_confirmed_replaces_pay_now(owner_client, accreditation):
    """While a card payment is being confirmed, the page says not to pay again instead of offering to."""
    open_checkout(accreditation, status=PaymentStatus.PROCESSING)
    html = page(owner_client, accreditation)
    assert "You do not need to pay again" in html
    assert ">Pay now<" not in html and "Other ways to pay" not in html
    assert ">Being confirmed</strong>" in html


def test_refunds_are_shown(owner_client, received):
    """A refunded payment says how much was refunded."""
    Payment.objects.filter(pk=received.pk).update(status=PaymentStatus.PARTIALLY_REFUNDED, refunded_pence=5000)
    html = page(owner_client, received.accreditation)
    assert "£50.00 refunded" in html and ">Partly refunded</strong>" in html
    assert "Download receipt (PDF)" in html


def test_typed_text_is_escaped_on_the_page(owner_client, accreditation, organisation):
    """An organisation's name with mark-up in it is shown as typed, never as HTML."""
    organisation.legal_name = "Crumbs & <b>Co</b>"
    organisation.save()
    html = page(owner_client, accreditation)
    assert "Crumbs &amp; &lt;b&gt;Co&lt;/b&gt;" in html
    assert "<b>Co</b>" not in html


# --- Pay now --------------------------------------------------------------------------------------------


def test_pay_now_sends_the_payer_to_the_checkout_with_303(owner_client, owner, accreditation, monkeypatch):
    """ "Pay now" calls the checkout service for this accreditation and redirects (303) to the page it opened."""
    calls = []

    def start(**kwargs):
        calls.append(kwargs)
        return open_checkout(kwargs["accreditation"], session_id="cs_test_a1b2")

    monkeypatch.setattr(views_fees, "payment_checkout_start", start)
    response = owner_client.post(reverse("fees:pay", kwargs={"pk": accreditation.pk}))
    assert response.status_code == 303
    assert response["Location"] == "https://checkout.stripe.com/c/pay/cs_test_a1b2"
    assert len(calls) == 1
    assert calls[0]["actor"] == owner
    assert calls[0]["accreditation"].pk == accreditation.pk
    assert calls[0]["base_url"] == "http://testserver/"


@pytest.mark.parametrize(
    ("refusal", "words"),
    [
        (FeeNotDue(), "No fee is due for this accreditation."),
        (GatewayError(), "We could not start your payment. Try again, or contact us if it keeps happening."),
    ],
)
def test_a_refused_payment_comes_back_with_the_reason(owner_client, accreditation, monkeypatch, refusal, words):
    """The service's refusal is shown on the accreditation page; no checkout is opened."""

    def start(**kwargs):
        raise refusal

    monkeypatch.setattr(views_fees, "payment_checkout_start", start)
    url = reverse("fees:accreditation", kwargs={"pk": accreditation.pk})
    response = owner_client.post(reverse("fees:pay", kwargs={"pk": accreditation.pk}))
    assert response.status_code == 302 and response["Location"] == url
    html = body(owner_client.get(url))
    assert words in html and "govuk-notification-banner" in html
    assert not Payment.objects.exists()


# --- coming back from the checkout ------------------------------------------------------------------------


def paid_page(client, accreditation, session_id="", **query):
    params = {"session_id": session_id, **query} if session_id else query
    return client.get(reverse("fees:paid", kwargs={"pk": accreditation.pk}), params)


def test_paid_and_active_shows_the_confirmation_panel(owner_client, received):
    """The webhook has been: "Payment received", "You are accredited", the receipt number and its link."""
    response = paid_page(owner_client, received.accreditation, received.checkout_session_id)
    html = body(response)
    assert response.status_code == 200
    panel = re.search(r'<div class="govuk-panel govuk-panel--confirmation">(.*?)</div>\s*</div>', html, re.S).group(1)
    assert "Payment received" in panel and "You are accredited" in panel and "R-2027-00001" in panel
    receipt = reverse("fees:receipt", kwargs={"pk": received.accreditation_id, "payment_pk": received.pk})
    assert f'href="{receipt}"' in html and "Download your receipt (PDF)" in html
    assert "2 March 2028" in html
    assert "http-equiv" not in html


@pytest.mark.parametrize("status", [PaymentStatus.PENDING, PaymentStatus.PROCESSING])
def test_coming_back_before_the_webhook_marks_nothing_paid(owner_client, accreditation, status):
    """The checkout's return alone changes nothing: "We are confirming your payment" and a way to check again."""
    payment = open_checkout(accreditation, status=status)
    response = paid_page(owner_client, accreditation, payment.checkout_session_id)
    html = body(response)
    assert response.status_code == 200
    assert "We are confirming your payment" in html
    assert "You do not need to pay again" in html
    check_again = reverse("fees:paid", kwargs={"pk": accreditation.pk}) + f"?session_id={payment.checkout_session_id}"
    assert f'href="{check_again}&amp;checks=1"' in html and "Check again" in html
    # No timed <meta> refresh (WCAG 2.2.1): a script asks the JSON status and reloads only once it has changed.
    assert "http-equiv" not in html
    assert f'data-payment-status-url="{check_again}&amp;format=json"' in html
    payment.refresh_from_db()
    accreditation.refresh_from_db()
    assert payment.status == status and payment.paid_at is None and payment.receipt_number is None
    assert accreditation.status == AccreditationStatus.AWAITING_FEE


def test_the_status_answer_says_whether_the_page_would_still_be_confirming(owner_client, accreditation):
    """`?format=json` (what the page's script polls): confirming until the webhook's answer is in, never cached."""
    payment = open_checkout(accreditation, status=PaymentStatus.PROCESSING)
    response = paid_page(owner_client, accreditation, payment.checkout_session_id, format="json")
    assert response.status_code == 200 and response.json() == {"confirming": True}
    assert response["Cache-Control"] == "no-store"
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.FAILED)
    assert paid_page(owner_client, accreditation, payment.checkout_session_id, format="json").json() == {
        "confirming": False
    }


def test_the_status_answer_is_done_once_accredited(owner_client, received):
    """Once the fee is paid and the accreditation active, the script is told to load the page."""
    response = paid_page(owner_client, received.accreditation, received.checkout_session_id, format="json")
    assert response.json() == {"confirming": False}


def test_checking_again_counts_and_then_says_what_to_do(owner_client, accreditation, settings):
    """After a few checks by hand the page says the payment is taking longer, and whom to contact."""
    payment = open_checkout(accreditation, status=PaymentStatus.PROCESSING)
    html = body(paid_page(owner_client, accreditation, payment.checkout_session_id, checks="2"))
    assert "checks=3" in html and "taking longer than usual" not in html
    html = body(paid_page(owner_client, accreditation, payment.checkout_session_id, checks="3"))
    assert "This is taking longer than usual" in html
    assert f"mailto:{settings.SERVICE_EMAIL}" in html and accreditation.application.reference in html
    assert "checks=4" in html


@pytest.mark.parametrize("checks", ["-1", "abc", "1e9", "9999", "٣"])
def test_a_strange_check_count_is_read_as_none(owner_client, accreditation, checks):
    """Whatever is in ?checks=, the page works and starts counting again from one."""
    payment = open_checkout(accreditation)
    response = paid_page(owner_client, accreditation, payment.checkout_session_id, checks=checks)
    assert response.status_code == 200
    assert "checks=1" in body(response) and "taking longer" not in body(response)


@pytest.mark.parametrize(
    ("status", "heading"),
    [
        (PaymentStatus.FAILED, "Your payment did not go through"),
        (PaymentStatus.EXPIRED, "Your payment was not completed"),
    ],
)
def test_a_failed_or_lapsed_checkout_says_so_and_offers_pay_now(owner_client, accreditation, status, heading):
    """A checkout the gateway refused or that lapsed: no money taken, and "Pay now" again."""
    payment = open_checkout(accreditation, status=status)
    html = body(paid_page(owner_client, accreditation, payment.checkout_session_id))
    assert heading in html and "no money has been taken" in html
    assert f'action="{reverse("fees:pay", kwargs={"pk": accreditation.pk})}"' in html and ">Pay now<" in html
    assert "We are confirming" not in html


@pytest.mark.parametrize("session_id", ["", "cs_test_unknown", "x" * 300])
def test_an_unknown_checkout_goes_to_the_accreditation_page(owner_client, accreditation, session_id):
    """No session id, or one that is not this accreditation's: nothing to confirm, so the accreditation's page."""
    open_checkout(accreditation)
    response = paid_page(owner_client, accreditation, session_id)
    assert response.status_code == 302
    assert response["Location"] == reverse("fees:accreditation", kwargs={"pk": accreditation.pk})


def test_another_accreditations_checkout_is_not_shown(charter_edition, owner, accreditation):
    """A session id of another organisation's accreditation tells this page nothing about it."""
    other_membership = OwnerMembershipFactory(organisation__employee_count=14)
    other = awaiting_fee(other_membership.organisation, other_membership.user)
    theirs = open_checkout(other, status=PaymentStatus.FAILED)
    response = paid_page(signed_in(owner), accreditation, theirs.checkout_session_id)
    assert response.status_code == 302


def test_received_but_not_accepted_says_an_officer_is_checking(owner_client, accreditation):
    """Money received that was not accepted automatically (flagged for officers): received, being checked."""
    payment = card_payment_received(accreditation, activate=False, needs_attention=True)
    html = body(paid_page(owner_client, accreditation, payment.checkout_session_id))
    assert "We have received your payment" in html
    assert "An officer needs to check this payment" in html
    assert "You do not need to pay again" in html
    assert "You are accredited" not in html


def test_active_without_a_payment_of_this_checkout_still_confirms(owner_client, accreditation):
    """Accredited another way meanwhile (an officer recorded a bank transfer): the page says accredited."""
    officer = make_officer("Otto Offline")
    payment_record_offline(
        actor=officer, accreditation=accreditation, amount_pence=13700, paid_on=NOW.date(), reference="INV-2027-118"
    )
    html = body(paid_page(owner_client, accreditation))
    assert "You are accredited" in html


# --- leaving the checkout without paying ----------------------------------------------------------------------


def cancelled_page(client, accreditation, session_id=""):
    return client.get(reverse("fees:cancelled", kwargs={"pk": accreditation.pk}), {"session_id": session_id})


def test_cancelled_says_not_paid_and_offers_pay_now(owner_client, accreditation):
    """Back from the checkout without paying: "You have not paid", the fee, and "Pay now" again."""
    payment = open_checkout(accreditation)
    response = cancelled_page(owner_client, accreditation, payment.checkout_session_id)
    html = body(response)
    assert response.status_code == 200
    assert "You have not paid" in html and "£137.00" in html
    assert f'action="{reverse("fees:pay", kwargs={"pk": accreditation.pk})}"' in html
    assert "Other ways to pay" in html


def test_cancelled_after_a_refused_card_says_it_failed(owner_client, accreditation):
    """If the gateway refused the payment, the page says so rather than "you have not paid"."""
    payment = open_checkout(accreditation, status=PaymentStatus.FAILED)
    html = body(cancelled_page(owner_client, accreditation, payment.checkout_session_id))
    assert "Your payment did not go through" in html and ">Pay now<" in html


def test_cancelled_when_the_payment_arrived_after_all_goes_to_the_return_page(owner_client, accreditation):
    """A payment being confirmed is not "not paid": the return page for that checkout says where it stands."""
    payment = open_checkout(accreditation, status=PaymentStatus.PROCESSING)
    response = cancelled_page(owner_client, accreditation, payment.checkout_session_id)
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("fees:paid", kwargs={"pk": accreditation.pk}) + f"?session_id={payment.checkout_session_id}"
    )


def test_cancelled_when_already_accredited_goes_to_the_accreditation(owner_client, received):
    """Nothing is due any more: no "Pay now", the accreditation's page instead."""
    response = cancelled_page(owner_client, received.accreditation)
    assert response.status_code == 302
    assert response["Location"] == reverse("fees:accreditation", kwargs={"pk": received.accreditation_id})


# --- the receipt ---------------------------------------------------------------------------------------------


def test_the_receipt_downloads_as_a_pdf_with_safe_headers(owner_client, received):
    """A PDF attachment with a safe name, never sniffed, never cached by a shared cache."""
    response = owner_client.get(
        reverse("fees:receipt", kwargs={"pk": received.accreditation_id, "payment_pk": received.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="receipt-R-2027-00001.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")


def test_cancelled_without_naming_the_checkout_reads_the_newest_attempt(owner_client, accreditation):
    """Sent back without a session id after a refused payment: the newest attempt's failure is what is shown."""
    open_checkout(accreditation, status=PaymentStatus.FAILED)
    html = body(cancelled_page(owner_client, accreditation))
    assert "Your payment did not go through" in html and ">Pay now<" in html


# --- Pay now through the real checkout service and the test gateway --------------------------------------------


def test_pay_now_opens_a_test_gateway_checkout(owner_client, owner, accreditation, settings):
    """With no Stripe keys, "Pay now" opens the test gateway's page for one new pending payment of the fee."""
    settings.PAYMENT_GATEWAY = "test"
    response = owner_client.post(reverse("fees:pay", kwargs={"pk": accreditation.pk}))
    payment = Payment.objects.get()
    assert response.status_code == 303
    assert response["Location"] == reverse("payments:test_checkout", kwargs={"session_id": payment.checkout_session_id})
    assert payment.status == PaymentStatus.PENDING and payment.amount_due_pence == 13700
    assert payment.created_by == owner
    # A second press (a double click, a second tab) goes to the same checkout.
    again = owner_client.post(reverse("fees:pay", kwargs={"pk": accreditation.pk}))
    assert again["Location"] == response["Location"]
    assert Payment.objects.count() == 1


def test_pay_now_when_already_paid_says_no_fee_is_due(owner_client, received):
    """Paying an accreditation that is already active is refused with the service's words, nothing opened."""
    response = owner_client.post(reverse("fees:pay", kwargs={"pk": received.accreditation_id}), follow=True)
    assert response.status_code == 200
    assert "The fee for this accreditation has already been paid." in body(response)
    assert Payment.objects.count() == 1


# --- a received payment an officer is checking ---------------------------------------------------------------

CHECKING = "We have received a payment for this fee and an officer is checking it. You do not need to pay again."


@pytest.fixture
def flagged(accreditation):
    """£100 paid by card against the £137 fee: recorded, flagged for an officer, the accreditation still awaiting it."""
    return card_payment_received(
        accreditation,
        activate=False,
        amount_paid_pence=10000,
        needs_attention=True,
        attention_reason="Paid £100.00 but the fee due is £137.00.",
    )


def test_a_flagged_payment_means_no_fee_due(flagged, accreditation, owner):
    """fee_due is false while a received payment is flagged, whether read from the annotation or queried."""
    from accreditation.selectors.accreditations import accreditation_for_member, fee_being_checked, fee_due

    accreditation.refresh_from_db()
    assert accreditation.status == AccreditationStatus.AWAITING_FEE
    assert fee_being_checked(accreditation) and not fee_due(accreditation)
    annotated = accreditation_for_member(owner, accreditation.pk)
    assert annotated.fee_being_checked and not fee_due(annotated)


def test_the_accreditation_page_says_an_officer_is_checking(owner_client, flagged, accreditation):
    """The accreditation page shows the sentence instead of "Pay now"."""
    html = body(owner_client.get(reverse("fees:accreditation", kwargs={"pk": accreditation.pk})))
    assert CHECKING in html
    assert "Pay now" not in html


def test_the_dashboard_says_an_officer_is_checking(flagged, accreditation, organisation, owner):
    """The dashboard's accreditations section shows the sentence instead of "Pay now"."""
    from django.test import RequestFactory

    from accreditation.dashboard import accreditations_section
    from employers.models import Membership

    request = RequestFactory().get("/employer/")
    request.user = owner
    section = accreditations_section(request, Membership.objects.get(organisation=organisation, user=owner))
    assert CHECKING in section
    assert "Pay now" not in section


def test_pay_now_with_a_flagged_payment_is_refused(owner_client, flagged, accreditation):
    """Posting Pay now anyway is refused with the same words; nothing is opened."""
    response = owner_client.post(reverse("fees:pay", kwargs={"pk": accreditation.pk}), follow=True)
    assert CHECKING in body(response)
    assert Payment.objects.count() == 1
