"""The accreditation process: applications, answers and evidence (later: review, decisions, fees...)."""

from .applications import (
    APPLICATION_TRANSITIONS,
    OPEN_STATUSES,
    Answer,
    AnswerRevision,
    Application,
    ApplicationStatus,
)
from .evidence import Evidence

__all__ = [
    "APPLICATION_TRANSITIONS",
    "OPEN_STATUSES",
    "Answer",
    "AnswerRevision",
    "Application",
    "ApplicationStatus",
    "Evidence",
]
