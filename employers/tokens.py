"""Invitation links: the invitation's random key, signed with a timestamp so the link cannot be forged and expires."""

from datetime import timedelta

from django.conf import settings
from django.core import signing

from .exceptions import InvitationInvalid

_SALT = "employers.invitation"
# Longer than any token we issue; anything bigger is not ours and is not worth checking.
_MAX_TOKEN_LENGTH = 200


def invitation_max_age() -> timedelta:
    """How long an invitation link works: INVITATION_MAX_AGE_DAYS, 14 days unless set."""
    return timedelta(days=getattr(settings, "INVITATION_MAX_AGE_DAYS", 14))


def invitation_token(key: str) -> str:
    """The token for an invitation's link, signed now."""
    return signing.TimestampSigner(salt=_SALT).sign(key)


def invitation_key(token: str) -> tuple[str, bool]:
    """The invitation key inside a token, and whether the token is older than the maximum age.

    Raises InvitationInvalid if the token was altered or is not one of ours.
    """
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        raise InvitationInvalid
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        return signer.unsign(token, max_age=invitation_max_age()), False
    except signing.SignatureExpired:
        return signer.unsign(token), True
    except signing.BadSignature:
        raise InvitationInvalid from None
