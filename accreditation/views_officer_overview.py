"""Officers' overview pages: the dashboard, the organisation search and an organisation's page (issue 4 points 8, 9)."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from accounts.roles import officer_required
from accreditation.models import ApplicationStatus
from accreditation.selectors import TARGET_WORKING_DAYS, officer_dashboard_figures
from accreditation.selectors_officer_search import organisation_for_officer, organisation_search

ORGANISATIONS_PER_PAGE = 25

# The bar chart's geometry, in SVG user units (the SVG scales to the width of its column).
CHART_LABEL_WIDTH = 235
CHART_BAR_SPACE = 180
CHART_ROW_HEIGHT = 32


@dataclass
class ChartRow:
    """One figure, as the table and the bar chart beside it both show it."""

    label: str
    value: int
    link: str = ""
    y: int = 0
    bar_width: int = 0

    @property
    def bar_y(self) -> int:
        return self.y + 6

    @property
    def text_y(self) -> int:
        return self.y + 21

    @property
    def value_x(self) -> int:
        return CHART_LABEL_WIDTH + self.bar_width + 8


def _chart(rows: list[ChartRow]) -> dict:
    """Lay out the rows as horizontal bars, scaled to the largest figure."""
    largest = max((row.value for row in rows), default=0)
    for index, row in enumerate(rows):
        row.y = index * CHART_ROW_HEIGHT
        row.bar_width = round(CHART_BAR_SPACE * row.value / largest) if largest else 0
    return {
        "rows": rows,
        "height": len(rows) * CHART_ROW_HEIGHT,
        "width": CHART_LABEL_WIDTH + CHART_BAR_SPACE + 45,
        "bar_x": CHART_LABEL_WIDTH,
        "label_x": CHART_LABEL_WIDTH - 8,
    }


def _queue_url() -> str:
    """The queue's address (the queue page may be named `queue` or be the officers' home page)."""
    for name in ("officer:queue", "officer:home"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/officer/"


@officer_required
def dashboard(request):
    """The scheme's figures on one page: counts by state, cases past the target, time to decide, decisions."""
    figures = officer_dashboard_figures()
    queue = _queue_url()
    by_status = _chart(
        [
            ChartRow(status.officer_label, figures.counts_by_status[status.value], f"{queue}?status={status.value}")
            for status in ApplicationStatus
        ]
    )
    decisions = _chart(
        [ChartRow(f"Approved at {name}", count) for _code, name, count in figures.approved_by_level]
        + [ChartRow("Rejected", figures.rejected_this_year)]
    )
    return render(
        request,
        "accreditation/officer_overview/dashboard.html",
        {
            "figures": figures,
            "by_status": by_status,
            "decisions": decisions,
            "target_working_days": TARGET_WORKING_DAYS,
        },
    )


@officer_required
def organisations(request):
    """Search organisations by name, company or charity number, or postcode."""
    query = request.GET.get("q", "").strip()
    page = Paginator(organisation_search(query), ORGANISATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accreditation/officer_overview/organisations.html",
        {"query": query, "page": page, "elided_pages": page.paginator.get_elided_page_range(page.number)},
    )


@officer_required
def organisation(request, pk: int):
    """One organisation: its details, applications, accreditations and users."""
    found = organisation_for_officer(pk)
    for application in found.officer_applications:
        application.case_url = _case_url(application)
    return render(request, "accreditation/officer_overview/organisation.html", {"organisation": found})


def _case_url(application) -> str:
    """The officers' case page for a submitted application; none for a draft (officers never see drafts)."""
    if application.status == ApplicationStatus.DRAFT:
        return ""
    try:
        return reverse("officer:case", kwargs={"pk": application.pk})
    except NoReverseMatch:  # the case page is being built alongside this one
        return ""
