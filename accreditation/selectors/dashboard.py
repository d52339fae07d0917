"""The officers' dashboard figures."""

import statistics
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Min
from django.utils import timezone

from audit.models import AuditEvent

from ..models import (
    Accreditation,
    Application,
    ApplicationStatus,
)
from .payments import payments_needing_attention
from .working_days import DECIDED_STATUSES, TARGET_WORKING_DAYS, WAITING_STATUSES, working_days_between

# --- the officers' dashboard -----------------------------------------------------------------------


@dataclass
class DashboardFigures:
    """The scheme's figures for the officers' dashboard (issue 4 point 8)."""

    today: date
    counts_by_status: dict[str, int]  # every status, 0 where none
    waiting: int  # cases waiting on the council
    past_target: int  # of those, waiting more than TARGET_WORKING_DAYS working days
    decisions_this_year: int
    median_working_days_to_decision: float | None  # from first submission to decision, this year
    approved_by_level: list[tuple[str, str, int]]  # (level code, level name, count), this year, most first
    rejected_this_year: int
    payments_needing_attention: int = 0  # flagged for an officer (issue 5)


def officer_dashboard_figures(today: date | None = None) -> DashboardFigures:
    """Counts by state, cases past the target, median working days to a decision, decisions by level, payments
    needing attention (6 queries)."""
    today = today or timezone.localdate()
    counts = dict.fromkeys(ApplicationStatus.values, 0)
    for row in Application.objects.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    submitted_dates = [
        timezone.localdate(when)
        for when in Application.objects.filter(status__in=WAITING_STATUSES, submitted_at__isnull=False).values_list(
            "submitted_at", flat=True
        )
    ]
    overdue = sum(1 for day in submitted_dates if working_days_between(day, today) > TARGET_WORKING_DAYS)

    year_start = timezone.make_aware(datetime(today.year, 1, 1))
    decided = list(
        Application.objects.filter(status__in=DECIDED_STATUSES, decided_at__gte=year_start).values_list(
            "pk", "status", "decided_at", "submitted_at"
        )
    )
    first_submitted = {}
    if decided:
        content_type = ContentType.objects.get_for_model(Application)
        for object_id, when in (
            AuditEvent.objects.filter(
                content_type=content_type,
                action="application.submit",
                object_id__in=[str(pk) for pk, *_ in decided],
            )
            .values("object_id")
            .annotate(first=Min("created_at"))
            .values_list("object_id", "first")
        ):
            first_submitted[int(object_id)] = when
    durations = [
        working_days_between(timezone.localdate(first_submitted.get(pk, submitted)), timezone.localdate(decided_at))
        for pk, _status, decided_at, submitted in decided
        if first_submitted.get(pk, submitted) is not None
    ]
    by_level = [
        (row["level_code"], row["level_name"], row["n"])
        for row in Accreditation.objects.filter(approved_at__gte=year_start)
        .values("level_code", "level_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "level_code")
    ]
    return DashboardFigures(
        today=today,
        counts_by_status=counts,
        waiting=len(submitted_dates),
        past_target=overdue,
        decisions_this_year=len(decided),
        median_working_days_to_decision=statistics.median(durations) if durations else None,
        approved_by_level=by_level,
        rejected_this_year=sum(1 for _pk, status, *_ in decided if status == ApplicationStatus.REJECTED),
        payments_needing_attention=payments_needing_attention(),
    )
