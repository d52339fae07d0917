"""accreditation.tasks.fees: the payment receipt email and the money format."""

import datetime

import pytest
from django.core import mail

from accreditation.models import Accreditation, Payment, PaymentMethod, PaymentStatus
from accreditation.money import pounds
from accreditation.tasks.fees import send_payment_receipt_email
from tests.accreditation.fee_helpers import approved_accreditation
from tests.factories import OrganisationFactory, OwnerMembershipFactory

LINK = "https://charter.example.gov.uk/employer/accreditations/3/"
PAID_AT = datetime.datetime(2027, 2, 1, 9, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("pence", "text"), [(0, "£0.00"), (5, "£0.05"), (6900, "£69.00"), (13750, "£137.50"), (344000, "£3,440.00")]
)
def test_pence_are_written_as_pounds(pence, text):
    """Integer pence become pounds with two decimals and thousands separators, only at the edge."""
    assert pounds(pence) == text


@pytest.fixture
def accreditation(charter_edition, organisation, owner, member):
    return approved_accreditation(organisation=organisation, actor=owner)


def _payment(accreditation, **fields) -> Payment:
    values = {
        "method": PaymentMethod.OFFLINE,
        "status": PaymentStatus.PAID,
        "amount_due_pence": 13700,
        "amount_paid_pence": 13700,
        "paid_at": PAID_AT,
        "receipt_number": "R-2027-00001",
        "reference": "INV-4471 <b>BACS</b>",
    }
    return Payment.objects.create(accreditation=accreditation, **(values | fields))


@pytest.mark.django_db
def test_the_receipt_goes_to_every_user_with_the_amount_and_number(accreditation):
    """One receipt per person: amount, receipt number, date, method, the payer's reference, the link."""
    payment = _payment(accreditation)
    mail.outbox.clear()
    send_payment_receipt_email.call(payment_id=payment.pk, link=LINK)
    assert sorted(m.to[0] for m in mail.outbox) == ["bea@goldencrust.example", "sam@goldencrust.example"]
    message = mail.outbox[0]
    assert message.subject == "Fine City Employers Charter: receipt R-2027-00001 for your accreditation fee"
    body = message.body
    assert (
        "we have received £137.00 for Golden Crust Bakery Ltd's Fine City Employers Charter accreditation fee" in body
    )
    assert "Receipt number: R-2027-00001" in body and "Paid: 1 February 2027" in body
    assert "Paid by: Invoice or bank transfer" in body
    assert "Your reference: INV-4471 <b>BACS</b>" in body
    assert LINK in body
    [(html, _)] = message.alternatives
    assert "INV-4471 &lt;b&gt;BACS&lt;/b&gt;" in html and "<b>BACS</b>" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("status", [PaymentStatus.PENDING, PaymentStatus.FAILED, PaymentStatus.EXPIRED])
def test_no_receipt_for_money_not_received(accreditation, status):
    """A payment that has not arrived gets no receipt."""
    payment = _payment(accreditation, status=status, paid_at=None, receipt_number=None)
    mail.outbox.clear()
    send_payment_receipt_email.call(payment_id=payment.pk, link=LINK)
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_receipt_goes_only_to_the_paying_organisation(accreditation):
    """Users of another organisation never get it."""
    other = OrganisationFactory(legal_name="Other Bakery Ltd")
    OwnerMembershipFactory(organisation=other)
    payment = _payment(accreditation)
    mail.outbox.clear()
    send_payment_receipt_email.call(payment_id=payment.pk, link=LINK)
    assert {m.to[0] for m in mail.outbox} == {"bea@goldencrust.example", "sam@goldencrust.example"}
    assert Accreditation.objects.count() == 1
