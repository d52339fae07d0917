"""Emails about organisations, sent by the task worker (in-process by default)."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string

from .models import Invitation


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


@task
def send_invitation_email(*, invitation_id: int, link: str) -> None:
    """Email an invitation's link to the invited address."""
    invitation = Invitation.objects.select_related("organisation", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_open:  # cancelled (or its organisation deleted) before we ran
        return
    inviter = invitation.invited_by
    context = {
        "invitation": invitation,
        "organisation_name": _one_line(invitation.organisation.display_name),
        "inviter_name": _one_line(inviter.full_name) if inviter.full_name else "",
        "inviter_email": inviter.email,
        "link": link,
        "expires_at": invitation.expires_at,
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
        "service_email": settings.SERVICE_EMAIL,
        "service_phone": settings.SERVICE_PHONE,
    }
    subject = _one_line(f"{settings.SERVICE_NAME}: join {context['organisation_name']}")
    send_mail(
        subject,
        render_to_string("emails/employers/invitation.txt", context),
        None,
        [invitation.email],
        html_message=render_to_string("emails/employers/invitation.html", context),
    )
