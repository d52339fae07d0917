"""Starting, submitting and withdrawing applications (PRODUCT.md section 3; issue 3 points 5, 9)."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record
from charter.selectors import current_edition
from employers.models import Organisation

from ..exceptions import (
    AlreadyAccredited,
    ApplicationAlreadyOpen,
    ApplicationIncomplete,
    Gap,
    InputInvalid,
    NoCurrentEdition,
)
from ..models import AccreditationStatus, Application, ApplicationStatus
from ..selectors.employer import (
    accreditation_blocking_start,
    application_state,
    open_application,
    renewal_opens_on,
    submission_gaps,
)
from ..tasks import send_application_submitted_email, send_application_withdrawn_email, send_case_resubmitted_email
from ._common import clean_text, require_member, text_problem
from .review import officer_link
from .transitions import Stamp, application_transition

DECLARATION_MAX_LENGTH = 200
WITHDRAWAL_REASON_MAX_LENGTH = 1000


def _link(base_url: str, application: Application) -> str:
    path = reverse("applications:detail", kwargs={"pk": application.pk})
    return base_url.rstrip("/") + path if base_url else path


def start_refusal(accreditation) -> str:
    """Why an organisation with this accreditation cannot start an application yet, in plain words."""
    if accreditation.status == AccreditationStatus.AWAITING_FEE:
        return (
            f"Your application has been approved at {accreditation.level_name}: pay the fee to become accredited. "
            "You cannot start another application while the fee is due."
        )
    opens = renewal_opens_on(accreditation)
    return (
        f"Your organisation is accredited until {accreditation.valid_until:%-d %B %Y}. "
        f"You can apply to renew from {opens:%-d %B %Y}."
    )


def application_start(*, actor, organisation: Organisation) -> Application:
    """A member starts their organisation's application against the current edition (one open at a time)."""
    with transaction.atomic():
        # Locking the organisation makes two starts at once queue up, so the second sees the first.
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        require_member(actor=actor, organisation=organisation)
        existing = open_application(organisation)
        if existing is not None:
            raise ApplicationAlreadyOpen(application=existing)
        accredited = accreditation_blocking_start(organisation)
        if accredited is not None:
            raise AlreadyAccredited(start_refusal(accredited), accreditation=accredited)
        edition = current_edition()
        if edition is None:
            raise NoCurrentEdition
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    organisation=organisation,
                    edition=edition,
                    employee_count=organisation.employee_count,
                    created_by=actor,
                )
        except IntegrityError:
            # The one-open-application constraint: another start won a race the lock did not cover.
            raise ApplicationAlreadyOpen from None
        audit_record(
            actor=actor,
            action="application.start",
            obj=application,
            to_state=ApplicationStatus.DRAFT,
            note=f"Against the charter's {edition.code} edition, for {organisation.employee_count:,} employees.",
        )
    return application


def application_submit(
    *, actor, application: Application, declaration_name: str, declaration_role: str, base_url: str = ""
) -> Application:
    """Submit the application, signed by `actor`; refused with every gap listed while anything is missing.

    Stamps the submission and the declaration, takes the organisation's headcount again (the gaps are
    checked against it), records the provisional level, and counts the submission round. Every user of
    the organisation gets a confirmation email after the commit. `base_url` (the site's address) is for
    the link in the email.
    """
    name = clean_text(declaration_name)
    role = clean_text(declaration_role)

    require_member(actor=actor, organisation=application.organisation)

    def prepare(locked: Application) -> Stamp:
        # The organisation's headcount as it is now (read with the lock), so the gaps use what is stamped.
        state = application_state(locked)
        gaps = submission_gaps(state, declaration_name=name, declaration_role=role)
        for field, value, label in (
            ("declaration_name", name, "Your full name"),
            ("declaration_role", role, "Your role"),
        ):
            problem = value and text_problem(value, label=label, max_length=DECLARATION_MAX_LENGTH)
            if problem:
                url = reverse("applications:check_answers", kwargs={"pk": locked.pk}) + f"#id_{field}"
                gaps.append(Gap(text=problem, url=url, field=field))
        if gaps:
            raise ApplicationIncomplete(gaps)
        now = timezone.now()
        locked.employee_count = state.employees
        locked.submitted_at = now
        locked.submitted_by = actor
        locked.declaration_name = name
        locked.declaration_role = role
        locked.declared_at = now
        locked.provisional_level_code = state.level.level_code or ""
        locked.submission_round += 1
        return Stamp(
            fields=[
                "employee_count",
                "submitted_at",
                "submitted_by",
                "declaration_name",
                "declaration_role",
                "declared_at",
                "provisional_level_code",
                "submission_round",
            ],
            note=(
                f"Round {locked.submission_round}. Provisional level: {state.level.label}. "
                f"Declaration signed by {name} ({role}). {state.employees:,} employees."
            ),
        )

    with transaction.atomic():
        submitted = application_transition(
            actor=actor,
            application=application,
            to_status=ApplicationStatus.SUBMITTED,
            action="application.submit",
            prepare=prepare,
            with_content=True,
        )
        link = _link(base_url, submitted)
        transaction.on_commit(
            lambda: send_application_submitted_email.enqueue(application_id=submitted.pk, link=link), robust=True
        )
        if submitted.assigned_to_id is not None:
            # Resubmitted after changes: the case stays with its officer, who is told (issue 4 point 6).
            officer_url = officer_link(base_url, submitted)
            transaction.on_commit(
                lambda: send_case_resubmitted_email.enqueue(application_id=submitted.pk, link=officer_url),
                robust=True,
            )
    return submitted


def application_withdraw(*, actor, application: Application, reason: str = "", base_url: str = "") -> Application:
    """The employer withdraws the application, with an optional reason, at any time before a decision."""
    reason = clean_text(reason)
    problem = reason and text_problem(reason, label="Your reason", max_length=WITHDRAWAL_REASON_MAX_LENGTH)
    if problem:
        raise InputInvalid({"reason": problem})

    require_member(actor=actor, organisation=application.organisation)

    def prepare(locked: Application) -> Stamp:
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = actor
        locked.withdrawal_reason = reason
        return Stamp(fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"], note=reason)

    with transaction.atomic():
        withdrawn = application_transition(
            actor=actor,
            application=application,
            to_status=ApplicationStatus.WITHDRAWN,
            action="application.withdraw",
            prepare=prepare,
        )
        link = base_url.rstrip("/") + reverse("employers:dashboard") if base_url else reverse("employers:dashboard")
        transaction.on_commit(
            lambda: send_application_withdrawn_email.enqueue(application_id=withdrawn.pk, link=link), robust=True
        )
    return withdrawn
