"""The employer's accreditation and its fee under /employer/accreditations/ (issue 5 points 2 and 6).

Every page looks the accreditation up through the signed-in person's memberships (404 otherwise) and
refuses council officers, like the rest of /employer/. Nothing here marks a fee paid: only a verified
gateway event does (PRODUCT.md section 4). The page the payer returns to reads what the webhook has
recorded, and offers to check again until it has.
"""

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_GET, require_POST

from employers.views import employer_required

from .exceptions import AccreditationError
from .models import RECEIVED_PAYMENT_STATUSES, AccreditationStatus, PaymentStatus
from .money import money, pounds
from .receipts import receipt_filename, receipt_pdf
from .selectors.accreditations import (
    UNSUCCESSFUL_PAYMENT_STATUSES,
    accreditation_for_member,
    accreditation_payments,
    accreditation_tag,
    checkout_payment,
    fee_due,
    latest_payment,
    latest_received_payment,
    payment_is_received,
    payment_tag,
    receipt_payment_for_member,
)
from .services.payments import payment_checkout_start

# After this many checks by hand, the "confirming" page says what to do if the payment never shows.
PATIENT_CHECKS = 3
# `?checks=` is only a counter for the page's wording: anything else is read as 0.
_MAX_CHECKS_DIGITS = 3


def _payment_rows(payments) -> list[dict]:
    return [
        {
            "payment": payment,
            "tag": payment_tag(payment),
            "amount": money(
                payment.amount_paid_pence if payment.amount_paid_pence is not None else payment.amount_due_pence,
                payment.currency,
            ),
            "refunded": money(payment.refunded_pence, payment.currency) if payment.refunded_pence else "",
            "received": payment_is_received(payment),
            "date": payment.paid_at or payment.created_at,
        }
        for payment in payments
    ]


@require_GET
@employer_required
def accreditation(request, pk):
    """One accreditation: its level and status, the fee due with "Pay now", and the payments made."""
    accreditation = accreditation_for_member(request.user, pk)
    payments = accreditation_payments(accreditation)
    confirming = next((p for p in payments if p.status == PaymentStatus.PROCESSING), None)
    return render(
        request,
        "accreditation/fees/accreditation.html",
        {
            "accreditation": accreditation,
            "status_tag": accreditation_tag(accreditation),
            "fee": pounds(accreditation.fee_pence),
            "fee_due": fee_due(accreditation),
            "confirming": confirming,
            "payments": _payment_rows(payments),
        },
    )


@require_POST
@employer_required
def pay(request, pk):
    """The "Pay now" button: open a checkout with the payment gateway and send the payer to it (303, so they GET it)."""
    accreditation = accreditation_for_member(request.user, pk)
    try:
        payment = payment_checkout_start(
            actor=request.user, accreditation=accreditation, base_url=request.build_absolute_uri("/")
        )
    except AccreditationError as exc:
        messages.error(request, str(exc))
        return redirect("fees:accreditation", pk=accreditation.pk)
    return HttpResponseRedirect(payment.checkout_url, status=303)


def _paid_url(accreditation, payment, *, checks: int | None = None) -> str:
    """The return page for one checkout (and how many times the payer has checked it)."""
    query = {"session_id": payment.checkout_session_id or ""}
    if checks is not None:
        query["checks"] = checks
    return f"{reverse('fees:paid', kwargs={'pk': accreditation.pk})}?{urlencode(query)}"


def _checks(request) -> int:
    """How many times the payer has pressed "Check again" (0 for anything that is not a small number)."""
    value = request.GET.get("checks", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= _MAX_CHECKS_DIGITS else 0


def _still_confirming(accreditation, payment) -> bool:
    """Whether the return page would still say "We are confirming your payment"."""
    return (
        accreditation.status == AccreditationStatus.AWAITING_FEE
        and payment is not None
        and payment.status not in UNSUCCESSFUL_PAYMENT_STATUSES
        and payment.status not in RECEIVED_PAYMENT_STATUSES
    )


@require_GET
@employer_required
def paid(request, pk):
    """Where the payer comes back from the checkout: what the webhook has recorded so far, never a guess.

    Accredited: a confirmation panel with the receipt. The checkout failed or lapsed: say so and offer
    "Pay now" again. Still waiting for the gateway's event: say so, with a button to check again.
    There is no <meta> refresh (a timed reload moves people on before they have read the page: WCAG
    2.2.1, failure F41); instead static/js/payment-status.mjs asks `?format=json` every few seconds and
    loads the page again only once the answer has changed. Without JavaScript the button does it.
    """
    accreditation = accreditation_for_member(request.user, pk)
    session_id = request.GET.get("session_id", "")
    payment = checkout_payment(accreditation, session_id)
    context = {"accreditation": accreditation, "payment": payment, "fee": pounds(accreditation.fee_pence)}
    if request.GET.get("format") == "json" and not _still_confirming(accreditation, payment):
        # The script on the "confirming" page polls this: the answer is in, so it loads the page again.
        return JsonResponse({"confirming": False}, headers={"Cache-Control": "no-store"})
    if accreditation.status == AccreditationStatus.ACTIVE:
        receipt = payment if payment is not None and payment_is_received(payment) else None
        receipt = receipt or latest_received_payment(accreditation)
        return render(request, "accreditation/fees/accredited.html", context | {"receipt": receipt})
    if accreditation.status != AccreditationStatus.AWAITING_FEE or payment is None:
        # Nothing to wait for here (no such checkout, or suspended, revoked or expired since): the
        # accreditation's own page says where things stand.
        return redirect("fees:accreditation", pk=accreditation.pk)
    if payment.status in UNSUCCESSFUL_PAYMENT_STATUSES:
        return render(
            request,
            "accreditation/fees/not_paid.html",
            context | {"failed": payment.status == PaymentStatus.FAILED, "fee_due": fee_due(accreditation)},
        )
    if payment.status in RECEIVED_PAYMENT_STATUSES:
        # Received but not accepted automatically (an amount that is not the fee due, say): an officer checks it.
        return render(request, "accreditation/fees/received_checking.html", context)
    if request.GET.get("format") == "json":
        return JsonResponse({"confirming": True}, headers={"Cache-Control": "no-store"})
    checks = _checks(request)
    return render(
        request,
        "accreditation/fees/confirming.html",
        context
        | {
            "check_again_url": _paid_url(accreditation, payment, checks=checks + 1),
            "status_url": _paid_url(accreditation, payment) + "&format=json",
            "taking_long": checks >= PATIENT_CHECKS,
        },
    )


@require_GET
@employer_required
def cancelled(request, pk):
    """Where the payer comes back to if they leave the checkout without paying: nothing paid, "Pay now" again."""
    accreditation = accreditation_for_member(request.user, pk)
    if accreditation.status != AccreditationStatus.AWAITING_FEE:
        return redirect("fees:accreditation", pk=accreditation.pk)
    # The gateway may send the payer here without naming the checkout: then it is the newest attempt.
    payment = checkout_payment(accreditation, request.GET.get("session_id", "")) or latest_payment(accreditation)
    if payment is not None and payment.status in (PaymentStatus.PROCESSING, *RECEIVED_PAYMENT_STATUSES):
        # The gateway has the payment after all: the return page says where it stands.
        return redirect(_paid_url(accreditation, payment))
    return render(
        request,
        "accreditation/fees/not_paid.html",
        {
            "accreditation": accreditation,
            "payment": payment,
            "failed": payment is not None and payment.status == PaymentStatus.FAILED,
            "fee": pounds(accreditation.fee_pence),
            "fee_due": fee_due(accreditation),
        },
    )


@require_GET
@employer_required
def receipt(request, pk, payment_pk):
    """A received payment's receipt, as a PDF download (404 for anything else, or anyone else's)."""
    payment = receipt_payment_for_member(request.user, accreditation_pk=pk, payment_pk=payment_pk)
    response = HttpResponse(receipt_pdf(payment), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=receipt_filename(payment))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
