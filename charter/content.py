"""An edition's content as plain frozen values: what the charter file says, without the database.

The loader builds these from a validated file; `charter.selectors.edition_content` builds the same
values from a stored edition. The level function (`charter.levels`) works on them, so it needs no
database and can be tested on its own.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from django.db import models


class LevelRule(models.TextChoices):
    """How a level is reached. The charter file names one of these for each level."""

    ALL_COMMITMENTS = "all_commitments", "Every commitment met"
    MANDATORY_PLUS = "mandatory_plus", "Every mandatory commitment met, and at least a number of the others"
    MANDATORY_ONLY = "mandatory_only", "Every mandatory commitment met"


@dataclass(frozen=True)
class CriterionContent:
    """One thing an employer answers Yes, Not yet or No to."""

    code: str
    text: str
    guidance: str = ""
    evidence: tuple[str, ...] = ()
    allows_not_yet: bool = False
    min_employees: int | None = None

    def applies_to(self, employees: int) -> bool:
        """Whether an organisation of `employees` people is asked this criterion."""
        return self.min_employees is None or employees >= self.min_employees

    @property
    def requires_evidence(self) -> bool:
        return bool(self.evidence)


@dataclass(frozen=True)
class CommitmentContent:
    """A promise the charter asks for, made good by meeting all its criteria."""

    code: str
    title: str
    summary: str
    mandatory: bool
    criteria: tuple[CriterionContent, ...]

    def applicable_criteria(self, employees: int) -> tuple[CriterionContent, ...]:
        """Its criteria that an organisation of `employees` people is asked, in order."""
        return tuple(criterion for criterion in self.criteria if criterion.applies_to(employees))


@dataclass(frozen=True)
class LevelContent:
    """A level of accreditation and the rule that reaches it."""

    code: str
    name: str
    rule: str
    min_optional: int | None = None


@dataclass(frozen=True)
class EditionContent:
    """A whole edition: its words, its levels (highest first) and its commitments (in order)."""

    code: str
    name: str
    council: str
    published: date
    summary: str
    declaration: str
    levels: tuple[LevelContent, ...]
    commitments: tuple[CommitmentContent, ...]

    @property
    def mandatory_commitments(self) -> tuple[CommitmentContent, ...]:
        return tuple(commitment for commitment in self.commitments if commitment.mandatory)

    @property
    def optional_commitments(self) -> tuple[CommitmentContent, ...]:
        return tuple(commitment for commitment in self.commitments if not commitment.mandatory)

    @property
    def criteria(self) -> tuple[CriterionContent, ...]:
        """Every criterion, in the order the charter lists them."""
        return tuple(criterion for commitment in self.commitments for criterion in commitment.criteria)

    def applicable_criteria(self, employees: int) -> tuple[CriterionContent, ...]:
        """The criteria an organisation of `employees` people is asked, in the charter's order."""
        return tuple(criterion for criterion in self.criteria if criterion.applies_to(employees))

    def canonical(self) -> dict:
        """The content as plain JSON-ready data: what the content hash is computed over."""
        return {
            "edition": self.code,
            "name": self.name,
            "council": self.council,
            "published": self.published.isoformat(),
            "summary": self.summary,
            "declaration": self.declaration,
            "levels": [
                {"code": lv.code, "name": lv.name, "rule": str(lv.rule), "min_optional": lv.min_optional}
                for lv in self.levels
            ],
            "commitments": [
                {
                    "code": cm.code,
                    "title": cm.title,
                    "summary": cm.summary,
                    "mandatory": cm.mandatory,
                    "criteria": [
                        {
                            "code": cr.code,
                            "text": cr.text,
                            "guidance": cr.guidance,
                            "evidence": list(cr.evidence),
                            "allows_not_yet": cr.allows_not_yet,
                            "min_employees": cr.min_employees,
                        }
                        for cr in cm.criteria
                    ],
                }
                for cm in self.commitments
            ],
        }

    def canonical_hash(self) -> str:
        """SHA-256 of the canonical content: the same for any file that says the same thing.

        Comments, key order, quoting and line folding in the file do not change it; any change to
        a word, a flag, a number or the order of commitments, criteria or levels does.
        """
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
