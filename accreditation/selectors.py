"""Reads of applications that more than one place needs: scoped to the person asking, with what pages need prefetched.

Every employer lookup goes through the person's memberships: an application (or file) of an
organisation they are not in is a 404, whatever id they try. Officers never come through here
except for evidence downloads (`evidence_for_download`).
"""

import functools
import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.easter import easter
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Min, Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.roles import is_officer
from audit.models import AuditEvent
from charter.content import CommitmentContent, CriterionContent, EditionContent
from charter.levels import AnswerChoice, LevelResult, compute_level
from charter.models import Commitment, Criterion
from charter.selectors import edition_content
from employers.models import SizeBand

from .exceptions import Gap
from .models import (
    OPEN_STATUSES,
    Accreditation,
    Answer,
    AnswerRevision,
    Application,
    ApplicationStatus,
    CriterionReview,
    Evidence,
    ReviewOutcome,
)

# --- scoping -----------------------------------------------------------------------------------


def _with_edition(queryset: QuerySet[Application]) -> QuerySet[Application]:
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
    application = _with_edition(applications_for_member(user)).filter(pk=pk).first()
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
        queried_codes = _open_query_codes(application, answers, files)
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
    on the dashboard as well (a withdrawal's reason)."""

    text: str
    major: bool = True
    short_note: bool = False


# How each audited action reads on the employer's timeline. Issue 4 adds its own (review, queries...);
# an action not listed reads as its name, as a change of state.
TIMELINE_WORDS: dict[str, TimelineWords] = {
    "application.start": TimelineWords("Application started by {name}"),
    "application.submit": TimelineWords("Submitted by {name}"),
    "application.withdraw": TimelineWords("Withdrawn by {name}", short_note=True),
    "answer.save": TimelineWords("Answer saved by {name}", major=False),
    "evidence.add": TimelineWords("File added by {name}", major=False),
    "evidence.remove": TimelineWords("File removed by {name}", major=False),
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


def _actor_name(event: AuditEvent) -> str:
    if event.actor is not None:
        return event.actor.full_name or event.actor.email
    # No person: the system acted for the council (a scheduled job, say).
    return "the council"


def _entry(event: AuditEvent) -> TimelineEntry:
    name = _actor_name(event)
    words = TIMELINE_WORDS.get(event.action)
    if words is None:
        words = TimelineWords(event.action.rpartition(".")[2].replace("_", " ").capitalize() + " by {name}")
    return TimelineEntry(
        when=event.created_at,
        text=words.text.format(name=name),
        note=event.note,
        action=event.action,
        major=words.major,
        short_note=words.short_note,
    )


def application_timeline(application: Application, *, include_edits: bool = False) -> list[TimelineEntry]:
    """What happened to the application, oldest first, from the audit record (one query).

    Without `include_edits`, only the changes of state (started, submitted, withdrawn, ...); with it,
    every answer saved and every file added or removed too.
    """
    return applications_timelines([application], include_edits=include_edits).get(application.pk, [])


def applications_timelines(applications, *, include_edits: bool = False) -> dict[int, list[TimelineEntry]]:
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


# --- issue 4: the officers' review, queue, case and dashboard ----------------------------------------
# (Kept in one section so the employer-side selectors above and these can be moved to a package later.)

TIMELINE_WORDS.update(
    {
        "application.take": TimelineWords("Taken for checking by {name}"),
        "application.reassign": TimelineWords("Case reassigned by {name}", major=False),
        "criterion.verify": TimelineWords("Criterion verified by {name}", major=False),
        "criterion.query": TimelineWords("Criterion queried by {name}", major=False),
        "application.request_changes": TimelineWords("Changes requested by {name}", short_note=True),
        "application.recommend": TimelineWords("Level recommended by {name}", major=False),
        "application.recommend_rejection": TimelineWords("Rejection recommended by {name}", major=False),
        "application.approve": TimelineWords("Approved by {name}"),
        "application.reject": TimelineWords("Not approved: decided by {name}", short_note=True),
    }
)

# The council's target for a case waiting on it, in working days (issue 4 points 1 and 8).
TARGET_WORKING_DAYS = 10
# Statuses in which a case waits on the council (in `changes_requested` it waits on the employer).
WAITING_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.RECOMMENDED)
DECIDED_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)


@dataclass
class ReviewProgress:
    """This round's review of an application: which criteria are marked, which queried, the verified level."""

    content: EditionContent
    applicable: tuple[str, ...]
    reviews: dict  # criterion code -> CriterionReview (this round)
    level: LevelResult  # what the answers reach with this round's verifications

    @property
    def unreviewed(self) -> tuple[str, ...]:
        return tuple(code for code in self.applicable if code not in self.reviews)

    @property
    def queried(self) -> tuple[str, ...]:
        return tuple(code for code in self.applicable if code in self.reviews and self.reviews[code].is_query)

    @property
    def complete(self) -> bool:
        """Every applicable criterion marked, none queried: a level can be recommended."""
        return not self.unreviewed and not self.queried


def _progress(application: Application, *, answers: dict[str, str], reviews: list) -> ReviewProgress:
    content = edition_content(application.edition)
    employees = application.employee_count
    applicable = tuple(criterion.code for criterion in content.applicable_criteria(employees))
    by_code = {review.criterion.code: review for review in reviews}
    level = compute_level(
        content,
        employees=employees,
        answers=answers,
        verifications={code: review.outcome == ReviewOutcome.VERIFIED for code, review in by_code.items()},
    )
    return ReviewProgress(content=content, applicable=applicable, reviews=by_code, level=level)


def review_progress(application: Application) -> ReviewProgress:
    """The review of the application's current submission round (two queries, plus the edition if not prefetched)."""
    answers = dict(Answer.objects.filter(application=application).values_list("criterion__code", "response"))
    reviews = list(
        CriterionReview.objects.filter(
            application=application, submission_round=application.submission_round
        ).select_related("criterion", "reviewed_by")
    )
    return _progress(application, answers=answers, reviews=reviews)


def queries_for(application: Application) -> dict[str, str]:
    """The officer's queries in the application's latest round: {criterion code: note} (one query)."""
    return dict(
        CriterionReview.objects.filter(
            application=application, submission_round=application.submission_round, outcome=ReviewOutcome.QUERY
        )
        .order_by("criterion__commitment__order", "criterion__order")
        .values_list("criterion__code", "note")
    )


def _open_query_codes(application: Application, answers: dict, files: dict) -> frozenset[str]:
    """Criteria queried in the latest round that the employer has not acted on since (no answer saved, no file added).

    Read only while changes are requested, so the task list shows "Needs changes" then (one query).
    """
    if application.status != ApplicationStatus.CHANGES_REQUESTED:
        return frozenset()
    codes = set()
    for review in CriterionReview.objects.filter(
        application=application, submission_round=application.submission_round, outcome=ReviewOutcome.QUERY
    ).select_related("criterion"):
        answer = answers.get(review.criterion_id)
        acted = (answer is not None and answer.updated_at > review.reviewed_at) or any(
            evidence.uploaded_at > review.reviewed_at for evidence in files.get(review.criterion_id, [])
        )
        if not acted:
            codes.add(review.criterion.code)
    return frozenset(codes)


# --- working days --------------------------------------------------------------------------------


@functools.cache
def england_bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays by the usual rules (Banking and Financial Dealings Act 1971 and
    the standing proclamations), with weekend substitutes. One-off holidays proclaimed for a single
    year (a coronation, a jubilee) are not included.
    """

    def weekday_on_or_after(day: date) -> date:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    def first_monday(month: int) -> date:
        day = date(year, month, 1)
        return day + timedelta(days=(7 - day.weekday()) % 7)

    def last_monday(month: int) -> date:
        day = date(year, month + 1, 1) - timedelta(days=1)
        return day - timedelta(days=day.weekday())

    easter_sunday = easter(year)
    days = {
        weekday_on_or_after(date(year, 1, 1)),
        easter_sunday - timedelta(days=2),
        easter_sunday + timedelta(days=1),
        first_monday(5),
        last_monday(5),
        last_monday(8),
    }
    christmas = weekday_on_or_after(date(year, 12, 25))
    boxing = weekday_on_or_after(max(date(year, 12, 26), christmas + timedelta(days=1)))
    days |= {christmas, boxing}
    # The early May holiday of 2020 was moved to VE Day (8 May), and that of 2026 is the usual one.
    if year == 2020:
        days = (days - {date(2020, 5, 4)}) | {date(2020, 5, 8)}
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in england_bank_holidays(day.year)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not after `start`)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            count += 1
    for year in range(start.year, end.year + 1):
        count -= sum(1 for day in england_bank_holidays(year) if start < day <= end and day.weekday() < 5)
    return count


def working_days_before(end: date, days: int) -> date:
    """The date `days` working days before `end` (working_days_between(result, end) == days)."""
    day = end
    while days > 0:
        day -= timedelta(days=1)
        if is_working_day(day):
            days -= 1
    # Step back over non-working days: a case submitted on the Saturday before has waited as long.
    while not is_working_day(day) and day != end:
        day -= timedelta(days=1)
    return day


def days_waiting(application: Application, today: date | None = None) -> int | None:
    """Working days the case has waited on the council since its latest submission (None when it is not waiting)."""
    if application.status not in WAITING_STATUSES or application.submitted_at is None:
        return None
    today = today or timezone.localdate()
    return working_days_between(timezone.localdate(application.submitted_at), today)


def past_target(application: Application, today: date | None = None) -> bool:
    """Waiting on the council longer than the target of TARGET_WORKING_DAYS working days."""
    waited = days_waiting(application, today)
    return waited is not None and waited > TARGET_WORKING_DAYS


# --- the queue -------------------------------------------------------------------------------------

_SIZE_RANGES = {
    SizeBand.MICRO: (1, 10),
    SizeBand.SMALL: (11, 50),
    SizeBand.MEDIUM: (51, 250),
    SizeBand.LARGE: (251, 500),
    SizeBand.VERY_LARGE: (501, None),
}


def officer_queue(*, filters: Mapping | None = None, officer=None, today: date | None = None) -> QuerySet[Application]:
    """Applications officers work on (never drafts), oldest submission first, with organisation and officer.

    `filters` (all optional): `status` (one or a list), `assigned_to` (a user or id), `mine` (needs
    `officer`), `unassigned`, `level` (provisional level code), `sector` (SIC section letter), `size`
    (a SizeBand value), `min_days_waiting` (working days, for cases waiting on the council), `past_target`.
    Rows select their organisation, edition and officer: the query count does not grow with the rows.
    Use `days_waiting(row, today)` and `past_target(row, today)` for each row's figures.
    """
    filters = dict(filters or {})
    today = today or timezone.localdate()
    queryset = (
        Application.objects.exclude(status=ApplicationStatus.DRAFT)
        .select_related("organisation", "edition", "assigned_to", "submitted_by")
        .order_by(F("submitted_at").asc(nulls_last=True), "pk")
    )
    status = filters.get("status")
    if status:
        queryset = queryset.filter(status__in=[status] if isinstance(status, str) else list(status))
    assigned_to = filters.get("assigned_to")
    if assigned_to:
        queryset = queryset.filter(assigned_to=assigned_to)
    if filters.get("mine"):
        queryset = queryset.filter(assigned_to=officer) if officer is not None else queryset.none()
    if filters.get("unassigned"):
        queryset = queryset.filter(assigned_to__isnull=True)
    if filters.get("level"):
        queryset = queryset.filter(provisional_level_code=filters["level"])
    if filters.get("sector"):
        queryset = queryset.filter(organisation__sector=filters["sector"])
    size = filters.get("size")
    if size:
        low, high = _SIZE_RANGES[SizeBand(size)]
        queryset = queryset.filter(employee_count__gte=low)
        if high is not None:
            queryset = queryset.filter(employee_count__lte=high)
    minimum = filters.get("min_days_waiting")
    if filters.get("past_target"):
        minimum = max(int(minimum or 0), TARGET_WORKING_DAYS + 1)
    if minimum:
        cutoff = working_days_before(today, int(minimum))
        queryset = queryset.filter(status__in=WAITING_STATUSES, submitted_at__date__lte=cutoff)
    return queryset


# --- one case, as the officer's case view needs it ----------------------------------------------


@dataclass
class CaseCriterion:
    """One applicable criterion in the case view: the answer and its history, files by round, reviews."""

    criterion: Criterion
    number: str
    answer: Answer | None
    revisions: list  # AnswerRevision, oldest first
    files_by_round: dict  # submission round -> [Evidence]
    review: object | None  # this round's CriterionReview
    earlier_reviews: list  # CriterionReview of earlier rounds, oldest first

    @property
    def code(self) -> str:
        return self.criterion.code


@dataclass
class OfficerCase:
    """Everything the officer's case view shows, read in a fixed number of queries."""

    application: Application
    criteria: list[CaseCriterion]
    progress: ReviewProgress
    earlier_applications: list[Application]
    accreditations: list
    timeline: list[TimelineEntry]
    queries: dict[str, str]


def case_for_officer(pk: int) -> OfficerCase:
    """One case (never a draft): answers, revisions, files, reviews, the organisation's history; else Http404."""
    application = (
        _with_edition(Application.objects.exclude(status=ApplicationStatus.DRAFT))
        .select_related("assigned_to", "recommended_by", "decided_by")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("criterion", "updated_by").prefetch_related(
                    Prefetch(
                        "revisions", queryset=AnswerRevision.objects.select_related("saved_by").order_by("version")
                    )
                ),
            ),
            Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by").order_by("uploaded_at", "pk")),
            Prefetch(
                "reviews",
                queryset=CriterionReview.objects.select_related("criterion", "reviewed_by").order_by(
                    "submission_round", "pk"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404("No such case.")
    answers = {answer.criterion_id: answer for answer in application.answers.all()}
    files = defaultdict(lambda: defaultdict(list))
    for evidence in application.evidence.all():
        files[evidence.criterion_id][evidence.submission_round].append(evidence)
    current_reviews, earlier_reviews = {}, defaultdict(list)
    for review in application.reviews.all():
        if review.submission_round == application.submission_round:
            current_reviews[review.criterion_id] = review
        else:
            earlier_reviews[review.criterion_id].append(review)
    employees = application.employee_count
    criteria = []
    for commitment in sorted(application.edition.commitments.all(), key=lambda c: c.order):
        for criterion in sorted(commitment.criteria.all(), key=lambda c: c.order):
            if not criterion.applies_to(employees):
                continue
            answer = answers.get(criterion.pk)
            criteria.append(
                CaseCriterion(
                    criterion=criterion,
                    number=f"{commitment.number}.{criterion.order + 1}",
                    answer=answer,
                    revisions=list(answer.revisions.all()) if answer else [],
                    files_by_round={round_: list(items) for round_, items in sorted(files[criterion.pk].items())},
                    review=current_reviews.get(criterion.pk),
                    earlier_reviews=earlier_reviews.get(criterion.pk, []),
                )
            )
    progress = _progress(
        application,
        answers={answer.criterion.code: answer.response for answer in answers.values()},
        reviews=list(current_reviews.values()),
    )
    earlier = list(
        Application.objects.filter(organisation=application.organisation_id)
        .exclude(pk=application.pk)
        .select_related("edition", "decided_by", "accreditation")
        .order_by("-created_at", "-pk")
    )
    accreditations = list(
        Accreditation.objects.filter(organisation=application.organisation_id)
        .select_related("application", "approved_by")
        .order_by("-approved_at", "-pk")
    )
    return OfficerCase(
        application=application,
        criteria=criteria,
        progress=progress,
        earlier_applications=earlier,
        accreditations=accreditations,
        timeline=application_timeline(application, include_edits=True),
        queries={review.criterion.code: review.note for review in current_reviews.values() if review.is_query},
    )


# --- the officers' dashboard -----------------------------------------------------------------------


@dataclass
class DashboardFigures:
    """The scheme's figures for the officers' dashboard (issue 4 point 8)."""

    today: date
    counts_by_status: dict[str, int]  # every status, 0 where none
    waiting: int  # cases waiting on the council
    past_target: int  # of those, waiting more than TARGET_WORKING_DAYS working days
    decisions_this_year: int
    median_working_days_to_decision: float | None  # from first submission to decision, this year
    approved_by_level: list[tuple[str, str, int]]  # (level code, level name, count), this year, most first
    rejected_this_year: int


def officer_dashboard_figures(today: date | None = None) -> DashboardFigures:
    """Counts by state, cases past the target, median working days to a decision, decisions by level (5 queries)."""
    today = today or timezone.localdate()
    counts = dict.fromkeys(ApplicationStatus.values, 0)
    for row in Application.objects.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    submitted_dates = [
        timezone.localdate(when)
        for when in Application.objects.filter(status__in=WAITING_STATUSES, submitted_at__isnull=False).values_list(
            "submitted_at", flat=True
        )
    ]
    overdue = sum(1 for day in submitted_dates if working_days_between(day, today) > TARGET_WORKING_DAYS)

    year_start = timezone.make_aware(datetime(today.year, 1, 1))
    decided = list(
        Application.objects.filter(status__in=DECIDED_STATUSES, decided_at__gte=year_start).values_list(
            "pk", "status", "decided_at", "submitted_at"
        )
    )
    first_submitted = {}
    if decided:
        content_type = ContentType.objects.get_for_model(Application)
        for object_id, when in (
            AuditEvent.objects.filter(
                content_type=content_type,
                action="application.submit",
                object_id__in=[str(pk) for pk, *_ in decided],
            )
            .values("object_id")
            .annotate(first=Min("created_at"))
            .values_list("object_id", "first")
        ):
            first_submitted[int(object_id)] = when
    durations = [
        working_days_between(timezone.localdate(first_submitted.get(pk, submitted)), timezone.localdate(decided_at))
        for pk, _status, decided_at, submitted in decided
        if first_submitted.get(pk, submitted) is not None
    ]
    by_level = [
        (row["level_code"], row["level_name"], row["n"])
        for row in Accreditation.objects.filter(approved_at__gte=year_start)
        .values("level_code", "level_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "level_code")
    ]
    return DashboardFigures(
        today=today,
        counts_by_status=counts,
        waiting=len(submitted_dates),
        past_target=overdue,
        decisions_this_year=len(decided),
        median_working_days_to_decision=statistics.median(durations) if durations else None,
        approved_by_level=by_level,
        rejected_this_year=sum(1 for _pk, status, *_ in decided if status == ApplicationStatus.REJECTED),
    )
