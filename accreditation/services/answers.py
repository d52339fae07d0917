"""Saving the employer's answers, with every save kept and concurrent edits never lost (issue 3 point 6).

Optimistic locking: a form carries the version of the answer it was loaded at (0: no answer yet).
A save from an older version is refused with what the colleague saved, unless the person left that
answer exactly as it was when they loaded it (then there is nothing of theirs to save, and the
colleague's answer stands). So two tabs saving the same answer never lose a write silently.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from audit.services import audit_record
from charter.levels import AnswerChoice
from charter.models import Criterion

from ..exceptions import (
    AnswerConflict,
    AnswerInvalid,
    AnswersRefused,
    ApplicationNotEditable,
    CriterionNotInApplication,
)
from ..models import Answer, AnswerRevision, Application
from ._common import clean_text, require_member, text_problem
from .transitions import application_lock

ANSWER_TEXT_MAX_LENGTH = 5000
# How far ahead a "Not yet" target date may be.
TARGET_DATE_MAX_YEARS = 2


@dataclass(frozen=True)
class AnswerInput:
    """One criterion's answer as a form posts it."""

    criterion: Criterion
    response: str
    explanation: str = ""
    action_plan: str = ""
    target_date: date | None = None
    loaded_version: int = 0


def criterion_number(criterion: Criterion) -> str:
    """The criterion's number as people read it: 1.2 is the second criterion of the first commitment."""
    return f"{criterion.commitment.number}.{criterion.order + 1}"


def latest_target_date(today: date) -> date:
    """The furthest a "Not yet" target date may be: two years from today (29 February becomes 28)."""
    try:
        return today.replace(year=today.year + TARGET_DATE_MAX_YEARS)
    except ValueError:
        return today.replace(year=today.year + TARGET_DATE_MAX_YEARS, day=28)


def answer_values(
    criterion: Criterion, *, response: str, explanation: str, action_plan: str, target_date: date | None
) -> dict:
    """The answer's fields as the charter's rules have them, or AnswerInvalid with a message per field.

    Yes: an explanation. Not yet (only where the criterion allows it): an action plan and a target
    date in the future, within two years. No: nothing more. Fields that do not go with the response are
    dropped, not checked.
    """
    today = timezone.localdate()
    explanation, action_plan = clean_text(explanation), clean_text(action_plan)
    errors = {}
    if response not in AnswerChoice.values:
        choices = "Yes, Not yet or No" if criterion.allows_not_yet else "Yes or No"
        raise AnswerInvalid({"response": f"Select {choices}"})
    if response == AnswerChoice.NOT_YET and not criterion.allows_not_yet:
        raise AnswerInvalid({"response": "This criterion does not accept 'Not yet'. Select Yes or No"})
    if response == AnswerChoice.YES:
        if not explanation:
            errors["explanation"] = "Explain how your organisation does this"
        elif problem := text_problem(explanation, label="Your explanation", max_length=ANSWER_TEXT_MAX_LENGTH):
            errors["explanation"] = problem
        action_plan, target_date = "", None
    elif response == AnswerChoice.NOT_YET:
        if not action_plan:
            errors["action_plan"] = "Enter your action plan"
        elif problem := text_problem(action_plan, label="Your action plan", max_length=ANSWER_TEXT_MAX_LENGTH):
            errors["action_plan"] = problem
        if target_date is None:
            errors["target_date"] = "Enter the date by which you will do this"
        elif target_date <= today:
            errors["target_date"] = "The target date must be in the future"
        elif target_date > latest_target_date(today):
            latest = date_format(latest_target_date(today), "j F Y")
            errors["target_date"] = f"The target date must be within {TARGET_DATE_MAX_YEARS} years, by {latest}"
        explanation = ""
    else:
        explanation, action_plan, target_date = "", "", None
    if errors:
        raise AnswerInvalid(errors)
    return {"response": response, "explanation": explanation, "action_plan": action_plan, "target_date": target_date}


def _same(values: dict, saved) -> bool:
    if saved is None:
        return False
    return all(getattr(saved, name) == value for name, value in values.items())


def conflict_message(answer: Answer, *, actor) -> str:
    """What the person sees when a colleague saved the answer after they loaded it."""
    when = timezone.localtime(answer.updated_at)
    at = f"{when:%H:%M}" if when.date() == timezone.localdate() else f"{when:%H:%M} on {date_format(when, 'j F Y')}"
    if answer.updated_by_id == actor.pk:
        return (
            f"You changed this answer in another window at {at} while you were editing it here. "
            "Check the answer saved below and save again if you still want to change it."
        )
    name = answer.updated_by.full_name or answer.updated_by.email
    return (
        f"{name} changed this answer at {at} while you were editing. "
        "Check their answer below and save again if you still want to change it."
    )


def answer_save(
    *,
    actor,
    application: Application,
    criterion: Criterion,
    response: str,
    explanation: str = "",
    action_plan: str = "",
    target_date: date | None = None,
    loaded_version: int,
) -> Answer:
    """Save one answer while the application is editable; every change is kept as a revision and audited.

    `loaded_version` is the answer's version when the form was loaded (0 when there was none). Refused
    with AnswerInvalid (per field), AnswerConflict (a colleague saved since), ApplicationNotEditable or
    CriterionNotInApplication. Saving what is already saved changes nothing.
    """
    with transaction.atomic():
        locked = application_lock(application)
        require_member(actor=actor, organisation=locked.organisation)
        if not locked.is_editable:
            raise ApplicationNotEditable
        if criterion.edition_id != locked.edition_id or not criterion.applies_to(locked.assessed_employee_count):
            raise CriterionNotInApplication
        values = answer_values(
            criterion, response=response, explanation=explanation, action_plan=action_plan, target_date=target_date
        )
        answer = (
            Answer.objects.select_for_update(of=("self",))
            .select_related("updated_by")
            .filter(application=locked, criterion=criterion)
            .first()
        )
        current_version = answer.version if answer else 0
        if _same(values, answer):
            return answer
        if loaded_version != current_version:
            loaded = (
                AnswerRevision.objects.filter(answer=answer, version=loaded_version).first()
                if answer is not None and loaded_version
                else None
            )
            if loaded is not None and _same(values, loaded):
                # Left as it was loaded: nothing of theirs to save, and the colleague's answer stands.
                return answer
            raise AnswerConflict(conflict_message(answer, actor=actor), answer=answer)
        previous = answer.response if answer else ""
        if answer is None:
            answer = Answer(application=locked, criterion=criterion, version=1, updated_by=actor, **values)
        else:
            for name, value in values.items():
                setattr(answer, name, value)
            answer.version += 1
            answer.updated_by = actor
        answer.save()
        AnswerRevision.objects.create(
            answer=answer,
            version=answer.version,
            saved_by=actor,
            submission_round=locked.submission_round,
            **values,
        )
        label = AnswerChoice(values["response"]).label
        audit_record(
            actor=actor,
            action="answer.save",
            obj=locked,
            from_state=previous,
            to_state=values["response"],
            note=f"{criterion_number(criterion)} {_short(criterion.text)}: {label} (version {answer.version}).",
        )
    return answer


def answers_save(*, actor, application: Application, answers: list[AnswerInput]) -> list[Answer]:
    """Save several answers (one page's) together: all of them, or none with every refusal listed.

    Raises AnswersRefused mapping each refused criterion's code to its refusal; the page's other
    answers are then not saved either, so the page can be corrected and saved again as a whole.
    """
    saved, refusals = [], {}
    with transaction.atomic():
        for item in answers:
            try:
                saved.append(
                    answer_save(
                        actor=actor,
                        application=application,
                        criterion=item.criterion,
                        response=item.response,
                        explanation=item.explanation,
                        action_plan=item.action_plan,
                        target_date=item.target_date,
                        loaded_version=item.loaded_version,
                    )
                )
            except (AnswerInvalid, AnswerConflict, CriterionNotInApplication) as exc:
                refusals[item.criterion.code] = exc
        if refusals:
            raise AnswersRefused(refusals)
    return saved


def _short(text: str, limit: int = 60) -> str:
    if len(text) <= limit:
        return f"'{text}'"
    return "'" + text[: limit + 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…'"
