"""Emails sent by the task worker (in-process by default) after the change that causes them commits."""

from .applications import (
    send_application_approved_email,
    send_application_rejected_email,
    send_application_submitted_email,
    send_application_taken_email,
    send_application_withdrawn_email,
    send_case_resubmitted_email,
    send_changes_requested_email,
)
from .fees import send_accredited_email, send_payment_receipt_email

__all__ = [
    "send_accredited_email",
    "send_application_approved_email",
    "send_application_rejected_email",
    "send_application_submitted_email",
    "send_application_taken_email",
    "send_application_withdrawn_email",
    "send_case_resubmitted_email",
    "send_changes_requested_email",
    "send_payment_receipt_email",
]
