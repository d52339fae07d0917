"""The officers' queue and one case as the case view needs it."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from charter.models import Criterion
from employers.models import SizeBand

from ..models import (
    Accreditation,
    Answer,
    AnswerRevision,
    Application,
    ApplicationStatus,
    CriterionReview,
    Evidence,
)
from .employer import TimelineEntry, application_timeline, with_edition
from .review import ReviewProgress, progress_from
from .working_days import TARGET_WORKING_DAYS, WAITING_STATUSES, working_days_before

# --- the queue -------------------------------------------------------------------------------------

_SIZE_RANGES = {
    SizeBand.MICRO: (1, 10),
    SizeBand.SMALL: (11, 50),
    SizeBand.MEDIUM: (51, 250),
    SizeBand.LARGE: (251, 500),
    SizeBand.VERY_LARGE: (501, None),
}


def officer_queue(*, filters: Mapping | None = None, officer=None, today: date | None = None) -> QuerySet[Application]:
    """Applications officers work on (never drafts), oldest submission first, with organisation and officer.

    `filters` (all optional): `status` (one or a list), `assigned_to` (a user or id), `mine` (needs
    `officer`), `unassigned`, `level` (provisional level code), `sector` (SIC section letter), `size`
    (a SizeBand value), `min_days_waiting` (working days, for cases waiting on the council), `past_target`.
    Rows select their organisation, edition and officer: the query count does not grow with the rows.
    Use `days_waiting(row, today)` and `past_target(row, today)` for each row's figures.
    """
    filters = dict(filters or {})
    today = today or timezone.localdate()
    queryset = (
        Application.objects.exclude(status=ApplicationStatus.DRAFT)
        .select_related("organisation", "edition", "assigned_to", "submitted_by")
        .order_by(F("submitted_at").asc(nulls_last=True), "pk")
    )
    status = filters.get("status")
    if status:
        queryset = queryset.filter(status__in=[status] if isinstance(status, str) else list(status))
    assigned_to = filters.get("assigned_to")
    if assigned_to:
        queryset = queryset.filter(assigned_to=assigned_to)
    if filters.get("mine"):
        queryset = queryset.filter(assigned_to=officer) if officer is not None else queryset.none()
    if filters.get("unassigned"):
        queryset = queryset.filter(assigned_to__isnull=True)
    if filters.get("level"):
        queryset = queryset.filter(provisional_level_code=filters["level"])
    if filters.get("sector"):
        queryset = queryset.filter(organisation__sector=filters["sector"])
    size = filters.get("size")
    if size:
        low, high = _SIZE_RANGES[SizeBand(size)]
        queryset = queryset.filter(employee_count__gte=low)
        if high is not None:
            queryset = queryset.filter(employee_count__lte=high)
    minimum = filters.get("min_days_waiting")
    if filters.get("past_target"):
        minimum = max(int(minimum or 0), TARGET_WORKING_DAYS + 1)
    if minimum:
        cutoff = working_days_before(today, int(minimum))
        queryset = queryset.filter(status__in=WAITING_STATUSES, submitted_at__date__lte=cutoff)
    return queryset


# --- one case, as the officer's case view needs it ----------------------------------------------


@dataclass
class CaseCriterion:
    """One applicable criterion in the case view: the answer and its history, files by round, reviews."""

    criterion: Criterion
    number: str
    answer: Answer | None
    revisions: list  # AnswerRevision, oldest first
    files_by_round: dict  # submission round -> [Evidence]
    review: object | None  # this round's CriterionReview
    earlier_reviews: list  # CriterionReview of earlier rounds, oldest first

    @property
    def code(self) -> str:
        return self.criterion.code


@dataclass
class OfficerCase:
    """Everything the officer's case view shows, read in a fixed number of queries."""

    application: Application
    criteria: list[CaseCriterion]
    progress: ReviewProgress
    earlier_applications: list[Application]
    accreditations: list
    timeline: list[TimelineEntry]
    queries: dict[str, str]


def case_for_officer(pk: int) -> OfficerCase:
    """One case (never a draft): answers, revisions, files, reviews, the organisation's history; else Http404."""
    application = (
        with_edition(Application.objects.exclude(status=ApplicationStatus.DRAFT))
        .select_related("assigned_to", "recommended_by", "decided_by")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("criterion", "updated_by").prefetch_related(
                    Prefetch(
                        "revisions", queryset=AnswerRevision.objects.select_related("saved_by").order_by("version")
                    )
                ),
            ),
            Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by").order_by("uploaded_at", "pk")),
            Prefetch(
                "reviews",
                queryset=CriterionReview.objects.select_related("criterion", "reviewed_by").order_by(
                    "submission_round", "pk"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404("No such case.")
    answers = {answer.criterion_id: answer for answer in application.answers.all()}
    files = defaultdict(lambda: defaultdict(list))
    for evidence in application.evidence.all():
        files[evidence.criterion_id][evidence.submission_round].append(evidence)
    current_reviews, earlier_reviews = {}, defaultdict(list)
    for review in application.reviews.all():
        if review.submission_round == application.submission_round:
            current_reviews[review.criterion_id] = review
        else:
            earlier_reviews[review.criterion_id].append(review)
    employees = application.employee_count
    criteria = []
    for commitment in sorted(application.edition.commitments.all(), key=lambda c: c.order):
        for criterion in sorted(commitment.criteria.all(), key=lambda c: c.order):
            if not criterion.applies_to(employees):
                continue
            answer = answers.get(criterion.pk)
            criteria.append(
                CaseCriterion(
                    criterion=criterion,
                    number=f"{commitment.number}.{criterion.order + 1}",
                    answer=answer,
                    revisions=list(answer.revisions.all()) if answer else [],
                    files_by_round={round_: list(items) for round_, items in sorted(files[criterion.pk].items())},
                    review=current_reviews.get(criterion.pk),
                    earlier_reviews=earlier_reviews.get(criterion.pk, []),
                )
            )
    progress = progress_from(
        application,
        answers={answer.criterion.code: answer.response for answer in answers.values()},
        reviews=list(current_reviews.values()),
    )
    earlier = list(
        Application.objects.filter(organisation=application.organisation_id)
        .exclude(pk=application.pk)
        .select_related("edition", "decided_by", "accreditation")
        .order_by("-created_at", "-pk")
    )
    accreditations = list(
        Accreditation.objects.filter(organisation=application.organisation_id)
        .select_related("application", "approved_by")
        .order_by("-approved_at", "-pk")
    )
    return OfficerCase(
        application=application,
        criteria=criteria,
        progress=progress,
        earlier_applications=earlier,
        accreditations=accreditations,
        timeline=application_timeline(application, include_edits=True),
        queries={review.criterion.code: review.note for review in current_reviews.values() if review.is_query},
    )
