"""The public charter page."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from .levels import level_requirement
from .selectors import current_edition


@require_safe
def index(request):
    """The current edition: its levels, commitments and criteria, for anyone deciding whether to apply."""
    edition = current_edition()
    if edition is None:
        return render(request, "charter/not_published.html", status=404)
    commitments = list(edition.commitments.all())
    mandatory = sum(1 for commitment in commitments if commitment.mandatory)
    optional = len(commitments) - mandatory
    levels = [
        {"level": level, "requirement": level_requirement(level, mandatory=mandatory, optional=optional)}
        for level in sorted(edition.levels.all(), key=lambda level: level.rank)
    ]
    return render(
        request,
        "charter/index.html",
        {
            "edition": edition,
            "commitments": commitments,
            "levels": levels,
            "lowest_level": levels[-1]["level"] if levels else None,
            "mandatory_count": mandatory,
            "optional_count": optional,
            "allows_not_yet_anywhere": any(
                criterion.allows_not_yet for commitment in commitments for criterion in commitment.criteria.all()
            ),
        },
    )
