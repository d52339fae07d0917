"""The accreditation process: applications, answers, evidence, the officers' review and accreditations."""

from .accreditations import (
    ACCREDITATION_STATUS_LABELS,
    ACCREDITATION_TRANSITIONS,
    Accreditation,
    AccreditationStatus,
)
from .applications import (
    APPLICATION_TRANSITIONS,
    OPEN_STATUSES,
    Answer,
    AnswerRevision,
    Application,
    ApplicationStatus,
)
from .evidence import Evidence
from .review import REVIEW_NOTE_MAX_LENGTH, CriterionReview, ReviewOutcome

__all__ = [
    "ACCREDITATION_STATUS_LABELS",
    "ACCREDITATION_TRANSITIONS",
    "APPLICATION_TRANSITIONS",
    "OPEN_STATUSES",
    "REVIEW_NOTE_MAX_LENGTH",
    "Accreditation",
    "AccreditationStatus",
    "Answer",
    "AnswerRevision",
    "Application",
    "ApplicationStatus",
    "CriterionReview",
    "Evidence",
    "ReviewOutcome",
]
