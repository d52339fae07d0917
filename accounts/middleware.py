"""Officers cannot work without two-factor authentication (PRODUCT.md section 9)."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .roles import has_two_factor, needs_two_factor

# Paths an officer without two-factor may still reach: setting it up (allauth may first ask them to
# confirm their password at /accounts/reauthenticate/), and signing out.
ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/healthz",
)


class OfficerTwoFactorMiddleware:
    """Send an officer (or staff user) without an authenticator to set one up, from any other URL.

    The setup page itself says why (templates/mfa/totp/activate_form.html).
    """

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
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
