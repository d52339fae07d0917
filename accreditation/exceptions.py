"""What the accreditation services refuse, and why. Each message is safe to show to the person acting."""

from dataclasses import dataclass


class AccreditationError(Exception):
    """A refusal by an accreditation service. `str(exc)` is the message the person sees."""

    message = "Something went wrong. Try again."

    def __init__(self, message: str | None = None):
        self.message = message or self.message
        super().__init__(self.message)


class NotAMember(AccreditationError):
    message = "You are not a member of this organisation."


class NoCurrentEdition(AccreditationError):
    message = "The charter has not been published yet, so applications cannot start. Try again later."


class ApplicationAlreadyOpen(AccreditationError):
    """The organisation already has an application that is not finished."""

    def __init__(self, message: str | None = None, *, application=None):
        self.application = application
        super().__init__(message)

    message = (
        "Your organisation already has an application in progress. "
        "Continue that one: an organisation can have one open application at a time."
    )


class InvalidTransition(AccreditationError):
    """A move the application's transition table does not allow from its present status."""

    def __init__(self, message: str | None = None, *, from_status: str = "", to_status: str = ""):
        self.from_status = from_status
        self.to_status = to_status
        super().__init__(message)


class ApplicationNotEditable(AccreditationError):
    message = "This application has been submitted, so its answers and files can no longer be changed."


class CriterionNotInApplication(AccreditationError):
    """A criterion from another edition, or one the organisation's headcount does not bring in."""

    message = "This criterion is not part of your application."


class InputInvalid(AccreditationError):
    """One or more fields are wrong: `errors` maps each field's name to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))


class AnswerInvalid(InputInvalid):
    """An answer's fields break the charter's rules (fields: response, explanation, action_plan, target_date)."""


class AnswerConflict(AccreditationError):
    """Someone else saved this answer after the form was loaded: the save is refused, nothing is lost.

    `answer` is the answer as it now stands (what the colleague saved), so the page can show it.
    """

    def __init__(self, message: str, *, answer):
        self.answer = answer
        super().__init__(message)


class AnswersRefused(AccreditationError):
    """Some answers on a page were refused; none of the page's answers were saved.

    `refusals` maps each refused criterion's code to its AnswerInvalid, AnswerConflict or other refusal.
    """

    def __init__(self, refusals: dict[str, AccreditationError]):
        self.refusals = dict(refusals)
        super().__init__(" ".join(str(exc) for exc in self.refusals.values()))


class EvidenceInvalid(AccreditationError):
    """The file or its description was refused: `field` says which ("file" or "description")."""

    def __init__(self, message: str, *, field: str, code: str = "invalid"):
        self.field = field
        self.code = code
        super().__init__(message)


class EvidenceGone(AccreditationError):
    message = "This file has already been removed."


class EvidenceNotRemovable(AccreditationError):
    message = (
        "Files cannot be removed once an application has been submitted. "
        "You can add a new file beside it, and say in its description that it replaces the earlier one."
    )


@dataclass(frozen=True)
class Gap:
    """One thing that stops an application being submitted, and the page where it is put right."""

    text: str
    url: str
    field: str = ""  # for gaps fixed on the check-answers page itself: the form field's name


class ApplicationIncomplete(AccreditationError):
    """Submission refused: `gaps` lists every missing thing, each with where to fix it."""

    def __init__(self, gaps: list[Gap]):
        self.gaps = list(gaps)
        super().__init__("Your application cannot be submitted yet: " + "; ".join(gap.text for gap in self.gaps) + ".")


# --- issue 4: the officers' review and decisions ------------------------------------------------


class NotAnOfficer(AccreditationError):
    message = "Only council officers can do this."


class NotALeadOfficer(AccreditationError):
    message = "Only a lead officer can reassign a case."


class AlreadyTaken(AccreditationError):
    """Another officer has the case: `officer` is who (the message names them)."""

    def __init__(self, message: str | None = None, *, officer=None):
        self.officer = officer
        super().__init__(message)

    message = "Another officer has already taken this case."


class NotAssignedOfficer(AccreditationError):
    """Only the officer the case is assigned to may review or recommend it."""

    def __init__(self, message: str | None = None, *, officer=None):
        self.officer = officer
        super().__init__(message)

    message = "This case is not assigned to you. Only the officer who has it can do this."


class CriterionNotReviewable(AccreditationError):
    message = "This criterion is not part of this application, so it cannot be reviewed."


class NoQueries(AccreditationError):
    message = (
        "Raise a query on at least one criterion before asking for changes: the employer needs to know what to change."
    )


class ReviewIncomplete(AccreditationError):
    """Recommending before every criterion has an outcome, or with queries still open."""

    def __init__(self, message: str, *, codes=()):
        self.codes = tuple(codes)
        super().__init__(message)


class LevelNotAllowed(AccreditationError):
    """A level that is not the edition's, above what the verified answers reach, or none at all."""


class FourEyesRequired(AccreditationError):
    message = "You recommended this case, so another officer must approve or reject it (four eyes)."


class RecommendedForRejection(AccreditationError):
    message = "This case was recommended for rejection, so it cannot be approved. Reject it, with a reason."


# --- fees and payments (issue 5) -----------------------------------------------------------------


class NoFeeBand(AccreditationError):
    """No fee schedule is in force on the date, or no band of it covers the organisation."""

    message = (
        "No fee band covers this organisation on this date. The scheme administrator must add one before "
        "this case can be approved."
    )


class FeeNotDue(AccreditationError):
    """Paying, recording or waiving a fee for an accreditation that is not awaiting it."""

    message = "No fee is due for this accreditation."


class PaymentError(AccreditationError):
    """Something went wrong taking a payment (the gateway hierarchy, as django-oscar draws it)."""

    message = "We could not start your payment. Try again, or contact us if it keeps happening."


class PaymentDeclined(PaymentError):
    """The gateway refused the payment for a reason that is safe to show to the payer."""


class GatewayError(PaymentError):
    """The gateway could not be reached or answered with an error: nothing is safe to show but a generic message."""


class WebhookSignatureInvalid(PaymentError):
    """An event whose signature is missing, wrong or too old: answered 400, nothing stored."""

    message = "The event's signature could not be verified."


class AlreadyAccredited(AccreditationError):
    """Starting an application while the organisation's accreditation is awaiting its fee or not yet due for renewal."""

    def __init__(self, message: str | None = None, *, accreditation=None):
        self.accreditation = accreditation
        super().__init__(message)

    message = "Your organisation is already accredited, so it cannot start another application yet."


class PaymentInProgress(AccreditationError):
    """A card payment for the fee is being confirmed: settling the fee another way now could take it twice."""

    message = (
        "A card payment for this fee is being confirmed. Wait until it has succeeded or failed before recording "
        "another payment or waiving the fee."
    )
