"""Building cases for the officers' review tests (issue 4): officers, taken cases, marked criteria, recommendations."""

from django.conf import settings
from django.contrib.auth.models import Group

from accreditation import services
from accreditation.selectors import review_progress
from tests.accreditation.helpers import criterion
from tests.factories import OfficerFactory

BASE_URL = "http://testserver/"


def make_officer(name: str, *, lead: bool = False):
    """An officer (in the Officers group), and a lead officer too with `lead`."""
    user = OfficerFactory(full_name=name)
    if lead:
        group, _ = Group.objects.get_or_create(name=settings.LEAD_OFFICERS_GROUP)
        user.groups.add(group)
    return user


def take(application, officer):
    return services.application_take(actor=officer, application=application, base_url=BASE_URL)


def verify(application, officer, code, note=""):
    return services.criterion_verify(
        actor=officer, application=application, criterion=criterion(application, code), note=note
    )


def query(application, officer, code, note="Send last month's payslips for the lowest-paid roles."):
    return services.criterion_query(
        actor=officer, application=application, criterion=criterion(application, code), note=note
    )


def verify_all(application, officer, *, except_codes=()):
    """Mark every applicable criterion verified in the current round."""
    application.refresh_from_db()
    for code in review_progress(application).applicable:
        if code not in except_codes:
            verify(application, officer, code)


def recommend(application, officer, level_code=None, reason=""):
    """Verify everything and recommend (the level the verified answers reach by default)."""
    verify_all(application, officer)
    application.refresh_from_db()
    level_code = level_code or review_progress(application).level.level_code
    return services.application_recommend(actor=officer, application=application, level_code=level_code, reason=reason)
