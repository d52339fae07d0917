"""Officers cannot work without two-factor authentication (PRODUCT.md section 9)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from .roles import has_two_factor, needs_two_factor

# Paths an officer without two-factor may still reach: setting it up, and signing out.
ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/healthz",
)


class OfficerTwoFactorMiddleware:
    """Send an officer (or staff user) without an authenticator to set one up, from any other URL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        path = request.path_info
        if (
            user is not None
            and user.is_authenticated
            and not path.startswith(ALLOWED_PREFIXES)
            and not path.startswith(settings.STATIC_URL)
            and needs_two_factor(user)
            and not has_two_factor(user)
        ):
            messages.warning(
                request,
                "Council officers must set up two-factor authentication before they can use the portal.",
                fail_silently=True,
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
