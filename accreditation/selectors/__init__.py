"""Reads that more than one place needs: scoped to the person asking, with what pages need prefetched.

Every employer lookup goes through the person's memberships: an application (or file) of an
organisation they are not in is a 404, whatever id they try. Officers never come through the employer
selectors except for evidence downloads (`evidence_for_download`).

One module per sub-domain: employer (scoping, page state, gaps, timeline), review (a submission round's
progress and queries), working_days, officer (queue and case), dashboard. Everything public is
re-exported here, so callers import from `accreditation.selectors`.
"""

from .dashboard import (  # noqa: F401
    DashboardFigures,
    officer_dashboard_figures,
)
from .employer import (  # noqa: F401
    STATUS_TAGS,
    TIMELINE_WORDS,
    ApplicationState,
    CommitmentState,
    CriterionState,
    TaskStatus,
    TimelineEntry,
    TimelineWords,
    application_for_member,
    application_state,
    application_timeline,
    applications_for_member,
    applications_timelines,
    criterion_anchor,
    evidence_for_download,
    evidence_for_member,
    open_application,
    organisation_applications,
    status_tag,
    submission_gaps,
    task_list,
    with_edition,
)
from .officer import (  # noqa: F401
    CaseCriterion,
    OfficerCase,
    case_for_officer,
    officer_queue,
)
from .review import (  # noqa: F401
    ReviewProgress,
    open_query_codes,
    progress_from,
    queries_for,
    review_progress,
)
from .working_days import (  # noqa: F401
    DECIDED_STATUSES,
    TARGET_WORKING_DAYS,
    WAITING_STATUSES,
    days_waiting,
    england_bank_holidays,
    is_working_day,
    past_target,
    working_days_before,
    working_days_between,
)
