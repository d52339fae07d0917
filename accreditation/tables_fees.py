"""The officers' payments table and event log: django-tables2 tables, django-filter filters, CSV export.

The payments table exports as CSV (`?_export=csv`), with every cell that a spreadsheet would read as a
formula neutralised (nothing the public writes is trusted, PRODUCT.md section 9).
"""

import django_filters
import django_tables2 as tables
from django import forms
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django_tables2.export import TableExport
from tablib import Dataset

from accreditation.models import (
    AccreditationStatus,
    Payment,
    PaymentEvent,
    PaymentEventStatus,
    PaymentMethod,
    PaymentStatus,
)
from accreditation.money import pounds
from accreditation.selectors.payments import (
    officer_payment_events,
    officer_payments,
    payment_event_types,
)
from accreditation.services.fees import (
    money,
)
from accreditation.tables import GOVUK_TABLE_ATTRS, GOVUK_TABLE_TEMPLATE
from portal.fields import GovukDateField

PAGE_SIZE = 25

ACCREDITATION_TAGS = {
    AccreditationStatus.AWAITING_FEE: "govuk-tag--yellow",
    AccreditationStatus.ACTIVE: "govuk-tag--green",
    AccreditationStatus.SUSPENDED: "govuk-tag--orange",
    AccreditationStatus.REVOKED: "govuk-tag--red",
    AccreditationStatus.EXPIRED: "govuk-tag--grey",
}
PAYMENT_TAGS = {
    PaymentStatus.PENDING: "govuk-tag--grey",
    PaymentStatus.PROCESSING: "govuk-tag--blue",
    PaymentStatus.PAID: "govuk-tag--green",
    PaymentStatus.FAILED: "govuk-tag--red",
    PaymentStatus.EXPIRED: "govuk-tag--grey",
    PaymentStatus.PARTIALLY_REFUNDED: "govuk-tag--orange",
    PaymentStatus.REFUNDED: "govuk-tag--orange",
}
EVENT_TAGS = {
    PaymentEventStatus.RECEIVED: "govuk-tag--blue",
    PaymentEventStatus.PROCESSED: "govuk-tag--green",
    PaymentEventStatus.IGNORED: "govuk-tag--grey",
    PaymentEventStatus.FAILED: "govuk-tag--red",
}
# The history on an accreditation's page, in words.
HISTORY_WORDS = {
    "accreditation.create": "Approved: the accreditation is waiting for its fee",
    "accreditation.activate": "Accreditation active",
    "payment.record_offline": "Offline payment recorded",
    "fee.waive": "Fee waived",
    "payment.accept": "Flagged payment accepted as the fee",
    "payment.attention_clear": "Payment's flag cleared",
    # The gateway's events (accreditation.services.payments).
    "payment.checkout_start": "Card payment started",
    "payment.processing": "Card payment being confirmed",
    "payment.paid": "Payment received",
    "payment.flag": "Payment flagged for an officer",
    "payment.fail": "Card payment failed",
    "payment.expire": "Card payment not completed",
    "payment.refund": "Refund recorded",
}


# --- tables and their filters --------------------------------------------------------------------------

# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A cell's value as a spreadsheet should read it: text starting like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvExport(TableExport):
    """django-tables2's export, as CSV only, with every cell passed through `csv_safe`."""

    @classmethod
    def is_valid_format(cls, export_format):
        return export_format == cls.CSV

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        rows = table.as_values(exclude_columns=exclude_columns)
        dataset = Dataset(headers=[csv_safe(header) for header in next(rows)], **(dataset_kwargs or {}))
        for row in rows:
            dataset.append([csv_safe(cell) for cell in row])
        return dataset


# The payments tables have many columns: a smaller type than the queue's.
SMALL_GOVUK_TABLE_ATTRS = GOVUK_TABLE_ATTRS | {"class": "govuk-table govuk-!-font-size-16"}


def _csv_pounds(pence):
    """Money in a CSV cell: pounds with two decimals and no symbol or separators, so spreadsheets can add it up."""
    return "" if pence is None else f"{pence // 100}.{pence % 100:02d}"


def _when(value, seconds: bool = False):
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}</time>',
        value.isoformat(),
        local.strftime("%-d %b %Y %H:%M:%S" if seconds else "%-d %b %Y %H:%M"),
    )


class PaymentsTable(tables.Table):
    """One row per payment: organisation (linking to its accreditation), amounts, method, status, receipt, when
    paid, flag. The CSV has the accreditation's number, refunds, currency, reference and why flagged as well."""

    organisation = tables.Column(
        verbose_name="Organisation",
        accessor="accreditation__organisation__legal_name",
        order_by=("accreditation__organisation__legal_name", "pk"),
    )
    accreditation = tables.Column(verbose_name="Accreditation", accessor="accreditation_id", visible=False)
    amount_due_pence = tables.Column(verbose_name="Fee due", order_by=("amount_due_pence", "pk"))
    amount_paid_pence = tables.Column(verbose_name="Paid", order_by=("amount_paid_pence", "pk"), empty_values=())
    refunded_pence = tables.Column(verbose_name="Refunded", visible=False)
    method = tables.Column(verbose_name="Method", order_by=("method", "pk"))
    status = tables.Column(verbose_name="Status", order_by=("status", "pk"))
    receipt_number = tables.Column(verbose_name="Receipt", order_by=("receipt_number", "pk"), default="None")
    paid_at = tables.Column(verbose_name="Paid at", order_by=("paid_at", "pk"), default="Not paid")
    needs_attention = tables.Column(verbose_name="Flag", order_by=("-needs_attention", "-pk"), empty_values=())
    currency = tables.Column(verbose_name="Currency", visible=False)
    reference = tables.Column(verbose_name="Reference", visible=False)
    attention_reason = tables.Column(verbose_name="Why flagged", visible=False)

    class Meta:
        model = Payment
        fields = ()
        sequence = (
            "organisation",
            "accreditation",
            "amount_due_pence",
            "amount_paid_pence",
            "refunded_pence",
            "method",
            "status",
            "receipt_number",
            "paid_at",
            "needs_attention",
            "currency",
            "reference",
            "attention_reason",
        )
        template_name = GOVUK_TABLE_TEMPLATE
        attrs = SMALL_GOVUK_TABLE_ATTRS
        row_attrs = {"class": "govuk-table__row"}
        empty_text = "No payments match these filters."

    caption = "Payments"

    def render_organisation(self, value, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("officer:accreditation", kwargs={"pk": record.accreditation_id}),
            value,
        )

    def value_organisation(self, value):
        return value

    def render_amount_due_pence(self, value):
        return pounds(value)

    def value_amount_due_pence(self, value):
        return _csv_pounds(value)

    def render_amount_paid_pence(self, value, record):
        if value is None:
            return "None"
        paid = money(value, record.currency)
        if record.refunded_pence:
            return f"{paid} ({money(record.refunded_pence, record.currency)} refunded)"
        return paid

    def value_amount_paid_pence(self, value):
        return _csv_pounds(value)

    def value_refunded_pence(self, value):
        return _csv_pounds(value)

    def value_currency(self, value):
        return value.upper()

    def render_method(self, record):
        return record.get_method_display()

    def value_method(self, record):
        return record.get_method_display()

    def render_status(self, record):
        return format_html(
            '<strong class="govuk-tag {}">{}</strong>', PAYMENT_TAGS[record.status], record.get_status_display()
        )

    def value_status(self, record):
        return record.get_status_display()

    def render_paid_at(self, value):
        return _when(value)

    def value_paid_at(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    def render_needs_attention(self, value):
        if not value:
            return ""
        return format_html('<strong class="govuk-tag {}">{}</strong>', "govuk-tag--red", "Needs attention")

    def value_needs_attention(self, value):
        return "Needs attention" if value else ""


class PaymentEventsTable(tables.Table):
    """One row per gateway event: when, what (linking to the event), from which gateway, what became of it."""

    received_at = tables.Column(verbose_name="Received", order_by=("received_at", "pk"))
    event_type = tables.Column(verbose_name="Type", order_by=("event_type", "pk"))
    gateway = tables.Column(verbose_name="Gateway", order_by=("gateway", "pk"))
    status = tables.Column(verbose_name="Status", order_by=("status", "pk"))
    attempts = tables.Column(verbose_name="Attempts", order_by=("attempts", "pk"))
    error = tables.Column(verbose_name="Error", orderable=False, default="")
    payment = tables.Column(verbose_name="Payment", orderable=False, default="None")

    class Meta:
        model = PaymentEvent
        fields = ()
        sequence = ("received_at", "event_type", "gateway", "status", "attempts", "error", "payment")
        template_name = GOVUK_TABLE_TEMPLATE
        attrs = SMALL_GOVUK_TABLE_ATTRS
        row_attrs = {"class": "govuk-table__row"}
        empty_text = "No events match these filters."

    caption = "Payment events"

    def render_received_at(self, value):
        return _when(value, seconds=True)

    def render_event_type(self, value, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>', reverse("officer:payment_event", kwargs={"pk": record.pk}), value
        )

    def render_status(self, record):
        return format_html(
            '<strong class="govuk-tag {}">{}</strong>', EVENT_TAGS[record.status], record.get_status_display()
        )

    def render_error(self, value):
        return truncatechars(value, 70)

    def render_payment(self, value):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>: {}',
            reverse("officer:accreditation", kwargs={"pk": value.accreditation_id}),
            value.accreditation.organisation.legal_name,
            value.get_status_display().lower(),
        )


class GovukDateFilter(django_filters.Filter):
    field_class = GovukDateField


class PaymentFilterForm(forms.Form):
    """The payments filter's form: a date range that ends before it starts is an error, not an empty table."""

    def clean(self):
        cleaned = super().clean()
        paid_from, paid_to = cleaned.get("paid_from"), cleaned.get("paid_to")
        if paid_from and paid_to and paid_to < paid_from:
            self.add_error("paid_to", "Paid on or before must be the same as or after paid on or after")
        return cleaned


class PaymentFilter(django_filters.FilterSet):
    """Status, method, the dates paid between, and only flagged payments."""

    status = django_filters.ChoiceFilter(label="Status", choices=PaymentStatus.choices, empty_label="Any status")
    method = django_filters.ChoiceFilter(label="Method", choices=PaymentMethod.choices, empty_label="Any method")
    paid_from = GovukDateFilter(label="Paid on or after", help_text="For example, 1 4 2027")
    paid_to = GovukDateFilter(label="Paid on or before", help_text="For example, 31 3 2028")
    needs_attention = django_filters.BooleanFilter(label="Only payments needing attention", widget=forms.CheckboxInput)

    class Meta:
        model = Payment
        fields = []
        form = PaymentFilterForm

    def filter_queryset(self, queryset):
        """Hand the cleaned values to the selector rather than filtering here a second way."""
        cleaned = {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "", False)}
        return officer_payments(filters=cleaned)


class PaymentEventFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="Status", choices=PaymentEventStatus.choices, empty_label="Any status")
    event_type = django_filters.ChoiceFilter(
        label="Type", choices=lambda: [(name, name) for name in payment_event_types()], empty_label="Any type"
    )

    class Meta:
        model = PaymentEvent
        fields = []

    def filter_queryset(self, queryset):
        cleaned = {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "")}
        return officer_payment_events(filters=cleaned)
