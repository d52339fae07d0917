"""Reads that more than one place needs: scoped to the person asking, with what pages need prefetched.

Every employer lookup goes through the person's memberships: an application (or file) of an
organisation they are not in is a 404, whatever id they try. Officers never come through the employer
selectors except for evidence downloads (`evidence_for_download`).

One module per sub-domain: employer (scoping, page state, gaps, timeline), review (a submission round's
progress and queries), working_days, officer (queue and case), dashboard, accreditations (the employer's
accreditations and payments) and payments (the officers' payment pages). Everything public is
re-exported here, so callers may import from `accreditation.selectors`.
"""

from .accreditations import (  # noqa: F401
    ACCREDITATION_TAGS,
    PAYMENT_TAGS,
    UNSUCCESSFUL_PAYMENT_STATUSES,
    accreditation_for_member,
    accreditation_payments,
    accreditation_tag,
    accreditations_for_member,
    checkout_payment,
    fee_due,
    latest_payment,
    latest_received_payment,
    organisation_accreditations,
    payment_is_received,
    payment_tag,
    receipt_payment_for_member,
)
from .dashboard import (  # noqa: F401
    DashboardFigures,
    officer_dashboard_figures,
)
from .employer import (  # noqa: F401
    RENEWAL_WINDOW_DAYS,
    STATUS_TAGS,
    TIMELINE_WORDS,
    ApplicationState,
    CommitmentState,
    CriterionState,
    TaskStatus,
    TimelineEntry,
    TimelineWords,
    accreditation_blocking_start,
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
    renewal_opens_on,
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
from .payments import (  # noqa: F401
    OfficerAccreditation,
    accreditation_for_officer,
    accreditation_history,
    officer_payment_events,
    officer_payments,
    payment_event_for_officer,
    payment_event_types,
    payment_for_officer,
    payments_needing_attention,
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
