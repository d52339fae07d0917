"""How allauth behaves for this portal."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    """Sends people to the right place after login, and puts the service's name in emails."""

    def get_login_redirect_url(self, request):
        return reverse("portal:after_login")

    def format_email_subject(self, subject):
        return f"{settings.SERVICE_NAME}: {subject}"
