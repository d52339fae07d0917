"""Emails about fees: the receipt when a payment arrives, and "you are accredited" when the accreditation starts."""

from django.conf import settings
from django.tasks import task

from ..models import RECEIVED_PAYMENT_STATUSES, Accreditation, AccreditationStatus, Payment
from ..money import money
from ._common import _one_line, _send, organisation_recipients


def _fee_context(accreditation: Accreditation, link: str) -> dict:
    application = accreditation.application
    return {
        "accreditation": accreditation,
        "reference": application.reference,
        "organisation_name": _one_line(accreditation.organisation.display_name),
        "level_name": accreditation.level_name,
        "link": link,
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
        "service_email": settings.SERVICE_EMAIL,
        "service_phone": settings.SERVICE_PHONE,
    }


@task
def send_payment_receipt_email(*, payment_id: int, link: str) -> None:
    """Send every user of the organisation a receipt for a payment the council has received."""
    payment = (
        Payment.objects.select_related("accreditation__organisation", "accreditation__application")
        .filter(pk=payment_id)
        .first()
    )
    if payment is None or payment.status not in RECEIVED_PAYMENT_STATUSES or payment.paid_at is None:
        return
    accreditation = payment.accreditation
    context = _fee_context(accreditation, link) | {
        "payment": payment,
        "amount": money(payment.amount_paid_pence, payment.currency),
        "test_payment": payment.method == "test",
        "receipt_number": payment.receipt_number or "",
        "paid_at": payment.paid_at,
        "method": payment.get_method_display(),
        "payment_reference": _one_line(payment.reference),
    }
    subject = f"{settings.SERVICE_NAME}: receipt {payment.receipt_number or ''} for your accreditation fee"
    _send(subject, "payment_receipt", context, organisation_recipients(accreditation.organisation_id))


@task
def send_accredited_email(*, accreditation_id: int, link: str) -> None:
    """Tell every user of the organisation that it is now accredited: level, dates, what it can do now."""
    accreditation = (
        Accreditation.objects.select_related("organisation", "application").filter(pk=accreditation_id).first()
    )
    if accreditation is None or accreditation.status != AccreditationStatus.ACTIVE or accreditation.valid_from is None:
        return
    context = _fee_context(accreditation, link) | {
        "valid_from": accreditation.valid_from,
        "valid_until": accreditation.valid_until,
        "fee_waived": accreditation.fee_waived,
    }
    subject = f"{settings.SERVICE_NAME}: {context['organisation_name']} is now accredited"
    _send(subject, "accredited", context, organisation_recipients(accreditation.organisation_id))
