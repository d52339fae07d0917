"""The payment gateways' pages: Stripe's webhook, and the test gateway's local checkout page (issue 5).

The webhook is the only way a fee is marked paid online. The test checkout page exists only while the
test gateway is the configured one; it delivers its signed events through the same service as Stripe's.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from .exceptions import WebhookSignatureInvalid
from .gateways import current_gateway
from .models import (
    OPEN_PAYMENT_STATUSES,
    RECEIVED_PAYMENT_STATUSES,
    Payment,
    PaymentEventStatus,
    PaymentMethod,
    PaymentStatus,
)
from .money import pounds
from .services.payment_events import payment_event_receive
from .services.payments import checkout_description, checkout_metadata, fees_path

logger = logging.getLogger(__name__)

OUTCOMES = {"complete": True, "fail": False}


def _base_url(request) -> str:
    """The portal's address for links in emails: SITE_URL, else the host this request came to."""
    return settings.SITE_URL or request.build_absolute_uri("/")


@csrf_exempt  # Stripe cannot send a CSRF token: the signature is what authenticates the request
@require_POST
def stripe_webhook(request):
    """Receive a gateway event: 400 (nothing stored) if its signature fails, 500 if processing failed, else 200."""
    gateway = current_gateway()
    try:
        event = payment_event_receive(
            gateway=gateway,
            payload=request.body,
            signature=request.headers.get("Stripe-Signature"),
            base_url=_base_url(request),
        )
    except WebhookSignatureInvalid as exc:
        logger.warning("Refused a %s webhook: %s", gateway.name, exc)
        return JsonResponse({"error": str(exc)}, status=400)
    if event.status == PaymentEventStatus.FAILED:
        # Stripe retries an event answered with an error; the failure is recorded on the stored event.
        return JsonResponse({"error": "The event could not be processed.", "event": event.event_id}, status=500)
    return JsonResponse({"received": True, "event": event.event_id, "status": event.status})


def _success_url(payment: Payment) -> str:
    return fees_path("paid", payment.accreditation_id) + f"?session_id={payment.checkout_session_id}"


def _cancel_url(payment: Payment) -> str:
    return fees_path("cancelled", payment.accreditation_id)


@login_required
@require_http_methods(["GET", "POST"])
def test_checkout(request, session_id):
    """The test gateway's checkout: a page, plainly a test, where a member completes or fails the payment."""
    gateway = current_gateway()
    if gateway.name != "test":
        raise Http404("The test payment gateway is not in use.")
    payment = get_object_or_404(
        Payment.objects.select_related("accreditation__organisation", "accreditation__application__edition"),
        checkout_session_id=session_id,
        method=PaymentMethod.TEST,
        accreditation__organisation__memberships__user=request.user,
    )
    if payment.status != PaymentStatus.PENDING:
        # Already completed or failed (a second click, the back button): go where the checkout would have.
        done = payment.status in RECEIVED_PAYMENT_STATUSES or payment.status in OPEN_PAYMENT_STATUSES
        return redirect(_success_url(payment) if done else _cancel_url(payment))
    accreditation = payment.accreditation
    error = ""
    if request.method == "POST":
        succeed = OUTCOMES.get(request.POST.get("outcome", ""))
        if succeed is None:
            error = "Choose whether to complete or fail the test payment."
        else:
            for event in gateway.events_for(
                payment=payment, metadata=checkout_metadata(accreditation), succeed=succeed
            ):
                payload, signature = gateway.sign(event)
                result = payment_event_receive(
                    gateway=gateway, payload=payload, signature=signature, base_url=_base_url(request)
                )
                if result.status == PaymentEventStatus.FAILED:
                    messages.error(
                        request, "The test payment could not be processed. It has been recorded for officers."
                    )
                    return redirect(fees_path("accreditation", accreditation.pk))
            return redirect(_success_url(payment) if succeed else _cancel_url(payment))
    return render(
        request,
        "accreditation/payments/test_checkout.html",
        {
            "payment": payment,
            "accreditation": accreditation,
            "description": checkout_description(accreditation),
            "amount": pounds(payment.amount_due_pence),
            "cancel_url": _cancel_url(payment),
            "error_items": [{"text": error, "href": "#outcome-complete"}] if error else [],
            "page_errors": bool(error),
            "error": error,
        },
        status=400 if error else 200,
    )
