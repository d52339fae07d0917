"""What the employer area keeps in the session: the organisation being worked as, and an invitation to come back to."""

from django.urls import NoReverseMatch, reverse

CURRENT_ORGANISATION_KEY = "employers_current_organisation"
PENDING_INVITATION_KEY = "employers_pending_invitation"
# current_membership() caches its answer on the request under this attribute.
CURRENT_MEMBERSHIP_CACHE = "_employers_current_membership"


def remember_current_organisation(request, organisation) -> None:
    """Work as `organisation` from the next request on."""
    request.session[CURRENT_ORGANISATION_KEY] = organisation.pk
    if hasattr(request, CURRENT_MEMBERSHIP_CACHE):
        delattr(request, CURRENT_MEMBERSHIP_CACHE)


def forget_current_organisation(request) -> None:
    """Fall back to the user's first organisation (after leaving the current one)."""
    request.session.pop(CURRENT_ORGANISATION_KEY, None)
    if hasattr(request, CURRENT_MEMBERSHIP_CACHE):
        delattr(request, CURRENT_MEMBERSHIP_CACHE)


def remember_pending_invitation(request, token: str) -> None:
    """Keep an invitation link so that after signing up or in, the person lands back on it."""
    request.session[PENDING_INVITATION_KEY] = token


def forget_pending_invitation(request) -> None:
    request.session.pop(PENDING_INVITATION_KEY, None)


def pop_pending_invitation_url(request) -> str | None:
    """The invitation page to return to after signing in (once), or None."""
    token = request.session.pop(PENDING_INVITATION_KEY, None)
    if not token or not isinstance(token, str):
        return None
    try:
        return reverse("employers:invite_accept", kwargs={"token": token})
    except NoReverseMatch:
        return None
