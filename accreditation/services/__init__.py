"""Writes for the accreditation process: every change to an application goes through these functions.

One module per sub-domain: `applications` (start, submit, withdraw), `answers`, `evidence`, and
`transitions` (the helper every change of status uses).
"""

from .answers import AnswerInput, answer_save, answers_save
from .applications import application_start, application_submit, application_withdraw
from .evidence import evidence_add, evidence_remove
from .transitions import application_transition

__all__ = [
    "AnswerInput",
    "answer_save",
    "answers_save",
    "application_start",
    "application_submit",
    "application_transition",
    "application_withdraw",
    "evidence_add",
    "evidence_remove",
]
