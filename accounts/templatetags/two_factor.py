"""Template helpers for the two-factor pages."""

from django import template

from accounts import roles

register = template.Library()


@register.filter
def setup_key(secret: str) -> str:
    """A TOTP secret in groups of four characters, as authenticator apps show and accept it."""
    secret = str(secret or "")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@register.filter
def needs_two_factor(user) -> bool:
    """True for officers and staff, who must use two-factor authentication."""
    return roles.needs_two_factor(user)


@register.filter
def has_two_factor(user) -> bool:
    """True when the user has an authenticator app or a security key."""
    return user.is_authenticated and roles.has_two_factor(user)
