"""What every accreditation email shares: recipients, the council's details, one message per person."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from employers.models import Membership

from ..models import Application


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _recipients(application: Application) -> list[str]:
    """Every user of the organisation, once each (they all see the application)."""
    return organisation_recipients(application.organisation_id)


def organisation_recipients(organisation_id: int) -> list[str]:
    """Every user of the organisation, once each."""
    emails = Membership.objects.filter(organisation=organisation_id).values_list("user__email", flat=True)
    return sorted(set(emails))


def _context(application: Application, link: str) -> dict:
    return {
        "application": application,
        "reference": application.reference,
        "organisation_name": _one_line(application.organisation.display_name),
        "link": link,
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
        "service_email": settings.SERVICE_EMAIL,
        "service_phone": settings.SERVICE_PHONE,
    }


def _send(subject: str, template: str, context: dict, recipients: list[str]) -> None:
    # One message per person: colleagues' addresses are not shown to each other.
    text = render_to_string(f"emails/accreditation/{template}.txt", context)
    html = render_to_string(f"emails/accreditation/{template}.html", context)
    for recipient in recipients:
        send_mail(_one_line(subject), text, None, [recipient], html_message=html)


def _person(user) -> str:
    return _one_line(user.full_name or user.email) if user else ""
