"""Officers' fee and payment pages (issue 5): an accreditation and its fee, the payments table, the event log.

An accreditation's page carries the officer's forms: record an offline payment, waive the fee, accept a
flagged payment or clear its flag. Each POSTs to its own URL, calls one service and redirects back with a
message (post/redirect/get); field errors re-render the page with the form and an error summary instead.
The payments table exports as CSV (`?_export=csv`), with every cell that a spreadsheet would read as a
formula neutralised (nothing the public writes is trusted, PRODUCT.md section 9).
"""

import json

import django_tables2 as tables
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2.export import ExportMixin, TableExport

from accounts.roles import officer_required
from accreditation.exceptions import AccreditationError, InputInvalid
from accreditation.models import (
    Accreditation,
    AccreditationStatus,
    PaymentEventStatus,
)
from accreditation.money import money, pounds
from accreditation.selectors.payments import (
    accreditation_for_officer,
    officer_payment_events,
    officer_payments,
    payment_event_for_officer,
    payment_for_officer,
)
from accreditation.services.fees import (
    ACCEPTABLE_STATUSES,
    fee_waive,
    payment_accept,
    payment_attention_clear,
    payment_record_offline,
)
from accreditation.services.payment_events import payment_event_rerun as event_rerun

from .forms_officer_fees import RecordPaymentForm, WaiveFeeForm, accept_form, clear_form
from .tables_fees import (
    ACCREDITATION_TAGS,
    EVENT_TAGS,
    HISTORY_WORDS,
    PAGE_SIZE,
    PAYMENT_TAGS,
    PaymentEventFilter,
    PaymentEventsTable,
    PaymentFilter,
    PaymentsTable,
    SafeCsvExport,
)

# --- one accreditation and the officer's actions on its fee -----------------------------------------------


def _accreditation_url(pk: int) -> str:
    return reverse("officer:accreditation", kwargs={"pk": pk})


def _accreditation_context(pk: int, **bound_forms) -> dict:
    found = accreditation_for_officer(pk)
    accreditation = found.accreditation
    awaiting = accreditation.status == AccreditationStatus.AWAITING_FEE
    bound_payment_form = bound_forms.get("payment_form")
    for payment in found.payments:
        payment.tag = PAYMENT_TAGS[payment.status]
        payment.due = pounds(payment.amount_due_pence)
        payment.paid = (
            "None" if payment.amount_paid_pence is None else money(payment.amount_paid_pence, payment.currency)
        )
        payment.refunded = money(payment.refunded_pence, payment.currency)
    for payment in found.flagged:
        payment.can_accept = awaiting and payment.status in ACCEPTABLE_STATUSES
        payment.accept_form = accept_form(payment)
        payment.clear_form = clear_form(payment)
        if bound_payment_form is not None and bound_payment_form.prefix == payment.accept_form.prefix:
            payment.accept_form = bound_payment_form
        if bound_payment_form is not None and bound_payment_form.prefix == payment.clear_form.prefix:
            payment.clear_form = bound_payment_form
    for event in found.history:
        event.words = HISTORY_WORDS.get(event.action, event.action)
    return {
        "accreditation": accreditation,
        "organisation": accreditation.organisation,
        "application": accreditation.application,
        "payments": found.payments,
        "flagged": found.flagged,
        "processing": found.processing,
        "history": found.history,
        "status_tag": ACCREDITATION_TAGS[accreditation.status],
        "fee_due": pounds(accreditation.fee_pence),
        "can_settle": awaiting and not found.processing,
        "awaiting": awaiting,
        "record_form": bound_forms.get("record_form") or RecordPaymentForm(fee_pence=accreditation.fee_pence),
        "waive_form": bound_forms.get("waive_form") or WaiveFeeForm(),
    }


def _render_accreditation(request, pk: int, **bound_forms):
    context = _accreditation_context(pk, **bound_forms)
    context["bound_form"] = next(iter(bound_forms.values()))
    context["page_errors"] = True
    return render(request, "accreditation/officer_fees/accreditation.html", context)


@officer_required
def accreditation(request, pk):
    """One accreditation: its fee, band, dates and payments, with the forms to settle the fee another way."""
    return render(request, "accreditation/officer_fees/accreditation.html", _accreditation_context(pk))


def _act(request, pk, action, *, form, form_name, success):
    """Run one service call: field errors back to the form, a refusal as a message, else success; redirect."""
    try:
        action()
    except InputInvalid as exc:
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return _render_accreditation(request, pk, **{form_name: form})
    except AccreditationError as exc:
        messages.error(request, str(exc))
        return redirect(_accreditation_url(pk))
    messages.success(request, success)
    return redirect(_accreditation_url(pk))


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


@officer_required
@require_POST
def record_payment(request, pk):
    """Record a fee paid by invoice or bank transfer; the accreditation becomes active and a receipt is sent."""
    found = get_object_or_404(Accreditation, pk=pk)
    form = RecordPaymentForm(request.POST, fee_pence=found.fee_pence)
    if not form.is_valid():
        return _render_accreditation(request, pk, record_form=form)
    data = form.cleaned_data
    return _act(
        request,
        pk,
        lambda: payment_record_offline(
            actor=request.user,
            accreditation=found,
            amount_pence=data["amount"],
            paid_on=data["paid_on"],
            reference=data["reference"],
            base_url=_base_url(request),
        ),
        form=form,
        form_name="record_form",
        success="Payment recorded. The accreditation is active and the organisation has been sent a receipt.",
    )


@officer_required
@require_POST
def waive_fee(request, pk):
    """Waive the fee with a reason; the accreditation becomes active."""
    found = get_object_or_404(Accreditation, pk=pk)
    form = WaiveFeeForm(request.POST)
    if not form.is_valid():
        return _render_accreditation(request, pk, waive_form=form)
    return _act(
        request,
        pk,
        lambda: fee_waive(
            actor=request.user, accreditation=found, reason=form.cleaned_data["reason"], base_url=_base_url(request)
        ),
        form=form,
        form_name="waive_form",
        success="Fee waived. The accreditation is active.",
    )


@officer_required
@require_POST
def accept_payment(request, pk):
    """Accept a flagged payment as the fee, with a note; the accreditation becomes active."""
    payment = payment_for_officer(pk)
    form = accept_form(payment, request.POST)
    if not form.is_valid():
        return _render_accreditation(request, payment.accreditation_id, payment_form=form)
    return _act(
        request,
        payment.accreditation_id,
        lambda: payment_accept(
            actor=request.user, payment=payment, note=form.cleaned_data["note"], base_url=_base_url(request)
        ),
        form=form,
        form_name="payment_form",
        success="Payment accepted as the fee. The accreditation is active.",
    )


@officer_required
@require_POST
def clear_payment_flag(request, pk):
    """Clear a payment's attention flag, with a note saying what was done."""
    payment = payment_for_officer(pk)
    form = clear_form(payment, request.POST)
    if not form.is_valid():
        return _render_accreditation(request, payment.accreditation_id, payment_form=form)
    return _act(
        request,
        payment.accreditation_id,
        lambda: payment_attention_clear(actor=request.user, payment=payment, note=form.cleaned_data["note"]),
        form=form,
        form_name="payment_form",
        success="The payment's flag has been cleared.",
    )


# --- the payments table and the event log ------------------------------------------------------------------


class _FilteredTableView(tables.SingleTableMixin, FilterView):
    """A django-filter form over a django-tables2 table; a filter with errors marks the page's title."""

    table_pagination = {"per_page": PAGE_SIZE}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_errors"] = bool(self.filterset.form.errors)
        return context


class PaymentsView(ExportMixin, _FilteredTableView):
    """Every payment, filtered, sorted and paginated; the same rows as CSV with `?_export=csv`."""

    table_class = PaymentsTable
    filterset_class = PaymentFilter
    template_name = "accreditation/officer_fees/payments.html"
    export_class = SafeCsvExport
    export_formats = (TableExport.CSV,)

    def get_queryset(self):
        return officer_payments()

    def get_export_filename(self, export_format):
        return f"payments-{timezone.localdate():%Y-%m-%d}.{export_format}"


class PaymentEventsView(_FilteredTableView):
    """The payment gateway's events as they arrived, newest first, filtered by status and type."""

    table_class = PaymentEventsTable
    filterset_class = PaymentEventFilter
    template_name = "accreditation/officer_fees/payment_events.html"

    def get_queryset(self):
        return officer_payment_events()


payments = officer_required(PaymentsView.as_view())
payment_events = officer_required(PaymentEventsView.as_view())


@officer_required
def payment_event(request, pk):
    """One gateway event: its payload as it arrived, what became of it, and "run again" for a failed one."""
    event = payment_event_for_officer(pk)
    return render(
        request,
        "accreditation/officer_fees/payment_event.html",
        {
            "event": event,
            "status_tag": EVENT_TAGS[event.status],
            "payload": json.dumps(event.payload, indent=2, sort_keys=True, ensure_ascii=False),
            "can_rerun": event.status == PaymentEventStatus.FAILED,
        },
    )


@officer_required
@require_POST
def payment_event_rerun(request, pk):
    """Run a failed event through the payment services again; back to the event with what became of it."""
    event = payment_event_for_officer(pk)
    try:
        done = event_rerun(actor=request.user, event=event, base_url=_base_url(request))
    except AccreditationError as exc:
        messages.error(request, str(exc))
    else:
        if done.status == PaymentEventStatus.FAILED:
            messages.error(request, f"The event was run again and failed again: {truncatechars(done.error, 200)}")
        else:
            messages.success(request, f"The event was run again: {done.get_status_display().lower()}.")
    return redirect(reverse("officer:payment_event", kwargs={"pk": pk}))
