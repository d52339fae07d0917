"""Building accreditations awaiting their fee, through the real services (issue 5's tests)."""

from accreditation import services
from accreditation.models import Accreditation
from tests.accreditation.helpers import submitted_application
from tests.accreditation.review_helpers import BASE_URL, make_officer, recommend, take


def approved_accreditation(*, organisation, actor, reviewer=None, approver=None) -> Accreditation:
    """An application of `organisation` submitted by `actor`, reviewed, recommended and approved by a second officer.

    Returns its accreditation, `awaiting_fee`, with the fee fixed at approval.
    """
    reviewer = reviewer or make_officer("Rita Reviewer")
    approver = approver or make_officer("Alex Approver")
    application = submitted_application(organisation=organisation, actor=actor)
    take(application, reviewer)
    recommend(application, reviewer)
    services.application_approve(actor=approver, application=application, base_url=BASE_URL)
    return Accreditation.objects.get(application=application)
