"""Building applications for tests: started, answered, with files, submitted, through the services."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accreditation import services
from accreditation.models import Application, ApplicationStatus
from accreditation.selectors import application_for_member, application_state
from charter.levels import AnswerChoice
from charter.models import Criterion
from tests.accreditation.files import pdf_bytes


def start_application(*, organisation, actor) -> Application:
    """A draft application, started by `actor` (a member of `organisation`)."""
    return services.application_start(actor=actor, organisation=organisation)


def criterion(application: Application, code: str) -> Criterion:
    """The criterion with `code` in the application's edition."""
    return Criterion.objects.select_related("commitment").get(edition=application.edition, code=code)


def pdf_upload(name: str = "payroll-summary.pdf", text: str = "Lowest rate £12.60") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def answer(application, actor, code, response=AnswerChoice.YES, **fields):
    """Save one answer through the service, from the version it has now."""
    target = criterion(application, code)
    current = application.answers.filter(criterion=target).first()
    defaults = {
        AnswerChoice.YES: {"explanation": "We do this, and check it every month."},
        AnswerChoice.NOT_YET: {
            "action_plan": "We will renegotiate the contract at renewal.",
            "target_date": timezone.localdate() + datetime.timedelta(days=180),
        },
        AnswerChoice.NO: {},
    }[response]
    return services.answer_save(
        actor=actor,
        application=application,
        criterion=target,
        response=response,
        loaded_version=current.version if current else 0,
        **(defaults | fields),
    )


def add_evidence(application, actor, code, *, name="payroll-summary.pdf", description="Payroll summary, March"):
    return services.evidence_add(
        actor=actor,
        application=application,
        criterion=criterion(application, code),
        uploaded_file=pdf_upload(name),
        description=description,
    )


def complete(application, actor, *, except_codes=(), responses=None):
    """Answer every applicable criterion Yes (or as `responses` says), with files where a Yes needs them."""
    responses = responses or {}
    state = application_state(application_for_member(actor, application.pk))
    for item in state.applicable:
        if item.code in except_codes:
            continue
        response = responses.get(item.code, AnswerChoice.YES)
        answer(application, actor, item.code, response)
        if response == AnswerChoice.YES and item.criterion.requires_evidence:
            add_evidence(application, actor, item.code)
    return application


def submit(application, actor, *, name="Bea Baker", role="Managing Director") -> Application:
    return services.application_submit(
        actor=actor,
        application=application,
        declaration_name=name,
        declaration_role=role,
        base_url="http://testserver/",
    )


def submitted_application(*, organisation, actor) -> Application:
    """A complete application, submitted by `actor`."""
    application = start_application(organisation=organisation, actor=actor)
    complete(application, actor)
    return submit(application, actor)


def force_status(application: Application, status: str) -> Application:
    """Put an application in a status directly (for states issue 4's services will reach)."""
    Application.objects.filter(pk=application.pk).update(status=status)
    application.refresh_from_db()
    return application


ALL_STATUSES = list(ApplicationStatus)
