"""Employer-side reads: scoping through memberships, an application as its pages see it, what stops a
submission, the plain-English timeline and status tags."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.roles import is_officer
from audit.models import AuditEvent
from charter.content import CommitmentContent, CriterionContent, EditionContent
from charter.levels import AnswerChoice, LevelResult, compute_level
from charter.models import Commitment, Criterion
from charter.selectors import edition_content

from ..exceptions import Gap
from ..models import (
    OPEN_STATUSES,
    Accreditation,
    AccreditationStatus,
    Answer,
    Application,
    ApplicationStatus,
    Evidence,
)
from .review import open_query_codes

# --- scoping -----------------------------------------------------------------------------------


def with_edition(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """Applications with their organisation, people and edition content (four queries in all)."""
    return queryset.select_related(
        "organisation", "edition", "created_by", "submitted_by", "withdrawn_by"
    ).prefetch_related(
        "edition__levels",
        Prefetch("edition__commitments", queryset=Commitment.objects.order_by("order")),
        Prefetch("edition__commitments__criteria", queryset=Criterion.objects.order_by("order")),
    )


def applications_for_member(user) -> QuerySet[Application]:
    """Applications of every organisation `user` belongs to (none for anonymous people)."""
    if user is None or not user.is_authenticated:
        return Application.objects.none()
    return Application.objects.filter(organisation__memberships__user=user)


def application_for_member(user, pk: int) -> Application:
    """One application of an organisation `user` belongs to, with its edition's content; else Http404."""
    application = with_edition(applications_for_member(user)).filter(pk=pk).first()
    if application is None:
        raise Http404("No such application.")
    return application


def organisation_applications(organisation) -> list[Application]:
    """An organisation's applications, newest first (one query)."""
    return list(
        Application.objects.filter(organisation=organisation)
        .select_related("organisation", "edition", "created_by", "submitted_by", "withdrawn_by")
        .order_by("-created_at", "-pk")
    )


def open_application(organisation) -> Application | None:
    """The organisation's open application, if it has one (at most one can be open)."""
    return Application.objects.filter(organisation=organisation, status__in=OPEN_STATUSES).first()


# A renewal application may start this many days before the accreditation expires (PRODUCT.md section 3).
RENEWAL_WINDOW_DAYS = 90


def accreditation_blocking_start(organisation, today: date | None = None) -> Accreditation | None:
    """The accreditation that stops the organisation starting an application today, if any.

    One application per accreditation year: not while an approved accreditation awaits its fee, nor
    while one is active or suspended and more than RENEWAL_WINDOW_DAYS from its last day.
    """
    today = today or timezone.localdate()
    renewal_opens_after = today + timedelta(days=RENEWAL_WINDOW_DAYS)
    return (
        Accreditation.objects.filter(organisation=organisation)
        .filter(
            Q(status=AccreditationStatus.AWAITING_FEE)
            | Q(
                status__in=(AccreditationStatus.ACTIVE, AccreditationStatus.SUSPENDED),
                valid_until__gt=renewal_opens_after,
            )
        )
        .order_by("-approved_at")
        .first()
    )


def renewal_opens_on(accreditation: Accreditation) -> date | None:
    """The first day a renewal application can start for an active accreditation."""
    if accreditation.valid_until is None:
        return None
    return accreditation.valid_until - timedelta(days=RENEWAL_WINDOW_DAYS)


def evidence_for_member(user, *, application_pk: int, evidence_pk: int) -> Evidence:
    """One file of an application of `user`'s organisation; else Http404."""
    evidence = (
        Evidence.objects.select_related("application", "criterion")
        .filter(pk=evidence_pk, application_id=application_pk, application__in=applications_for_member(user))
        .first()
    )
    if evidence is None:
        raise Http404("No such file.")
    return evidence


def evidence_for_download(user, *, application_pk: int, evidence_pk: int) -> Evidence:
    """A file `user` may download: any file for an officer, else one of their organisation's; else Http404."""
    if is_officer(user):
        evidence = Evidence.objects.filter(pk=evidence_pk, application_id=application_pk).first()
        if evidence is None:
            raise Http404("No such file.")
        return evidence
    return evidence_for_member(user, application_pk=application_pk, evidence_pk=evidence_pk)


# --- an application as its pages see it ---------------------------------------------------------


@dataclass
class CriterionState:
    """One criterion of an application: the charter's words, the answer and the files."""

    criterion: Criterion
    content: CriterionContent
    number: str
    answer: Answer | None
    files: list[Evidence]

    @property
    def code(self) -> str:
        return self.criterion.code

    @property
    def answered(self) -> bool:
        return self.answer is not None

    @property
    def evidence_missing(self) -> bool:
        """Answered Yes to a criterion that asks for evidence, with no file yet."""
        return (
            self.criterion.requires_evidence
            and self.answer is not None
            and self.answer.response == AnswerChoice.YES
            and not self.files
        )

    @property
    def complete(self) -> bool:
        return self.answered and not self.evidence_missing


class TaskStatus:
    """A task's status on the task list, as GOV.UK's task list pattern words them."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    # Issue 4: an officer has queried one of its criteria and the employer has not answered yet.
    NEEDS_CHANGES = "needs_changes"
    CANNOT_START_YET = "cannot_start_yet"

    LABELS = {
        NOT_STARTED: "Not started",
        IN_PROGRESS: "In progress",
        COMPLETED: "Completed",
        NEEDS_CHANGES: "Needs changes",
        CANNOT_START_YET: "Cannot start yet",
    }
    # GOV.UK: "Completed" is plain text; the others are tags (None = plain text).
    TAGS = {
        NOT_STARTED: "govuk-tag--blue",
        IN_PROGRESS: "govuk-tag--light-blue",
        COMPLETED: None,
        NEEDS_CHANGES: "govuk-tag--red",
        CANNOT_START_YET: None,
    }


@dataclass
class CommitmentState:
    """One commitment of an application: its applicable criteria with answers and files, and its task status."""

    commitment: Commitment
    content: CommitmentContent
    criteria: list[CriterionState]
    outcome: object  # charter.levels.CommitmentOutcome
    status: str = TaskStatus.NOT_STARTED

    @property
    def code(self) -> str:
        return self.commitment.code

    @property
    def status_label(self) -> str:
        return TaskStatus.LABELS[self.status]

    @property
    def status_tag(self) -> str | None:
        return TaskStatus.TAGS[self.status]

    @property
    def answered_count(self) -> int:
        return sum(1 for c in self.criteria if c.answered)

    @property
    def files_needed(self) -> list[CriterionState]:
        """Criteria answered Yes that still need their evidence file."""
        return [c for c in self.criteria if c.evidence_missing]


@dataclass
class ApplicationState:
    """What the task list, commitment, evidence and check-answers pages need, read in a fixed number of queries."""

    application: Application
    content: EditionContent
    employees: int
    commitments: list[CommitmentState]
    level: LevelResult
    criteria_by_code: dict[str, CriterionState] = field(default_factory=dict)

    @property
    def applicable(self) -> list[CriterionState]:
        return [criterion for commitment in self.commitments for criterion in commitment.criteria]

    @property
    def completed_count(self) -> int:
        return sum(1 for c in self.commitments if c.status == TaskStatus.COMPLETED)

    @property
    def all_completed(self) -> bool:
        return all(c.status == TaskStatus.COMPLETED for c in self.commitments)

    def commitment(self, code: str) -> CommitmentState | None:
        return next((c for c in self.commitments if c.code == code), None)

    def next_commitment(self, code: str) -> CommitmentState | None:
        """The commitment after `code` that has something to answer, or None after the last."""
        codes = [c.code for c in self.commitments if c.criteria]
        if code not in codes:
            return None
        index = codes.index(code)
        return self.commitments_by_code()[codes[index + 1]] if index + 1 < len(codes) else None

    def commitments_by_code(self) -> dict[str, CommitmentState]:
        return {c.code: c for c in self.commitments}


def application_state(application: Application, *, queried_codes: frozenset[str] | None = None) -> ApplicationState:
    """The application's commitments, applicable criteria, answers, files, task statuses and provisional level.

    `application` should come from `application_for_member` (edition content prefetched); this adds
    two queries (answers, files) whatever their number, and a third while changes are requested.
    `queried_codes`: criteria whose commitments show "Needs changes"; by default (None) those an
    officer queried in the latest round that the employer has not acted on since (issue 4).
    """
    edition = application.edition
    content = edition_content(edition)
    employees = application.assessed_employee_count
    answers = {
        answer.criterion_id: answer
        for answer in Answer.objects.filter(application=application).select_related("updated_by")
    }
    files = defaultdict(list)
    for evidence in (
        Evidence.objects.filter(application=application).select_related("uploaded_by").order_by("uploaded_at", "pk")
    ):
        files[evidence.criterion_id].append(evidence)

    level = compute_level(
        content,
        employees=employees,
        answers={
            criterion.code: answers[criterion.pk].response
            for criterion in _criteria(edition)
            if criterion.pk in answers
        },
    )
    if queried_codes is None:
        queried_codes = open_query_codes(application, answers, files)
    content_by_code = {criterion.code: criterion for criterion in content.criteria}
    commitments, by_code = [], {}
    for commitment in sorted(edition.commitments.all(), key=lambda c: c.order):
        commitment_content = next(c for c in content.commitments if c.code == commitment.code)
        criteria = []
        for criterion in sorted(commitment.criteria.all(), key=lambda c: c.order):
            if not criterion.applies_to(employees):
                continue
            state = CriterionState(
                criterion=criterion,
                content=content_by_code[criterion.code],
                number=f"{commitment.number}.{criterion.order + 1}",
                answer=answers.get(criterion.pk),
                files=files.get(criterion.pk, []),
            )
            criteria.append(state)
            by_code[criterion.code] = state
        commitment_state = CommitmentState(
            commitment=commitment,
            content=commitment_content,
            criteria=criteria,
            outcome=level.commitment(commitment.code),
        )
        commitment_state.status = _task_status(commitment_state, queried_codes)
        commitments.append(commitment_state)
    return ApplicationState(
        application=application,
        content=content,
        employees=employees,
        commitments=commitments,
        level=level,
        criteria_by_code=by_code,
    )


def _criteria(edition) -> list[Criterion]:
    return [criterion for commitment in edition.commitments.all() for criterion in commitment.criteria.all()]


def _task_status(commitment: CommitmentState, queried_codes: frozenset[str]) -> str:
    if any(criterion.code in queried_codes for criterion in commitment.criteria):
        return TaskStatus.NEEDS_CHANGES
    if all(criterion.complete for criterion in commitment.criteria):
        return TaskStatus.COMPLETED
    if any(criterion.answered or criterion.files for criterion in commitment.criteria):
        return TaskStatus.IN_PROGRESS
    return TaskStatus.NOT_STARTED


def task_list(application: Application) -> list[CommitmentState]:
    """One task per commitment, each with its status (Not started, In progress, Completed, Needs changes)."""
    return application_state(application).commitments


# --- what stops a submission ----------------------------------------------------------------------


def submission_gaps(state: ApplicationState, *, declaration_name: str = "", declaration_role: str = "") -> list[Gap]:
    """Every gap that stops the application being submitted, each with the URL of the page that fixes it.

    Issue 3: every applicable criterion answered, evidence attached where a Yes needs it, a provisional
    level of at least the lowest level, and the declaration signed with a name and a role.
    """
    application = state.application
    gaps = []
    for commitment in state.commitments:
        page = reverse("applications:commitment", kwargs={"pk": application.pk, "code": commitment.code})
        for criterion in commitment.criteria:
            if not criterion.answered:
                gaps.append(
                    Gap(
                        text=f"Answer {criterion.number}: {_short(criterion.criterion.text)}",
                        url=f"{page}#{criterion_anchor(criterion.criterion)}",
                    )
                )
            elif criterion.evidence_missing:
                gaps.append(
                    Gap(
                        text=f"Add evidence for {criterion.number}: {_short(', '.join(criterion.criterion.evidence))}",
                        url=reverse(
                            "applications:evidence", kwargs={"pk": application.pk, "code": criterion.criterion.code}
                        ),
                    )
                )
    if state.level.level is None and state.content.levels:
        lowest = state.content.levels[-1].name
        for commitment in state.commitments:
            outcome = commitment.outcome
            if commitment.content.mandatory and not outcome.met and (outcome.answered_no or outcome.answered_not_yet):
                page = reverse("applications:commitment", kwargs={"pk": application.pk, "code": commitment.code})
                gaps.append(
                    Gap(
                        text=(
                            f"'{commitment.commitment.title}' is mandatory: answer Yes to each of its criteria "
                            f"to reach {lowest}, the lowest level"
                        ),
                        url=page,
                    )
                )
    check = reverse("applications:check_answers", kwargs={"pk": application.pk})
    if not (declaration_name or "").strip():
        gaps.append(
            Gap(
                text="Enter your full name for the declaration",
                url=f"{check}#id_declaration_name",
                field="declaration_name",
            )
        )
    if not (declaration_role or "").strip():
        gaps.append(
            Gap(
                text="Enter your role in the organisation", url=f"{check}#id_declaration_role", field="declaration_role"
            )
        )
    return gaps


def criterion_anchor(criterion) -> str:
    """The id of a criterion's fieldset on its commitment page (the target of "Change" and error links)."""
    return f"criterion-{criterion.pk}"


def _short(text: str, limit: int = 80) -> str:
    if len(text) <= limit:
        return text
    return text[: limit + 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


# --- the timeline ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineWords:
    """How one audited action reads: `text` with "{name}" for who acted; `major` for a change of state
    (shown on the dashboard too; edits only on the full timeline); `short_note` to show the audit note
    on the dashboard as well (a withdrawal's reason); `employer` whether the employer sees it at all (the
    officers' working steps reach the employer only when the case is sent back or decided)."""

    text: str
    major: bool = True
    short_note: bool = False
    employer: bool = True


# How each audited action reads on the timeline. An action not listed reads as its name, as a change of
# state, and only officers see it: a new officer-only step can never reach the employer by omission.
TIMELINE_WORDS: dict[str, TimelineWords] = {
    "application.start": TimelineWords("Application started by {name}"),
    "application.submit": TimelineWords("Submitted by {name}"),
    "application.withdraw": TimelineWords("Withdrawn by {name}", short_note=True),
    "answer.save": TimelineWords("Answer saved by {name}", major=False),
    "evidence.add": TimelineWords("File added by {name}", major=False),
    "evidence.remove": TimelineWords("File removed by {name}", major=False),
    # The officers' review (issue 4).
    "application.take": TimelineWords("Taken for checking by {name}"),
    "application.reassign": TimelineWords("Case reassigned by {name}", major=False, employer=False),
    "criterion.verify": TimelineWords("Criterion verified by {name}", major=False, employer=False),
    "criterion.query": TimelineWords("Criterion queried by {name}", major=False, employer=False),
    "application.request_changes": TimelineWords("Changes requested by {name}", short_note=True),
    "application.recommend": TimelineWords("Level recommended by {name}", major=False, employer=False),
    "application.recommend_rejection": TimelineWords("Rejection recommended by {name}", major=False, employer=False),
    "application.approve": TimelineWords("Approved by {name}"),
    "application.reject": TimelineWords("Not approved: decided by {name}", short_note=True),
}


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to an application, in plain English."""

    when: datetime
    text: str
    note: str
    action: str
    major: bool
    short_note: bool = False
    employer: bool = True


def _actor_name(event: AuditEvent) -> str:
    if event.actor is not None:
        return event.actor.full_name or event.actor.email
    # No person: the system acted for the council (a scheduled job, say).
    return "the council"


def _entry(event: AuditEvent) -> TimelineEntry:
    name = _actor_name(event)
    words = TIMELINE_WORDS.get(event.action)
    if words is None:
        words = TimelineWords(
            event.action.rpartition(".")[2].replace("_", " ").capitalize() + " by {name}", employer=False
        )
    return TimelineEntry(
        when=event.created_at,
        text=words.text.format(name=name),
        note=event.note,
        action=event.action,
        major=words.major,
        short_note=words.short_note,
        employer=words.employer,
    )


def application_timeline(
    application: Application, *, include_edits: bool = False, for_employer: bool = False
) -> list[TimelineEntry]:
    """What happened to the application, oldest first, from the audit record (one query).

    Without `include_edits`, only the changes of state (started, submitted, withdrawn, ...); with it,
    every answer saved and every file added or removed too. `for_employer` leaves out the officers'
    working steps (TimelineWords.employer).
    """
    return applications_timelines([application], include_edits=include_edits, for_employer=for_employer).get(
        application.pk, []
    )


def applications_timelines(
    applications, *, include_edits: bool = False, for_employer: bool = False
) -> dict[int, list[TimelineEntry]]:
    """The timelines of several applications in one query: {application id: entries, oldest first}."""
    applications = list(applications)
    if not applications:
        return {}
    content_type = ContentType.objects.get_for_model(Application)
    events = (
        AuditEvent.objects.filter(content_type=content_type, object_id__in=[str(a.pk) for a in applications])
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    timelines = defaultdict(list)
    for event in events:
        entry = _entry(event)
        if for_employer and not entry.employer:
            continue
        if include_edits or entry.major:
            timelines[int(event.object_id)].append(entry)
    return dict(timelines)


STATUS_TAGS = {
    ApplicationStatus.DRAFT: "govuk-tag--light-blue",
    ApplicationStatus.SUBMITTED: "govuk-tag--blue",
    ApplicationStatus.IN_REVIEW: "govuk-tag--blue",
    ApplicationStatus.CHANGES_REQUESTED: "govuk-tag--orange",
    ApplicationStatus.RECOMMENDED: "govuk-tag--blue",
    ApplicationStatus.APPROVED: "govuk-tag--green",
    ApplicationStatus.REJECTED: "govuk-tag--red",
    ApplicationStatus.WITHDRAWN: "govuk-tag--grey",
}


def status_tag(application: Application) -> str:
    """The GOV.UK tag colour for the application's status."""
    return STATUS_TAGS[application.status_enum]
