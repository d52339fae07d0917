"""The officers' review of one submission round: progress, open queries, and the timeline words for review actions."""

from dataclasses import dataclass

from charter.content import EditionContent
from charter.levels import LevelResult, compute_level
from charter.selectors import edition_content

from ..models import (
    Answer,
    Application,
    ApplicationStatus,
    CriterionReview,
    ReviewOutcome,
)


@dataclass
class ReviewProgress:
    """This round's review of an application: which criteria are marked, which queried, the verified level."""

    content: EditionContent
    applicable: tuple[str, ...]
    reviews: dict  # criterion code -> CriterionReview (this round)
    level: LevelResult  # what the answers reach with this round's verifications

    @property
    def unreviewed(self) -> tuple[str, ...]:
        return tuple(code for code in self.applicable if code not in self.reviews)

    @property
    def queried(self) -> tuple[str, ...]:
        return tuple(code for code in self.applicable if code in self.reviews and self.reviews[code].is_query)

    @property
    def complete(self) -> bool:
        """Every applicable criterion marked, none queried: a level can be recommended."""
        return not self.unreviewed and not self.queried


def progress_from(application: Application, *, answers: dict[str, str], reviews: list) -> ReviewProgress:
    content = edition_content(application.edition)
    employees = application.employee_count
    applicable = tuple(criterion.code for criterion in content.applicable_criteria(employees))
    by_code = {review.criterion.code: review for review in reviews}
    level = compute_level(
        content,
        employees=employees,
        answers=answers,
        verifications={code: review.outcome == ReviewOutcome.VERIFIED for code, review in by_code.items()},
    )
    return ReviewProgress(content=content, applicable=applicable, reviews=by_code, level=level)


def review_progress(application: Application) -> ReviewProgress:
    """The review of the application's current submission round (two queries, plus the edition if not prefetched)."""
    answers = dict(Answer.objects.filter(application=application).values_list("criterion__code", "response"))
    reviews = list(
        CriterionReview.objects.filter(
            application=application, submission_round=application.submission_round
        ).select_related("criterion", "reviewed_by")
    )
    return progress_from(application, answers=answers, reviews=reviews)


def queries_for(application: Application) -> dict[str, str]:
    """The officer's queries in the application's latest round: {criterion code: note} (one query)."""
    return dict(
        CriterionReview.objects.filter(
            application=application, submission_round=application.submission_round, outcome=ReviewOutcome.QUERY
        )
        .order_by("criterion__commitment__order", "criterion__order")
        .values_list("criterion__code", "note")
    )


def open_query_codes(application: Application, answers: dict, files: dict) -> frozenset[str]:
    """Criteria queried in the latest round that the employer has not acted on since (no answer saved, no file added).

    Read only while changes are requested, so the task list shows "Needs changes" then (one query).
    """
    if application.status != ApplicationStatus.CHANGES_REQUESTED:
        return frozenset()
    codes = set()
    for review in CriterionReview.objects.filter(
        application=application, submission_round=application.submission_round, outcome=ReviewOutcome.QUERY
    ).select_related("criterion"):
        answer = answers.get(review.criterion_id)
        acted = (answer is not None and answer.updated_at > review.reviewed_at) or any(
            evidence.uploaded_at > review.reviewed_at for evidence in files.get(review.criterion_id, [])
        )
        if not acted:
            codes.add(review.criterion.code)
    return frozenset(codes)
