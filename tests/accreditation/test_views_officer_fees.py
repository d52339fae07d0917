"""The officers' fee and payment pages (accreditation/views_officer_fees.py, issue 5 points 3, 5 and 6)."""

import csv
import datetime
import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accreditation.forms_officer_fees import PoundsField
from accreditation.models import (
    Accreditation,
    AccreditationStatus,
    FeeBand,
    Payment,
    PaymentEvent,
    PaymentEventStatus,
    PaymentMethod,
    PaymentStatus,
)
from accreditation.tables_fees import csv_safe
from tests.accreditation.fee_helpers import approved_accreditation
from tests.accreditation.helpers import submitted_application
from tests.accreditation.review_helpers import make_officer, recommend, take
from tests.accreditation.test_selectors_payments import accreditation_row, payment_row, payment_rows
from tests.conftest import give_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def fiona(db):
    officer = make_officer("Fiona Finance")
    give_totp(officer)
    return officer


@pytest.fixture
def awaiting(charter_edition, organisation, owner, member):
    """Golden Crust Bakery (14 employees), approved today through the real services: £137 due."""
    return approved_accreditation(organisation=organisation, actor=owner)


@pytest.fixture
def officer_page(client, fiona):
    client.force_login(fiona)
    return client


def page_url(accreditation, name="accreditation"):
    return reverse(f"officer:{name}", kwargs={"pk": accreditation.pk})


def messages_on(response):
    return [str(message) for message in response.context["messages"]]


def text(response) -> str:
    """The page's text without tags and with runs of white space made single, for reading what a person sees."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def record_data(*, amount="137.00", day=None, reference="INV-2027-0042"):
    day = day or timezone.localdate()
    return {
        "amount": amount,
        "paid_on_day": str(day.day),
        "paid_on_month": str(day.month),
        "paid_on_year": str(day.year),
        "reference": reference,
    }


def flagged_payment(accreditation):
    """A card payment of £100 against the £137 due, flagged by the gateway's handling."""
    return payment_row(
        accreditation, amount_paid_pence=100_00, needs_attention=True, attention_reason="Paid £100.00 but £137.00 due."
    )


# --- who may use the pages ------------------------------------------------------------------------------------


def fee_urls(accreditation, payment, event):
    return [
        page_url(accreditation),
        page_url(accreditation, "record_payment"),
        page_url(accreditation, "waive_fee"),
        reverse("officer:payments"),
        reverse("officer:payments") + "?_export=csv",
        reverse("officer:payment_accept", kwargs={"pk": payment.pk}),
        reverse("officer:payment_attention_clear", kwargs={"pk": payment.pk}),
        reverse("officer:payment_events"),
        reverse("officer:payment_event", kwargs={"pk": event.pk}),
        reverse("officer:payment_event_rerun", kwargs={"pk": event.pk}),
    ]


@pytest.fixture
def everything(awaiting):
    payment = flagged_payment(awaiting)
    event = PaymentEvent.objects.create(
        event_id="evt_1", gateway="stripe", event_type="checkout.session.completed", payload={}, status="failed"
    )
    return awaiting, payment, event


def test_an_employer_user_is_refused_every_fee_url(client, everything, owner):
    """The organisation's own user gets 403 from every officer fee page and action, and nothing changes."""
    client.force_login(owner)
    for url in fee_urls(*everything):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"reason": "x", "note": "x"}).status_code == 403, url
    accreditation, payment, _event = everything
    accreditation.refresh_from_db()
    payment.refresh_from_db()
    assert accreditation.status == AccreditationStatus.AWAITING_FEE and payment.needs_attention


def test_an_anonymous_visitor_is_sent_to_sign_in(client, everything):
    for url in fee_urls(*everything):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_an_officer_without_two_factor_is_sent_to_set_it_up(officer_without_2fa_client, everything):
    for url in fee_urls(*everything):
        response = officer_without_2fa_client.post(url)
        assert response.status_code == 302 and "/2fa/" in response["Location"], url


def test_the_actions_take_only_posts(officer_page, everything):
    """Recording, waiving, accepting, clearing and re-running are never done by a GET."""
    for url in fee_urls(*everything):
        if any(part in url for part in ("record-payment", "waive-fee", "accept", "clear-flag", "run-again")):
            assert officer_page.get(url).status_code == 405, url


def test_an_unknown_accreditation_payment_or_event_is_not_found(officer_page, db):
    assert officer_page.get(reverse("officer:accreditation", kwargs={"pk": 987654})).status_code == 404
    assert officer_page.post(reverse("officer:payment_accept", kwargs={"pk": 987654})).status_code == 404
    assert officer_page.get(reverse("officer:payment_event", kwargs={"pk": 987654})).status_code == 404


# --- the accreditation's page ----------------------------------------------------------------------------------


def test_the_accreditation_page_shows_the_fee_band_dates_and_forms(officer_page, awaiting):
    """Organisation, level, status, the fee due in pounds and its band, who approved it, and the two forms."""
    response = officer_page.get(page_url(awaiting))
    assert response.status_code == 200
    page = text(response)
    assert "Golden Crust Bakery Ltd" in page and "Champion" in page
    assert "Approved, awaiting fee" in page
    assert "Fee £137.00, due" in page
    assert "Fee band 11 to 50 employees (fees in force from 1 April 2024)" in page
    assert "by Alex Approver" in page
    assert "Not yet: for 12 months from the day the fee is paid or waived" in page
    assert "Record an offline payment" in page and "Waive the fee" in page
    assert "No payments yet." in page
    html = response.content.decode()
    assert '<div class="govuk-input__prefix" aria-hidden="true">£</div>' in html
    assert 'name="paid_on_day"' in html and 'name="paid_on_month"' in html and 'name="paid_on_year"' in html
    assert "In pounds. The fee due is £137.00." in page


def test_the_case_and_the_organisation_link_to_the_accreditation(officer_page, awaiting):
    """The approved case and the organisation's page both link to the accreditation's page."""
    link = f'href="{page_url(awaiting)}"'
    case = officer_page.get(reverse("officer:case", kwargs={"pk": awaiting.application_id}))
    assert link in case.content.decode() and "View the accreditation and its fee" in text(case)
    organisation = officer_page.get(reverse("officer:organisation", kwargs={"pk": awaiting.organisation_id}))
    assert link in organisation.content.decode()


def test_a_case_not_yet_approved_has_no_accreditation_link(officer_page, charter_edition, organisation, owner):
    application = submitted_application(organisation=organisation, actor=owner)
    page = officer_page.get(reverse("officer:case", kwargs={"pk": application.pk})).content.decode()
    assert "View the accreditation and its fee" not in page


# --- recording an offline payment -------------------------------------------------------------------------------


def test_an_officer_records_an_offline_payment(officer_page, awaiting, django_capture_on_commit_callbacks):
    """The payment is recorded, the accreditation is active, the page says so and shows the receipt number."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_page.post(page_url(awaiting, "record_payment"), record_data(amount="£137"))
    assert response.status_code == 302 and response["Location"] == page_url(awaiting)
    page = officer_page.get(response["Location"])
    assert messages_on(page) == [
        "Payment recorded. The accreditation is active and the organisation has been sent a receipt."
    ]
    shown = text(page)
    year = timezone.localdate().year
    assert "Active" in shown and f"R-{year}-00001" in shown and "INV-2027-0042" in shown
    assert "Invoice or bank transfer (recorded by Fiona Finance)" in shown
    assert "Offline payment recorded" in shown and "Record an offline payment" not in shown
    awaiting.refresh_from_db()
    assert awaiting.status == AccreditationStatus.ACTIVE
    assert any(f"receipt R-{year}-00001" in m.subject for m in mail.outbox)


@pytest.mark.parametrize(
    ("typed", "pence"),
    [("137", 137_00), ("137.00", 137_00), ("£137", 137_00), (" 137.5 ", 137_50), ("3,440.00", 3_440_00), ("0.99", 99)],
)
def test_amounts_are_read_in_pounds_and_pence(typed, pence):
    """The ways people write money all become pence."""
    assert PoundsField().clean(typed) == pence


@pytest.mark.parametrize("typed", ["abc", "137.555", "-137", "1e3", "£", "12345678", "13 7.0.0"])
def test_amounts_that_are_not_money_are_refused(typed):
    with pytest.raises(Exception, match="Enter the amount in pounds and pence, like 137 or 137.50"):
        PoundsField().clean(typed)


def test_a_wrong_amount_is_shown_on_the_page_and_nothing_is_recorded(officer_page, awaiting):
    """The error summary names the fee due and links to the amount; what was typed is kept."""
    response = officer_page.post(page_url(awaiting, "record_payment"), record_data(amount="100"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error:" in html
    assert '<a href="#id_amount">The amount paid must be the fee due, £137.00</a>' in html
    assert 'name="amount" value="100"' in html and 'value="INV-2027-0042"' in html
    assert not Payment.objects.exists()
    awaiting.refresh_from_db()
    assert awaiting.status == AccreditationStatus.AWAITING_FEE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": ""}, "Enter the amount paid"),
        ({"amount": "lots"}, "Enter the amount in pounds and pence, like 137 or 137.50"),
        ({"paid_on_day": "31", "paid_on_month": "2"}, "Date paid must be a real date"),
        ({"paid_on_month": ""}, "Date paid must include a month"),
        ({"paid_on_day": "", "paid_on_month": "", "paid_on_year": ""}, "Enter the date the payment was received"),
        ({"reference": ""}, "Enter the payment&#x27;s reference"),
        ({"reference": "<script>x</script>"}, "Enter text without HTML tags or scripts"),
        ({"reference": "R" * 101}, "The reference must be 100 characters or fewer"),
    ],
)
def test_form_errors_are_shown_with_an_error_summary(officer_page, awaiting, data, message):
    """Each bad field is named in the error summary and beside the field; nothing is recorded."""
    response = officer_page.post(page_url(awaiting, "record_payment"), record_data() | data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html and message in html
    assert not Payment.objects.exists()


def test_a_date_before_the_approval_is_refused_on_the_page(officer_page, awaiting):
    response = officer_page.post(
        page_url(awaiting, "record_payment"), record_data(day=timezone.localdate() - datetime.timedelta(days=3))
    )
    assert response.status_code == 200
    assert "when the accreditation was approved" in text(response)


def test_a_payment_for_an_active_accreditation_is_refused_with_a_message(officer_page, awaiting):
    """Recorded twice (two tabs): the second is refused with a plain message and nothing changes."""
    officer_page.post(page_url(awaiting, "record_payment"), record_data(), follow=True)
    response = officer_page.post(page_url(awaiting, "record_payment"), record_data(reference="INV-2"), follow=True)
    assert messages_on(response) == ["No fee is due: this accreditation is already active."]
    assert Payment.objects.count() == 1


# --- waiving the fee -------------------------------------------------------------------------------------------


def test_an_officer_waives_the_fee(officer_page, awaiting):
    """The accreditation is active, the page and the organisation's page say the fee was waived, and why."""
    response = officer_page.post(
        page_url(awaiting, "waive_fee"), {"reason": "Hardship after the flood & fire."}, follow=True
    )
    assert messages_on(response) == ["Fee waived. The accreditation is active."]
    page = text(response)
    assert "Fee waived" in page and "Fee £137.00, waived" in page
    assert "Hardship after the flood &amp; fire." in response.content.decode()
    assert "A waived fee cannot be offset against business rates." in page
    organisation = officer_page.get(reverse("officer:organisation", kwargs={"pk": awaiting.organisation_id}))
    assert "Active (fee waived)" in text(organisation)
    assert not Payment.objects.exists()


def test_a_waiver_without_a_reason_is_refused_on_the_page(officer_page, awaiting):
    response = officer_page.post(page_url(awaiting, "waive_fee"), {"reason": "  "})
    assert response.status_code == 200
    assert '<a href="#id_reason">Give the reason for waiving the fee</a>' in response.content.decode()
    awaiting.refresh_from_db()
    assert not awaiting.fee_waived


# --- flagged payments ------------------------------------------------------------------------------------------


def test_a_flagged_payment_is_shown_with_its_reason_escaped_and_both_forms(officer_page, awaiting):
    """The reason (which may quote what a payer sent) is shown as text, with "accept" and "clear" forms."""
    payment = payment_row(
        awaiting,
        amount_paid_pence=100_00,
        needs_attention=True,
        attention_reason='Paid £100.00 but the fee due is £137.00. Note: <script>alert("x")</script>',
    )
    response = officer_page.get(page_url(awaiting))
    html = response.content.decode()
    assert "Payments needing attention" in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html and '<script>alert("x")' not in html
    assert reverse("officer:payment_accept", kwargs={"pk": payment.pk}) in html
    assert reverse("officer:payment_attention_clear", kwargs={"pk": payment.pk}) in html
    assert "Accept this payment and activate" in html and "Clear the flag" in html


def test_an_officer_accepts_a_flagged_payment(officer_page, awaiting):
    payment = flagged_payment(awaiting)
    url = reverse("officer:payment_accept", kwargs={"pk": payment.pk})
    response = officer_page.post(url, {f"accept-{payment.pk}-note": "Discount agreed by phone."}, follow=True)
    assert messages_on(response) == ["Payment accepted as the fee. The accreditation is active."]
    awaiting.refresh_from_db()
    payment.refresh_from_db()
    assert awaiting.status == AccreditationStatus.ACTIVE and not payment.needs_attention
    assert "Flagged payment accepted as the fee" in text(response)


def test_accepting_without_a_note_is_refused_on_the_page(officer_page, awaiting):
    payment = flagged_payment(awaiting)
    response = officer_page.post(reverse("officer:payment_accept", kwargs={"pk": payment.pk}), {})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="#id_accept-{payment.pk}-note">Enter a note saying what was decided about this payment</a>' in html
    payment.refresh_from_db()
    assert payment.needs_attention


def test_a_payment_for_an_active_accreditation_offers_only_clearing(officer_page, awaiting):
    """Once active, the page offers no "accept"; a forged POST is refused with a message."""
    payment = flagged_payment(awaiting)
    Accreditation.objects.filter(pk=awaiting.pk).update(status=AccreditationStatus.ACTIVE)
    page = officer_page.get(page_url(awaiting)).content.decode()
    assert "Accept this payment and activate" not in page and "Clear the flag" in page
    response = officer_page.post(
        reverse("officer:payment_accept", kwargs={"pk": payment.pk}), {f"accept-{payment.pk}-note": "Yes."}, follow=True
    )
    assert "Clear the flag instead" in messages_on(response)[0]


def test_an_officer_clears_a_flag(officer_page, awaiting):
    payment = flagged_payment(awaiting)
    url = reverse("officer:payment_attention_clear", kwargs={"pk": payment.pk})
    response = officer_page.post(url, {f"clear-{payment.pk}-note": "Refunded by hand."}, follow=True)
    assert messages_on(response) == ["The payment's flag has been cleared."]
    assert "Payments needing attention" not in text(response)
    assert "Refunded by hand." in text(response)
    awaiting.refresh_from_db()
    assert awaiting.status == AccreditationStatus.AWAITING_FEE


def test_while_a_card_payment_is_confirmed_the_forms_are_replaced_by_a_warning(officer_page, awaiting):
    payment_row(awaiting, status=PaymentStatus.PROCESSING)
    page = text(officer_page.get(page_url(awaiting)))
    assert "A card payment for this fee is being confirmed" in page and "Record an offline payment" not in page


# --- approval without a fee band --------------------------------------------------------------------------------


def test_approving_with_no_fee_band_shows_why_on_the_case(client, charter_edition, organisation, owner):
    """The second officer is told no band covers the organisation; the case stays recommended."""
    olive, oscar = make_officer("Olive Officer"), make_officer("Oscar Second")
    give_totp(oscar)
    application = submitted_application(organisation=organisation, actor=owner)
    take(application, olive)
    recommend(application, olive)
    FeeBand.objects.all().delete()
    client.force_login(oscar)
    url = reverse("officer:case_approve", kwargs={"pk": application.pk})
    response = client.post(url, {"note": ""}, follow=True)
    assert response.status_code == 200
    [message] = messages_on(response)
    assert message.startswith("No fee band covers a company with 14 employees on ")
    assert "The scheme administrator must add one" in message
    assert not Accreditation.objects.exists()


# --- the payments table ----------------------------------------------------------------------------------------


@pytest.fixture
def table_rows(charter_edition):
    approver = make_officer("Alex Approver")
    card = accreditation_row(charter_edition, name="Card Ltd", approver=approver)
    offline = accreditation_row(charter_edition, name="Offline Ltd", approver=approver)
    flagged = accreditation_row(charter_edition, name="Flagged Ltd", approver=approver)
    return {
        "card": payment_row(card, paid_at=timezone.make_aware(datetime.datetime(2027, 3, 1, 9, 30))),
        "offline": payment_row(
            offline,
            method=PaymentMethod.OFFLINE,
            reference="+44 1603 212121",
            paid_at=timezone.make_aware(datetime.datetime(2027, 4, 1, 12)),
        ),
        "flagged": payment_row(
            flagged,
            amount_paid_pence=100_00,
            needs_attention=True,
            attention_reason="=1+1 paid short",
            paid_at=timezone.make_aware(datetime.datetime(2027, 4, 5, 12)),
        ),
    }


def test_the_payments_table_shows_each_payment(officer_page, table_rows):
    """Organisation, a link to the accreditation, amounts in pounds, method, status, receipt, when paid, flag."""
    response = officer_page.get(reverse("officer:payments"))
    assert response.status_code == 200
    page = text(response)
    assert "Payments (3)" in page
    assert "Card Ltd" in page and "Offline Ltd" in page and "Flagged Ltd" in page
    assert "£137.00" in page and "£100.00" in page
    assert "Card (Stripe)" in page and "Invoice or bank transfer" in page
    assert "1 Mar 2027 09:30" in page and "Needs attention" in page
    html = response.content.decode()
    assert f'href="{page_url(table_rows["card"].accreditation)}"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"method": "offline"}, ["Offline Ltd"]),
        ({"needs_attention": "on"}, ["Flagged Ltd"]),
        (
            {
                "method": "offline",
                "status": "paid",
                "paid_from_day": "1",
                "paid_from_month": "4",
                "paid_from_year": "2027",
            },
            ["Offline Ltd"],
        ),
        ({"paid_from_day": "1", "paid_from_month": "apr", "paid_from_year": "2027"}, ["Flagged Ltd", "Offline Ltd"]),
        ({"paid_to_day": "31", "paid_to_month": "March", "paid_to_year": "2027"}, ["Card Ltd"]),
        ({"status": "failed"}, []),
    ],
)
def test_the_payments_table_is_filtered(officer_page, table_rows, query, expected):
    """Status, method, flag and the dates paid between (month names work too) narrow the table."""
    table = officer_page.get(reverse("officer:payments"), query).context["table"]
    assert [row.record.accreditation.organisation.legal_name for row in table.paginated_rows] == expected


def test_a_bad_date_in_the_filter_is_explained(officer_page, table_rows):
    response = officer_page.get(
        reverse("officer:payments"), {"paid_from_day": "30", "paid_from_month": "2", "paid_from_year": "2027"}
    )
    html = response.content.decode()
    assert "<title>Error:" in html and "Paid on or after must be a real date" in html
    assert "No payments match these filters." in html


def test_a_date_range_that_ends_before_it_starts_is_explained(officer_page, table_rows):
    """Paid on or before earlier than paid on or after: an error on the page, not a silently empty table."""
    response = officer_page.get(
        reverse("officer:payments"),
        {
            "paid_from_day": "1",
            "paid_from_month": "4",
            "paid_from_year": "2027",
            "paid_to_day": "31",
            "paid_to_month": "3",
            "paid_to_year": "2027",
        },
    )
    html = response.content.decode()
    assert "<title>Error:" in html
    assert "Paid on or before must be the same as or after paid on or after" in html
    assert 'href="#id_paid_to"' in html and 'id="id_paid_to"' in html, "the error summary links to the field"


def test_the_payments_table_sorts_by_organisation(officer_page, table_rows):
    table = officer_page.get(reverse("officer:payments"), {"sort": "organisation"}).context["table"]
    assert [row.record.accreditation.organisation.legal_name for row in table.paginated_rows] == [
        "Card Ltd",
        "Flagged Ltd",
        "Offline Ltd",
    ]
    table = officer_page.get(reverse("officer:payments"), {"sort": "-organisation"}).context["table"]
    assert table.paginated_rows[0].record.accreditation.organisation.legal_name == "Offline Ltd"


def test_the_payments_table_is_paginated(officer_page, charter_edition):
    payment_rows(30, charter_edition)
    first = officer_page.get(reverse("officer:payments"))
    assert len(first.context["table"].page.object_list) == 25
    assert 'aria-label="Pages of payments"' in first.content.decode()
    assert len(officer_page.get(reverse("officer:payments"), {"page": 2}).context["table"].page.object_list) == 5


@pytest.mark.parametrize("rows", [5, 40])
def test_the_payments_table_query_count_does_not_grow_with_rows(
    officer_page, charter_edition, rows, django_assert_max_num_queries
):
    """Five rows or forty (25 shown), the page runs the same bounded number of queries."""
    payment_rows(rows, charter_edition)
    officer_page.get(reverse("officer:payments"))  # warm the session
    with django_assert_max_num_queries(8):
        assert officer_page.get(reverse("officer:payments")).status_code == 200


def csv_rows(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_the_payments_download_as_csv(officer_page, table_rows):
    """Every payment (all pages), with the amounts as plain numbers and the fields the page does not show."""
    response = officer_page.get(reverse("officer:payments"), {"_export": "csv"})
    assert response.status_code == 200
    assert re.match(r'attachment; filename="?payments-\d{4}-\d{2}-\d{2}\.csv"?', response["Content-Disposition"])
    header, *rows = csv_rows(response)
    assert header == [
        "Organisation",
        "Accreditation",
        "Fee due",
        "Paid",
        "Refunded",
        "Method",
        "Status",
        "Receipt",
        "Paid at",
        "Flag",
        "Currency",
        "Reference",
        "Why flagged",
    ]
    by_name = {row[0]: row for row in rows}
    card = table_rows["card"]
    assert by_name["Card Ltd"] == [
        "Card Ltd",
        str(card.accreditation_id),
        "137.00",
        "137.00",
        "0.00",
        "Card (Stripe)",
        "Paid",
        card.receipt_number,
        "2027-03-01 09:30",
        "",
        "GBP",
        "",
        "",
    ]
    assert by_name["Flagged Ltd"][3] == "100.00" and by_name["Flagged Ltd"][9] == "Needs attention"


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(officer_page, charter_edition, table_rows):
    """A name, reference or reason starting with = + - @ is written with a leading apostrophe."""
    accreditation_row(charter_edition, name='=HYPERLINK("http://evil.example","Click")')
    Payment.objects.filter(pk=table_rows["card"].pk).update(reference="@SUM(A1:A9)")
    payment_row(Accreditation.objects.get(organisation__legal_name__startswith="=HYPER"), reference="-2+3")
    _header, *rows = csv_rows(officer_page.get(reverse("officer:payments"), {"_export": "csv"}))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil.example","Click")' in cells
    assert "'@SUM(A1:A9)" in cells and "'-2+3" in cells and "'+44 1603 212121" in cells and "'=1+1 paid short" in cells
    assert not any(cell[:1] in ("=", "+", "-", "@") for cell in cells)


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("ok", "ok")],
)
def test_csv_safe(value, safe):
    """Formula starts (and tab and carriage return) get an apostrophe; other text and numbers are unchanged."""
    assert csv_safe(value) == safe
    assert csv_safe(12) == 12


def test_the_csv_keeps_the_filters(officer_page, table_rows):
    _header, *rows = csv_rows(officer_page.get(reverse("officer:payments"), {"_export": "csv", "method": "offline"}))
    assert [row[0] for row in rows] == ["Offline Ltd"]


def test_only_csv_is_exported(officer_page, table_rows):
    """Other export formats are not offered: the page is shown instead."""
    response = officer_page.get(reverse("officer:payments"), {"_export": "json"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


def test_the_payments_page_links_to_the_csv_with_its_filters(officer_page, table_rows):
    html = officer_page.get(reverse("officer:payments"), {"method": "card", "page": "1"}).content.decode()
    assert 'href="?method=card&amp;_export=csv"' in html


# --- the event log ---------------------------------------------------------------------------------------------


def stripe_event(event_id, *, accreditation_id, status=PaymentEventStatus.FAILED, amount=137_00, error=""):
    """A stored checkout.session.completed event (as the gateway engineer's webhook stores it) that failed."""
    payload = {
        "id": event_id,
        "type": "checkout.session.completed",
        "created": 1_800_000_000,
        "livemode": False,
        "data": {
            "object": {
                "id": f"cs_test_{event_id}",
                "object": "checkout.session",
                "amount_total": amount,
                "currency": "gbp",
                "payment_status": "paid",
                "payment_intent": f"pi_{event_id}",
                "client_reference_id": f"accreditation-{accreditation_id}",
                "metadata": {"accreditation_id": str(accreditation_id)},
                "customer_details": {"email": "bea@goldencrust.example", "name": "<b>Bea</b>"},
            }
        },
    }
    return PaymentEvent.objects.create(
        event_id=event_id,
        gateway="stripe",
        event_type="checkout.session.completed",
        payload=payload,
        status=status,
        attempts=1,
        error=error,
    )


def test_the_event_log_lists_and_filters_events(officer_page, awaiting):
    stripe_event("evt_failed", accreditation_id=awaiting.pk, error="Traceback: boom")
    stripe_event("evt_done", accreditation_id=awaiting.pk, status=PaymentEventStatus.PROCESSED)
    response = officer_page.get(reverse("officer:payment_events"))
    page = text(response)
    assert "Payment events (2)" in page and "checkout.session.completed" in page and "Traceback: boom" in page
    failed = officer_page.get(reverse("officer:payment_events"), {"status": "failed"}).context["table"]
    assert [row.record.event_id for row in failed.paginated_rows] == ["evt_failed"]
    by_type = officer_page.get(reverse("officer:payment_events"), {"event_type": "checkout.session.completed"})
    assert len(by_type.context["table"].paginated_rows) == 2


def test_an_events_page_shows_its_payload_escaped_and_its_error(officer_page, awaiting):
    event = stripe_event("evt_failed", accreditation_id=awaiting.pk, error="PaymentEventError: <b>no</b>")
    response = officer_page.get(reverse("officer:payment_event", kwargs={"pk": event.pk}))
    html = response.content.decode()
    assert "&quot;customer_details&quot;: {" in html  # pretty-printed, keys sorted, two-space indents
    assert "&lt;b&gt;Bea&lt;/b&gt;" in html and "<b>Bea</b>" not in html
    assert "PaymentEventError: &lt;b&gt;no&lt;/b&gt;" in html
    assert "Run this event again" in html


def test_a_processed_event_offers_no_rerun(officer_page, awaiting):
    event = stripe_event("evt_done", accreditation_id=awaiting.pk, status=PaymentEventStatus.PROCESSED)
    assert (
        "Run this event again"
        not in officer_page.get(reverse("officer:payment_event", kwargs={"pk": event.pk})).content.decode()
    )
    response = officer_page.post(reverse("officer:payment_event_rerun", kwargs={"pk": event.pk}), follow=True)
    assert messages_on(response) == ["Only an event that failed can be run again: this one is processed."]


def test_an_officer_runs_a_failed_event_again_and_the_fee_is_paid(officer_page, awaiting):
    """The gateway's service processes it this time: the payment is recorded and the accreditation is active."""
    event = stripe_event("evt_retry", accreditation_id=awaiting.pk, error="OperationalError: database was busy")
    response = officer_page.post(reverse("officer:payment_event_rerun", kwargs={"pk": event.pk}), follow=True)
    assert messages_on(response) == ["The event was run again: processed."]
    event.refresh_from_db()
    assert event.status == PaymentEventStatus.PROCESSED and event.attempts == 2
    awaiting.refresh_from_db()
    assert awaiting.status == AccreditationStatus.ACTIVE
    assert Payment.objects.get().status == PaymentStatus.PAID


def test_a_rerun_emails_absolute_links(officer_page, awaiting, settings, django_capture_on_commit_callbacks):
    """With no SITE_URL, the receipt sent after an officer's re-run links to the address the officer used."""
    settings.SITE_URL = ""
    event = stripe_event("evt_links", accreditation_id=awaiting.pk, error="OperationalError: database was busy")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        officer_page.post(reverse("officer:payment_event_rerun", kwargs={"pk": event.pk}))
    receipts = [message for message in mail.outbox if "receipt" in message.subject]
    assert receipts
    assert f"http://testserver/employer/accreditations/{awaiting.pk}/" in receipts[0].body


def test_an_event_that_fails_again_says_why(officer_page, awaiting):
    event = stripe_event("evt_bad", accreditation_id=987654, error="first failure")
    response = officer_page.post(reverse("officer:payment_event_rerun", kwargs={"pk": event.pk}), follow=True)
    [message] = messages_on(response)
    assert message.startswith("The event was run again and failed again: ") and "987654" in message
    event.refresh_from_db()
    assert event.status == PaymentEventStatus.FAILED and event.attempts == 2


# --- links and the dashboard -------------------------------------------------------------------------------------


def test_the_officers_home_links_to_the_payments(officer_page):
    assert f'href="{reverse("officer:payments")}"' in officer_page.get(reverse("officer:home")).content.decode()


def test_the_dashboard_counts_payments_needing_attention(officer_page, awaiting):
    """The figure links to the payments table filtered to flagged payments."""
    dashboard = reverse("officer:dashboard")
    assert "Payments needing attention 0" in text(officer_page.get(dashboard))
    flagged_payment(awaiting)
    html = officer_page.get(dashboard).content.decode()
    assert f'href="{reverse("officer:payments")}?needs_attention=on"' in html
    assert re.search(r'id="payments-needing-attention">.*?>1<', html, re.S)


def test_every_problem_with_an_offline_payment_is_listed_at_once(officer_page, awaiting):
    """A wrong amount is reported together with a bad date and a missing reference, not one at a time."""
    response = officer_page.post(
        page_url(awaiting, "record_payment"),
        record_data(amount="100", reference="") | {"paid_on_day": "31", "paid_on_month": "2"},
    )
    html = response.content.decode()
    assert '<a href="#id_amount">The amount paid must be the fee due, £137.00</a>' in html
    assert "Date paid must be a real date" in html and "Enter the payment&#x27;s reference" in html
