"""Writes for the accreditation process: every change to an application goes through these functions.

One module per sub-domain: `applications` (start, submit, withdraw), `answers`, `evidence`,
`review` (take, reassign, verify, query, request changes), `decisions` (recommend, approve, reject),
and `transitions` (the helper every change of status uses).
"""

from .answers import AnswerInput, answer_save, answers_save
from .applications import application_start, application_submit, application_withdraw
from .decisions import (
    application_approve,
    application_recommend,
    application_recommend_rejection,
    application_reject,
)
from .evidence import evidence_add, evidence_remove
from .review import (
    application_reassign,
    application_request_changes,
    application_take,
    criterion_query,
    criterion_verify,
    is_lead_officer,
)
from .transitions import application_transition

__all__ = [
    "AnswerInput",
    "answer_save",
    "answers_save",
    "application_approve",
    "application_reassign",
    "application_recommend",
    "application_recommend_rejection",
    "application_reject",
    "application_request_changes",
    "application_start",
    "application_submit",
    "application_take",
    "application_transition",
    "application_withdraw",
    "criterion_query",
    "criterion_verify",
    "evidence_add",
    "evidence_remove",
    "is_lead_officer",
]
