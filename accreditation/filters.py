"""The officers' queue filters: a GET form whose values go to `officer_queue`, the one place that filters."""

import django_filters
from django import forms

from accreditation.forms_officer import officers
from accreditation.models import Application, ApplicationStatus
from accreditation.selectors import officer_queue
from charter.selectors import current_edition, edition_content
from employers.models import Sector, SizeBand


def _status_choices():
    return [(status.value, status.officer_label) for status in ApplicationStatus if status != ApplicationStatus.DRAFT]


def _level_choices():
    edition = current_edition()
    if edition is None:
        return []
    return [(level.code, level.name) for level in edition_content(edition).levels]


class QueueFilter(django_filters.FilterSet):
    """State, officer, mine / unassigned, level claimed, sector, size band, days waiting, past target."""

    status = django_filters.ChoiceFilter(label="State", choices=_status_choices, empty_label="Any state")
    assigned_to = django_filters.ModelChoiceFilter(
        label="Officer", queryset=lambda request: officers(), empty_label="Any officer"
    )
    mine = django_filters.BooleanFilter(label="Only my cases", widget=forms.CheckboxInput)
    unassigned = django_filters.BooleanFilter(label="Only cases nobody has taken", widget=forms.CheckboxInput)
    level = django_filters.ChoiceFilter(label="Level claimed", choices=_level_choices, empty_label="Any level")
    sector = django_filters.ChoiceFilter(label="Sector", choices=Sector.choices, empty_label="Any sector")
    size = django_filters.ChoiceFilter(label="Size", choices=SizeBand.choices, empty_label="Any size")
    min_days_waiting = django_filters.NumberFilter(
        label="Waiting at least (working days)",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "min": 0, "inputmode": "numeric"}),
    )
    past_target = django_filters.BooleanFilter(label="Only cases past the 10-day target", widget=forms.CheckboxInput)

    class Meta:
        model = Application
        fields = []

    def filter_queryset(self, queryset):
        """Hand the cleaned values to the selector rather than filtering here a second way."""
        cleaned = {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "", False)}
        return officer_queue(filters=cleaned, officer=self.request.user if self.request else None)
