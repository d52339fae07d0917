"""The accreditation process: applications, answers, evidence, the officers' review, accreditations, fees, payments."""

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
from .fees import FeeBand, FeeRate, FeeSchedule
from .payments import (
    OPEN_PAYMENT_STATUSES,
    PAYMENT_TRANSITIONS,
    RECEIVED_PAYMENT_STATUSES,
    Payment,
    PaymentEvent,
    PaymentEventStatus,
    PaymentMethod,
    PaymentStatus,
)
from .review import REVIEW_NOTE_MAX_LENGTH, CriterionReview, ReviewOutcome
from .sequences import NumberSequence

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
    "FeeBand",
    "FeeRate",
    "FeeSchedule",
    "NumberSequence",
    "OPEN_PAYMENT_STATUSES",
    "PAYMENT_TRANSITIONS",
    "Payment",
    "PaymentEvent",
    "PaymentEventStatus",
    "PaymentMethod",
    "PaymentStatus",
    "RECEIVED_PAYMENT_STATUSES",
    "ReviewOutcome",
]
