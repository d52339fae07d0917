"""Building accreditations awaiting their fee, through the real services (issue 5's tests)."""

from importlib import import_module

from django.apps import apps

from accreditation import services
from accreditation.models import Accreditation
from tests.accreditation.helpers import submitted_application
from tests.accreditation.review_helpers import BASE_URL, make_officer, recommend, take


def ensure_default_fees() -> None:
    """Put back the default fee schedule (migration 0005) if a transactional test has emptied the database."""
    import_module("accreditation.migrations.0005_default_fee_bands").add_default_schedule(apps, None)


def approved_accreditation(*, organisation, actor, reviewer=None, approver=None) -> Accreditation:
    """An application of `organisation` submitted by `actor`, reviewed, recommended and approved by a second officer.

    Returns its accreditation, `awaiting_fee`, with the fee fixed at approval.
    """
    ensure_default_fees()
    reviewer = reviewer or make_officer("Rita Reviewer")
    approver = approver or make_officer("Alex Approver")
    application = submitted_application(organisation=organisation, actor=actor)
    take(application, reviewer)
    recommend(application, reviewer)
    services.application_approve(actor=approver, application=application, base_url=BASE_URL)
    return Accreditation.objects.get(application=application)
