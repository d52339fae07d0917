"""What every page needs to know about the council and the signed-in person."""

from django.conf import settings

from accounts.roles import is_officer


def service(request):
    """The council's name, the service's name and contact details, and the user's role."""
    user = getattr(request, "user", None)
    return {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "council_url": settings.COUNCIL_URL,
        "service_email": settings.SERVICE_EMAIL,
        "service_phone": settings.SERVICE_PHONE,
        "council_address": settings.COUNCIL_ADDRESS,
        "user_is_officer": bool(user and is_officer(user)),
    }
