"""Who is an officer. One place, so every check agrees."""

from django.conf import settings


def is_officer(user) -> bool:
    """True for council staff in the Officers group (and superusers, who administer the scheme)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_officer_cache", None)
    if cached is None:
        cached = user.groups.filter(name=settings.OFFICERS_GROUP).exists()
        user._is_officer_cache = cached
    return cached


def needs_two_factor(user) -> bool:
    """Officers, staff and superusers must use two-factor authentication."""
    return user.is_authenticated and (user.is_staff or is_officer(user))


def has_two_factor(user) -> bool:
    """True when the user has an authenticator (TOTP app or security key) set up."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def officer_required(view):
    """Let officers through; send anonymous people to sign in; refuse everyone else with 403.

    Two-factor is enforced before this by OfficerTwoFactorMiddleware, for every URL.
    """
    from functools import wraps

    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_officer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
