"""Which level an employer reaches, and why: one pure function of an edition and a set of answers.

The rules (PRODUCT.md section 2 and the charter file):
- A criterion applies to an organisation unless its `min_employees` is above the headcount; criteria
  that do not apply are not asked and not required (any answer to them is ignored).
- A commitment is met when every applicable criterion is answered Yes, and, when verifications are
  given (after the officer's review), every one of them is verified too. "Not yet" is not met: it is
  a promise with an action plan, accepted as an answer only where the criterion allows it (which
  matters to the form, not to the level). A missing answer is not met.
- Levels are tried highest first, as the edition lists them; the first whose rule holds is reached:
  `all_commitments` (every commitment met), `mandatory_plus` (every mandatory commitment met and at
  least `min_optional` optional ones), `mandatory_only` (every mandatory commitment met). None holding
  means "below" the lowest level, and an application cannot be approved.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import models

from .content import CommitmentContent, CriterionContent, EditionContent, LevelContent, LevelRule


class AnswerChoice(models.TextChoices):
    """What an employer can answer to a criterion."""

    YES = "yes", "Yes, we do this"
    NOT_YET = "not_yet", "Not yet"
    NO = "no", "No"


@dataclass(frozen=True)
class CommitmentOutcome:
    """Whether one commitment is met, and why, in plain English."""

    commitment: CommitmentContent
    met: bool
    reason: str
    applicable: tuple[CriterionContent, ...]
    # Codes of the applicable criteria that stop it being met, by cause (empty when met).
    answered_no: tuple[str, ...] = ()
    answered_not_yet: tuple[str, ...] = ()
    unanswered: tuple[str, ...] = ()
    not_verified: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        return self.commitment.code

    @property
    def title(self) -> str:
        return self.commitment.title

    @property
    def mandatory(self) -> bool:
        return self.commitment.mandatory


@dataclass(frozen=True)
class LevelOutcome:
    """Whether one level's rule holds, and why (not)."""

    level: LevelContent
    rule_holds: bool
    reason: str


@dataclass(frozen=True)
class LevelResult:
    """The level reached (None: below every level), and the outcome of every commitment and level."""

    level: LevelContent | None
    commitments: tuple[CommitmentOutcome, ...]
    levels: tuple[LevelOutcome, ...]
    employees: int
    verifications_applied: bool

    @property
    def level_code(self) -> str | None:
        return self.level.code if self.level else None

    @property
    def label(self) -> str:
        """The level's name, or "Below <lowest level>"."""
        if self.level:
            return self.level.name
        return f"Below {self.levels[-1].level.name}" if self.levels else "No level"

    @property
    def all_mandatory_met(self) -> bool:
        return all(outcome.met for outcome in self.commitments if outcome.mandatory)

    @property
    def met(self) -> tuple[CommitmentOutcome, ...]:
        return tuple(outcome for outcome in self.commitments if outcome.met)

    @property
    def optional_met_count(self) -> int:
        return sum(1 for outcome in self.commitments if outcome.met and not outcome.mandatory)

    def commitment(self, code: str) -> CommitmentOutcome:
        """The outcome for the commitment with this code (KeyError if the edition has none)."""
        for outcome in self.commitments:
            if outcome.code == code:
                return outcome
        raise KeyError(code)


def applicable_criteria(edition: EditionContent, employees: int) -> tuple[CriterionContent, ...]:
    """The criteria an organisation of `employees` people is asked, in the charter's order."""
    _check_employees(employees)
    return edition.applicable_criteria(employees)


def compute_level(
    edition: EditionContent,
    *,
    employees: int,
    answers: Mapping[str, str | None],
    verifications: Mapping[str, bool] | None = None,
) -> LevelResult:
    """The level `answers` reach for an organisation of `employees`, with the reason for each outcome.

    `answers` maps criterion codes to "yes", "not_yet" or "no" (missing, None or "" = not answered).
    `verifications`, once an officer has reviewed, maps criterion codes to True (verified) or False
    (queried); a Yes without `True` there then does not count. Leave it None for the provisional level.
    """
    _check_employees(employees)
    for code, answer in answers.items():
        if answer not in (None, "") and answer not in AnswerChoice.values:
            raise ValueError(f"Unknown answer {answer!r} to {code!r}: expected one of {AnswerChoice.values}.")
    commitments = tuple(_commitment_outcome(c, employees, answers, verifications) for c in edition.commitments)
    level_outcomes = tuple(_level_outcome(level, commitments) for level in edition.levels)
    reached = next((outcome.level for outcome in level_outcomes if outcome.rule_holds), None)
    return LevelResult(
        level=reached,
        commitments=commitments,
        levels=level_outcomes,
        employees=employees,
        verifications_applied=verifications is not None,
    )


def level_requirement(level: LevelContent, *, mandatory: int, optional: int) -> str:
    """What a level asks for, in plain words, from its rule and the edition's counts of commitments.

    `level` is a LevelContent or a `charter.models.Level` (anything with `rule` and `min_optional`).
    """
    the_mandatory = "the mandatory commitment" if mandatory == 1 else f"all {_number(mandatory)} mandatory commitments"
    if mandatory == 0 and level.rule == LevelRule.MANDATORY_PLUS:
        return f"Meet at least {_number(level.min_optional)} of the {_number(optional)} commitments."
    if level.rule == LevelRule.ALL_COMMITMENTS:
        total = mandatory + optional
        return "Meet the charter's commitment." if total == 1 else f"Meet all {_number(total)} commitments."
    if level.rule == LevelRule.MANDATORY_PLUS:
        if level.min_optional == optional:
            others = "the other one" if optional == 1 else f"all {_number(optional)} others"
            return f"Meet {the_mandatory} and {others}."
        others = "other" if optional == 1 else f"other {_number(optional)}"
        return f"Meet {the_mandatory} and at least {_number(level.min_optional)} of the {others}."
    return f"Meet {the_mandatory}."


def _number(n: int) -> str:
    # GOV.UK style: numerals, except "one".
    return "one" if n == 1 else str(n)


def _check_employees(employees: int) -> None:
    if isinstance(employees, bool) or not isinstance(employees, int) or employees < 0:
        raise ValueError(f"employees must be a whole number of people, not {employees!r}")


def _quote(criterion: CriterionContent, limit: int = 32) -> str:
    """The start of a criterion's text, to name it in a sentence."""
    text = criterion.text
    if len(text) <= limit:
        return f"'{text}'"
    cut = text[: limit + 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return f"'{cut}…'"


def _commitment_outcome(
    commitment: CommitmentContent,
    employees: int,
    answers: Mapping[str, str | None],
    verifications: Mapping[str, bool] | None,
) -> CommitmentOutcome:
    applicable = commitment.applicable_criteria(employees)
    no, not_yet, unanswered, not_verified = [], [], [], []
    reasons = []
    for criterion in applicable:
        answer = answers.get(criterion.code) or None
        if answer == AnswerChoice.NO:
            no.append(criterion.code)
            reasons.append(f"{_quote(criterion)} is answered No")
        elif answer == AnswerChoice.NOT_YET:
            not_yet.append(criterion.code)
            reasons.append(f"{_quote(criterion)} is 'Not yet' (an action plan is not the same as doing it)")
        elif answer is None:
            unanswered.append(criterion)
        elif verifications is not None and verifications.get(criterion.code) is not True:
            not_verified.append(criterion.code)
            if criterion.code in verifications:
                reasons.append(f"{_quote(criterion)} is not verified by the officer")
            else:
                reasons.append(f"{_quote(criterion)} has not been checked by the officer yet")
    if len(unanswered) == 1:
        reasons.append(f"{_quote(unanswered[0])} is not answered yet")
    elif unanswered:
        reasons.append(f"{len(unanswered)} criteria are not answered yet")
    met = not reasons
    if met:
        reason = "Met" if applicable else f"Met: none of its criteria apply to an organisation of {employees}"
    else:
        reason = "Not met: " + "; ".join(reasons)
    return CommitmentOutcome(
        commitment=commitment,
        met=met,
        reason=reason,
        applicable=applicable,
        answered_no=tuple(no),
        answered_not_yet=tuple(not_yet),
        unanswered=tuple(criterion.code for criterion in unanswered),
        not_verified=tuple(not_verified),
    )


def _titles(outcomes: list[CommitmentOutcome]) -> str:
    titles = [f"'{outcome.title}'" for outcome in outcomes]
    return titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} and {titles[-1]}"


def _optional_met(count: int) -> str:
    if count == 0:
        return "no optional commitment is met"
    return f"{count} optional commitment{' is' if count == 1 else 's are'} met"


def _level_outcome(level: LevelContent, commitments: tuple[CommitmentOutcome, ...]) -> LevelOutcome:
    mandatory_unmet = [o for o in commitments if o.mandatory and not o.met]
    optional_unmet = [o for o in commitments if not o.mandatory and not o.met]
    optional_met = sum(1 for o in commitments if not o.mandatory and o.met)
    shortfalls = []
    if mandatory_unmet:
        verb = "is" if len(mandatory_unmet) == 1 else "are"
        shortfalls.append(f"mandatory {_titles(mandatory_unmet)} {verb} not met")
    if level.rule == LevelRule.ALL_COMMITMENTS:
        if optional_unmet:
            verb = "is" if len(optional_unmet) == 1 else "are"
            shortfalls.append(f"{_titles(optional_unmet)} {verb} not met")
        held = "every commitment is met"
    elif level.rule == LevelRule.MANDATORY_PLUS:
        if optional_met < level.min_optional:
            shortfalls.append(f"{_optional_met(optional_met)}, and it needs at least {level.min_optional}")
        held = f"every mandatory commitment is met, and {optional_met} optional ones (at least {level.min_optional})"
    elif level.rule == LevelRule.MANDATORY_ONLY:
        held = "every mandatory commitment is met"
    else:
        raise ValueError(f"Unknown level rule {level.rule!r} for level {level.code!r}")
    if shortfalls:
        return LevelOutcome(level=level, rule_holds=False, reason="Not reached: " + "; ".join(shortfalls))
    return LevelOutcome(level=level, rule_holds=True, reason=f"Reached: {held}")
