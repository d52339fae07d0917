"""The officers' queue as a django-tables2 table with GOV.UK markup."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from accreditation.selectors import TARGET_WORKING_DAYS, days_waiting, status_tag

# Every officers' table renders through one template (its caption from the Table's `caption`), with these.
GOVUK_TABLE_TEMPLATE = "includes/govuk_table.html"
GOVUK_TABLE_ATTRS = {
    "class": "govuk-table",
    "thead": {"class": "govuk-table__head"},
    "tbody": {"class": "govuk-table__body"},
    "th": {"class": "govuk-table__header", "scope": "col"},
    "td": {"class": "govuk-table__cell"},
}


class QueueTable(tables.Table):
    """One row per case: organisation, state, submitted, working days waiting, who has it, a link."""

    organisation = tables.Column(
        verbose_name="Organisation", accessor="organisation__legal_name", order_by=("organisation__legal_name", "pk")
    )
    status = tables.Column(verbose_name="State", order_by=("status", "pk"))
    submitted_at = tables.DateColumn(verbose_name="Submitted", format="j M Y", order_by=("submitted_at", "pk"))
    # More days waiting means an earlier submission, so this column sorts by the submission the other way.
    waiting = tables.Column(
        verbose_name="Working days waiting", accessor="submitted_at", order_by=("-submitted_at", "-pk"), empty_values=()
    )
    assigned_to = tables.Column(
        verbose_name="Who has it", accessor="assigned_to", order_by=("assigned_to__full_name", "pk"), default="Nobody"
    )
    case = tables.Column(verbose_name="Case", accessor="pk", orderable=False)

    caption = "Cases"

    class Meta:
        template_name = GOVUK_TABLE_TEMPLATE
        attrs = GOVUK_TABLE_ATTRS
        row_attrs = {"class": "govuk-table__row"}
        empty_text = "No cases match these filters."

    def __init__(self, *args, today=None, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    def render_status(self, record):
        return format_html('<strong class="govuk-tag {}">{}</strong>', status_tag(record), record.officer_status_label)

    def render_waiting(self, record):
        waited = days_waiting(record, self.today)
        if waited is None:
            return "Not waiting on us"
        if waited > TARGET_WORKING_DAYS:
            return format_html('<strong class="govuk-tag govuk-tag--red">{} (past target)</strong>', waited)
        return str(waited)

    def render_assigned_to(self, value):
        return str(value)

    def render_case(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">View<span class="govuk-visually-hidden"> case {} from {}</span></a>',
            reverse("officer:case", kwargs={"pk": record.pk}),
            record.reference,
            record.organisation.legal_name,
        )
