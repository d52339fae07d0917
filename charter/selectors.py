"""Reading editions: the current one, with everything its pages and the level function need.

Which edition is current: the one with the latest `published` date that has arrived (a tie goes
to the one loaded last). So an administrator can load next year's edition ahead of time and it takes
over on its date; applications already started keep theirs. Before any edition's date has arrived
(a council launching ahead of its first edition's date), the earliest edition is current, so that
there is always a charter to read and apply against once one is loaded.
"""

from datetime import date

from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from .content import CommitmentContent, CriterionContent, EditionContent, LevelContent
from .models import Commitment, Criterion, Edition


def editions_with_content() -> QuerySet[Edition]:
    """Editions with their levels, commitments and criteria prefetched (three more queries in all)."""
    return Edition.objects.prefetch_related(
        "levels",
        Prefetch("commitments", queryset=Commitment.objects.order_by("order")),
        Prefetch("commitments__criteria", queryset=Criterion.objects.order_by("order")),
    )


def current_edition(*, today: date | None = None) -> Edition | None:
    """The current edition with its content prefetched, or None when none is loaded (four queries)."""
    today = today or timezone.localdate()
    arrived = Q(published__lte=today)
    return (
        editions_with_content()
        .annotate(arrived=Case(When(arrived, then=Value(1)), default=Value(0), output_field=IntegerField()))
        .order_by(
            "-arrived",
            # Arrived editions: the latest date first. Upcoming ones (all NULL here): the earliest date first.
            Case(When(arrived, then=F("published"))).desc(nulls_last=True),
            "published",
            "-loaded_at",
            "-pk",
        )
        .first()
    )


def edition_content(edition: Edition) -> EditionContent:
    """The edition as plain frozen values, for the level function (uses what is prefetched)."""
    return EditionContent(
        code=edition.code,
        name=edition.name,
        council=edition.council,
        published=edition.published,
        summary=edition.summary,
        declaration=edition.declaration,
        levels=tuple(
            LevelContent(code=level.code, name=level.name, rule=level.rule, min_optional=level.min_optional)
            for level in sorted(edition.levels.all(), key=lambda level: level.rank)
        ),
        commitments=tuple(
            CommitmentContent(
                code=commitment.code,
                title=commitment.title,
                summary=commitment.summary,
                mandatory=commitment.mandatory,
                criteria=tuple(
                    CriterionContent(
                        code=criterion.code,
                        text=criterion.text,
                        guidance=criterion.guidance,
                        evidence=tuple(criterion.evidence),
                        allows_not_yet=criterion.allows_not_yet,
                        min_employees=criterion.min_employees,
                    )
                    for criterion in sorted(commitment.criteria.all(), key=lambda criterion: criterion.order)
                ),
            )
            for commitment in sorted(edition.commitments.all(), key=lambda commitment: commitment.order)
        ),
    )
