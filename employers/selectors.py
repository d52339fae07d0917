"""Reads that more than one place needs: whose organisations, the current one, who is in it, what a link says."""

from allauth.account.models import EmailAddress
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from .exceptions import (
    AlreadyMember,
    InvitationAlreadyUsed,
    InvitationCancelled,
    InvitationEmailNotVerified,
    InvitationExpired,
    InvitationInvalid,
    InvitationWrongEmail,
)
from .models import Invitation, Membership, Role
from .session import CURRENT_MEMBERSHIP_CACHE, CURRENT_ORGANISATION_KEY
from .tokens import invitation_key


def memberships_for(user) -> QuerySet[Membership]:
    """The user's memberships with their organisations, in order of the organisations' names."""
    if user is None or not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation", "user")
        .order_by("organisation__legal_name", "organisation_id")
    )


def current_membership(request) -> Membership | None:
    """The membership the user is working as: the one kept in the session, else their first, else None."""
    if hasattr(request, CURRENT_MEMBERSHIP_CACHE):
        return getattr(request, CURRENT_MEMBERSHIP_CACHE)
    memberships = memberships_for(getattr(request, "user", None))
    membership = None
    organisation_id = request.session.get(CURRENT_ORGANISATION_KEY) if hasattr(request, "session") else None
    if isinstance(organisation_id, int):
        membership = memberships.filter(organisation_id=organisation_id).first()
    if membership is None:
        membership = memberships.first()
    setattr(request, CURRENT_MEMBERSHIP_CACHE, membership)
    return membership


def organisation_members(organisation) -> QuerySet[Membership]:
    """Everyone in an organisation, the owner first, then by name."""
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "organisation")
        .annotate(owner_first=Case(When(role=Role.OWNER, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("owner_first", "user__full_name", "user__email")
    )


def open_invitations(organisation) -> QuerySet[Invitation]:
    """Invitations neither accepted nor cancelled (expired ones included, so the owner can see and cancel them)."""
    return (
        Invitation.objects.filter(organisation=organisation, accepted_at__isnull=True, cancelled_at__isnull=True)
        .select_related("invited_by", "organisation")
        .order_by("email")
    )


def invitation_from_token(token: str, *, for_update: bool = False) -> Invitation:
    """The invitation a link points to, if it can still be accepted.

    Raises InvitationInvalid (altered or unknown), InvitationAlreadyUsed, InvitationCancelled or
    InvitationExpired (older than INVITATION_MAX_AGE_DAYS, or past the expiry stored with it).
    """
    key, signature_expired = invitation_key(token)
    invitations = Invitation.objects.select_related("organisation", "invited_by")
    if for_update:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(key=key).first()
    if invitation is None:
        raise InvitationInvalid
    if invitation.accepted_at is not None:
        raise InvitationAlreadyUsed
    if invitation.cancelled_at is not None:
        raise InvitationCancelled
    if signature_expired or invitation.expires_at <= timezone.now():
        raise InvitationExpired
    return invitation


def invitation_check_invitee(*, invitation: Invitation, user) -> None:
    """Refuse unless `user` has confirmed the invited address and is not already in the organisation.

    Raises InvitationWrongEmail, InvitationEmailNotVerified or AlreadyMember.
    """
    address = EmailAddress.objects.filter(user=user, email__iexact=invitation.email).first()
    if address is None:
        raise InvitationWrongEmail(
            f"This invitation was sent to {invitation.email}, but you are signed in as {user.email}. "
            f"Sign out, then sign in or create an account with {invitation.email} to accept it."
        )
    if not address.verified:
        raise InvitationEmailNotVerified(
            f"Confirm your email address {invitation.email} before you accept this invitation. "
            "Use the link we sent to that address, or ask for a new one from your account page."
        )
    if Membership.objects.filter(organisation=invitation.organisation, user=user).exists():
        raise AlreadyMember(f"You are already a member of {invitation.organisation}.")
