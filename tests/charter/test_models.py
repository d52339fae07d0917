"""charter.models: the database keeps editions consistent even if something bypasses the loader."""

import pytest
from django.db import IntegrityError, transaction

from charter.models import Commitment, Criterion, Level


def test_commitment_codes_are_unique_in_an_edition(charter_edition):
    """A second commitment with an existing code in the same edition is refused by the database."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.create(edition=charter_edition, code="pay", title="T", summary="S", mandatory=True, order=99)


def test_criterion_codes_are_unique_across_an_edition(charter_edition):
    """A criterion code is unique in its edition, even under another commitment."""
    hours = charter_edition.commitments.get(code="hours")
    with pytest.raises(IntegrityError), transaction.atomic():
        Criterion.objects.create(
            edition=charter_edition, commitment=hours, code="pay.direct", text="T", allows_not_yet=False, order=99
        )


def test_a_criterion_needs_at_least_one_employee(charter_edition):
    """min_employees of 0 is refused by the database (it would mean nothing)."""
    hours = charter_edition.commitments.get(code="hours")
    with pytest.raises(IntegrityError), transaction.atomic():
        Criterion.objects.create(
            edition=charter_edition,
            commitment=hours,
            code="hours.more",
            text="T",
            allows_not_yet=False,
            min_employees=0,
            order=99,
        )


@pytest.mark.parametrize(
    ("rule", "min_optional"),
    [("mandatory_plus", None), ("mandatory_plus", 0), ("mandatory_only", 2), ("all_commitments", 1), ("best", None)],
)
def test_a_level_rule_and_min_optional_must_agree(charter_edition, rule, min_optional):
    """min_optional is required (1 or more) for mandatory_plus and refused for other rules; rules are known."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Level.objects.create(
            edition=charter_edition, code="extra", name="Extra", rule=rule, min_optional=min_optional, rank=9
        )


def test_applicable_to_filters_by_headcount(charter_edition):
    """Criterion.objects.applicable_to(n) leaves out criteria asked only of bigger organisations."""
    criteria = Criterion.objects.filter(edition=charter_edition)
    assert criteria.applicable_to(249).count() == 17
    assert not criteria.applicable_to(249).filter(code="inclusion.pay_gap").exists()
    assert criteria.applicable_to(250).count() == 18


def test_criterion_knows_whether_it_applies_and_asks_for_evidence(charter_edition):
    """A criterion says whether it applies to a headcount and whether a Yes needs evidence."""
    pay_gap = Criterion.objects.get(edition=charter_edition, code="inclusion.pay_gap")
    assert (pay_gap.applies_to(249), pay_gap.applies_to(250)) == (False, True)
    assert pay_gap.requires_evidence
    assert not Criterion.objects.get(edition=charter_edition, code="pay.uplift").requires_evidence


def test_criteria_list_in_the_charters_order(charter_edition):
    """Criteria sort by commitment, then by their place in it, as the charter lists them."""
    codes = list(Criterion.objects.filter(edition=charter_edition).values_list("code", flat=True))
    assert codes[:5] == ["pay.direct", "pay.contractors", "pay.uplift", "pay.lwf", "hours.no_zero_hours"]
    assert codes[-1] == "local.recruitment"


def test_names_read_naturally(charter_edition):
    """An edition reads as its name and code; a commitment as its title, numbered from 1."""
    assert str(charter_edition) == "Fine City Employers Charter (2027)"
    pay = charter_edition.commitments.get(code="pay")
    assert (str(pay), pay.number) == ("Pay the real Living Wage", 1)
