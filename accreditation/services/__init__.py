"""Writes for the accreditation process: every change to an application goes through these functions.

One module per sub-domain: `applications` (start, submit, withdraw), `answers`, `evidence`,
`review` (take, reassign, verify, query, request changes), `decisions` (recommend, approve, reject),
`fees` (fee bands, offline payments, waivers, flagged payments), `payments` (online checkout and the
gateway's events), `activation` (the one way an accreditation becomes active), `sequences` (receipt
numbers), and `transitions` (the helper every change of an application's status uses).
"""

from .activation import accreditation_activate, accreditation_transition
from .answers import AnswerInput, answer_save, answers_save
from .applications import application_start, application_submit, application_withdraw
from .decisions import (
    application_approve,
    application_recommend,
    application_recommend_rejection,
    application_reject,
)
from .evidence import evidence_add, evidence_open, evidence_remove
from .fees import (
    fee_for,
    fee_waive,
    payment_accept,
    payment_attention_clear,
    payment_record_offline,
)
from .payment_events import payment_event_receive, payment_event_rerun
from .payments import payment_checkout_start
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
    "accreditation_activate",
    "accreditation_transition",
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
    "evidence_open",
    "evidence_remove",
    "fee_for",
    "fee_waive",
    "is_lead_officer",
    "payment_accept",
    "payment_attention_clear",
    "payment_checkout_start",
    "payment_event_receive",
    "payment_event_rerun",
    "payment_record_offline",
]
