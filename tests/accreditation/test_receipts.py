"""accreditation.receipts: what the PDF receipt says, that typed text is printed as typed, and its metadata."""

import datetime
import io

import pytest
import time_machine
from django.utils import timezone
from pypdf import PdfReader

from accreditation.models import Payment, PaymentMethod, PaymentStatus
from accreditation.receipts import receipt_filename, receipt_pdf
from accreditation.services.fees import payment_record_offline
from tests.accreditation.fee_helpers import awaiting_fee, card_payment_received
from tests.accreditation.review_helpers import make_officer

NOW = timezone.make_aware(datetime.datetime(2027, 3, 3, 10, 42))


@pytest.fixture(autouse=True)
def now():
    """The tests run on 3 March 2027 at 10:42 (the clock moves on from there)."""
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def accreditation(charter_edition, organisation, owner):
    organisation.address_line_1 = "12 Elm Hill"
    organisation.address_line_2 = "Tombland"
    organisation.town = "Norwich"
    organisation.postcode = "NR3 1HN"
    organisation.save()
    return awaiting_fee(organisation, owner)


def read(pdf: bytes) -> tuple[PdfReader, str]:
    """The PDF opened, and its text with the lines joined by single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return reader, text


def test_a_card_receipt_says_who_paid_what_for_what(accreditation, settings):
    """Council and contact details, "Receipt", number, date, payer and address, what for, amount, method, gateway id."""
    settings.COUNCIL_NAME = "Norwich City Council"
    settings.SERVICE_EMAIL = "employerscharter@norwich.gov.uk"
    settings.SERVICE_PHONE = "0344 980 3333"
    payment = card_payment_received(accreditation)
    reader, text = read(receipt_pdf(payment))
    assert len(reader.pages) == 1
    for words in [
        "Norwich City Council",
        settings.COUNCIL_ADDRESS,
        "employerscharter@norwich.gov.uk",
        "0344 980 3333",
        "Receipt",
        "Receipt number R-2027-00001",
        "Date paid 3 March 2027",
        "Golden Crust Bakery Ltd",
        "12 Elm Hill",
        "Tombland",
        "NR3 1HN",
        f"Accreditation fee: {accreditation.application.edition.name}",
        f"Level {accreditation.level_name}",
        "Accreditation year 3 March 2027 to 2 March 2028",
        f"Application reference {accreditation.application.reference}",
        "Fee band 11 to 50 employees",
        "Amount paid £137.00",
        "Paid by Card (Stripe)",
        "Payment reference pi_3Pq8Example",
    ]:
        assert words in text, f"{words!r} not in the receipt:\n{text}"
    assert "Refunded" not in text and "Test payment" not in text


def test_an_offline_receipt_gives_the_payers_reference(accreditation):
    """A payment an officer recorded: "Invoice or bank transfer" and the reference it was paid with."""
    payment = payment_record_offline(
        actor=make_officer("Otto Offline"),
        accreditation=accreditation,
        amount_pence=13700,
        paid_on=datetime.date(2027, 3, 3),
        reference="BACS GOLDEN CRUST 0301",
    )
    _, text = read(receipt_pdf(payment))
    assert "Paid by Invoice or bank transfer" in text
    assert "Your reference BACS GOLDEN CRUST 0301" in text
    assert "Date paid 3 March 2027" in text
    assert "Payment reference" not in text


def test_typed_mark_up_is_printed_as_typed(accreditation, organisation):
    """An organisation called `Crumbs & <b>Co</b>` appears literally: never bold, never a broken PDF."""
    organisation.legal_name = "Crumbs & <b>Co</b>"
    organisation.trading_name = "<font size=40>Crumbs</font>"
    organisation.address_line_1 = "1 <i>Market</i> Place & Co"
    organisation.save()
    payment = card_payment_received(accreditation)
    _, text = read(receipt_pdf(payment))
    assert "Crumbs & <b>Co</b> (trading as <font size=40>Crumbs</font>)" in text
    assert "1 <i>Market</i> Place & Co" in text


def test_refunds_are_on_the_receipt(accreditation):
    """A payment partly refunded says how much was refunded and how much the council kept."""
    payment = card_payment_received(accreditation)
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.PARTIALLY_REFUNDED, refunded_pence=3700)
    payment.refresh_from_db()
    _, text = read(receipt_pdf(payment))
    assert "Amount paid £137.00" in text
    assert "Refunded £37.00" in text and "Amount kept £100.00" in text


def test_a_test_payment_receipt_says_no_money_was_taken(accreditation):
    """Receipts for the test gateway's payments say plainly that they are not real."""
    payment = card_payment_received(accreditation, method=PaymentMethod.TEST)
    _, text = read(receipt_pdf(payment))
    assert "Test payment: no money was taken. This receipt is not valid." in text


def test_another_currency_is_shown_as_reported(accreditation):
    """An amount in a currency other than pounds (flagged to officers) is not dressed up as pounds."""
    payment = card_payment_received(accreditation, activate=False)
    Payment.objects.filter(pk=payment.pk).update(currency="eur", amount_paid_pence=16000)
    payment.refresh_from_db()
    _, text = read(receipt_pdf(payment))
    assert "Amount paid 160.00 EUR" in text and "£160" not in text


def test_the_receipt_is_a4_with_its_metadata(accreditation, settings):
    """A4, with a title, author, subject and language for assistive technology and document stores."""
    payment = card_payment_received(accreditation)
    pdf = receipt_pdf(payment)
    reader, _ = read(pdf)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    metadata = reader.metadata
    assert metadata.title == "Receipt R-2027-00001"
    assert metadata.author == settings.COUNCIL_NAME
    assert metadata.subject == f"{settings.SERVICE_NAME}: accreditation fee receipt"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


@pytest.mark.parametrize(
    ("number", "name"),
    [
        ("R-2027-00001", "receipt-R-2027-00001.pdf"),
        ('R-2027-0"1;\r\nX-Evil: 1', "receipt-R-2027-01X-Evil1.pdf"),
    ],
)
def test_the_download_name_is_safe(number, name):
    """Only letters, digits and hyphens from the receipt number reach the file name."""
    assert receipt_filename(Payment(pk=7, receipt_number=number)) == name
