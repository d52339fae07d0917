"""Writes for organisations, the people in them, and invitations. Each one is atomic and audited."""

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from audit.services import audit_record

from .exceptions import (
    AlreadyMember,
    CannotRemoveYourself,
    CannotTransferToYourself,
    InvitationAlreadyOpen,
    InvitationAlreadyUsed,
    InvitationCancelled,
    NotAMember,
    NotOwner,
    OrganisationAlreadyRegistered,
    OwnerMustTransferFirst,
)
from .models import Invitation, Membership, Organisation, Role
from .selectors import invitation_check_invitee, invitation_from_token
from .tasks import send_invitation_email
from .tokens import invitation_max_age, invitation_token

# The details an employer user gives and may change (the form's fields).
ORGANISATION_FIELDS = (
    "legal_name",
    "trading_name",
    "organisation_type",
    "company_number",
    "charity_number",
    "sector",
    "employee_count",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "website",
    "public_description",
)

COMPANY_NUMBER_TAKEN = (
    "An organisation with this Companies House number is already registered. Ask its owner to invite you to join it."
)
CHARITY_NUMBER_TAKEN = (
    "An organisation with this charity number is already registered. Ask its owner to invite you to join it."
)


def _organisation_details(details: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(details) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown organisation fields: {', '.join(sorted(unknown))}")
    return {name: details[name] for name in ORGANISATION_FIELDS if name in details}


def _refuse_taken_numbers(values: Mapping[str, Any], *, exclude_pk: int | None = None) -> None:
    others = Organisation.objects.exclude(pk=exclude_pk) if exclude_pk else Organisation.objects.all()
    company_number = values.get("company_number") or ""
    if company_number and others.filter(company_number=company_number).exists():
        raise OrganisationAlreadyRegistered("company_number", COMPANY_NUMBER_TAKEN)
    charity_number = values.get("charity_number") or ""
    if charity_number and others.filter(charity_number=charity_number).exists():
        raise OrganisationAlreadyRegistered("charity_number", CHARITY_NUMBER_TAKEN)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:170].strip("-") or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _save_refusing_taken_numbers(organisation: Organisation, values: Mapping[str, Any]) -> None:
    """Save; if a concurrent request took the same number first, refuse as if we had seen it."""
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        _refuse_taken_numbers(values, exclude_pk=organisation.pk)
        raise


def _membership(*, organisation: Organisation, user, lock: bool = False) -> Membership:
    memberships = Membership.objects.filter(organisation=organisation, user=user)
    if lock:
        memberships = memberships.select_for_update()
    membership = memberships.first()
    if membership is None:
        raise NotAMember
    return membership


def _owner_membership(*, organisation: Organisation, user, lock: bool = False) -> Membership:
    membership = _membership(organisation=organisation, user=user, lock=lock)
    if not membership.is_owner:
        raise NotOwner
    return membership


def organisation_create(*, actor, details: Mapping[str, Any]) -> Organisation:
    """Create an organisation with `actor` as its owner."""
    values = _organisation_details(details)
    with transaction.atomic():
        _refuse_taken_numbers(values)
        organisation = Organisation(**values, created_by=actor)
        organisation.slug = _unique_slug(organisation.display_name)
        _save_refusing_taken_numbers(organisation, values)
        Membership.objects.create(organisation=organisation, user=actor, role=Role.OWNER)
        audit_record(
            actor=actor,
            action="organisation.create",
            obj=organisation,
            note=f"{actor.email} created the organisation and is its owner.",
        )
    return organisation


def organisation_update(*, actor, organisation: Organisation, details: Mapping[str, Any]) -> Organisation:
    """Change an organisation's details; any member may. Nothing is written when nothing changed."""
    values = _organisation_details(details)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        _membership(organisation=organisation, user=actor)
        changed = [name for name, value in values.items() if getattr(organisation, name) != value]
        if not changed:
            return organisation
        _refuse_taken_numbers(values, exclude_pk=organisation.pk)
        for name in changed:
            setattr(organisation, name, values[name])
        _save_refusing_taken_numbers(organisation, values)
        labels = [str(Organisation._meta.get_field(name).verbose_name) for name in changed]
        audit_record(actor=actor, action="organisation.update", obj=organisation, note=f"Changed: {', '.join(labels)}.")
    return organisation


def invitation_create(*, actor, organisation: Organisation, email: str, base_url: str) -> Invitation:
    """The owner invites someone by email; the email with the link goes after commit.

    `base_url` is the site's address (e.g. request.build_absolute_uri("/")), for the link in the email.
    An open invitation to the same address that has expired is cancelled and replaced.
    """
    email = email.strip().lower()
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        _owner_membership(organisation=organisation, user=actor)
        already_member = Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists() or (
            Membership.objects.filter(
                organisation=organisation,
                user__emailaddress__email__iexact=email,
                user__emailaddress__verified=True,
            ).exists()
        )
        if already_member:
            raise AlreadyMember(f"{email} is already a member of {organisation}.")
        previous = (
            Invitation.objects.select_for_update()
            .filter(organisation=organisation, email=email, accepted_at__isnull=True, cancelled_at__isnull=True)
            .first()
        )
        if previous is not None:
            if not previous.is_expired:
                raise InvitationAlreadyOpen(
                    f"{email} has already been invited. Cancel that invitation if you want to send a new one."
                )
            previous.cancelled_at = timezone.now()
            previous.save(update_fields=["cancelled_at"])
            audit_record(
                actor=actor,
                action="invitation.cancel",
                obj=previous,
                from_state="expired",
                to_state="cancelled",
                note=f"Replaced by a new invitation to {email}.",
            )
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            invited_by=actor,
            expires_at=timezone.now() + invitation_max_age(),
        )
        audit_record(
            actor=actor,
            action="invitation.create",
            obj=invitation,
            to_state="open",
            note=f"{actor.email} invited {email} to join {organisation}.",
        )
        link = base_url.rstrip("/") + reverse(
            "employers:invite_accept", kwargs={"token": invitation_token(invitation.key)}
        )
        transaction.on_commit(lambda: send_invitation_email.enqueue(invitation_id=invitation.pk, link=link))
    return invitation


def invitation_cancel(*, actor, invitation: Invitation) -> Invitation:
    """The owner cancels an invitation that has not been used."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
        _owner_membership(organisation=invitation.organisation, user=actor)
        if invitation.accepted_at is not None:
            raise InvitationAlreadyUsed(f"{invitation.email} has already accepted this invitation.")
        if invitation.cancelled_at is not None:
            raise InvitationCancelled("This invitation has already been cancelled.")
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
        audit_record(
            actor=actor,
            action="invitation.cancel",
            obj=invitation,
            from_state="open",
            to_state="cancelled",
            note=f"{actor.email} cancelled the invitation to {invitation.email}.",
        )
    return invitation


def invitation_accept(*, actor, token: str) -> Membership:
    """The invited person, signed in with the invited address confirmed, joins the organisation. Works once."""
    with transaction.atomic():
        invitation = invitation_from_token(token, for_update=True)
        invitation_check_invitee(invitation=invitation, user=actor)
        membership = Membership.objects.create(organisation=invitation.organisation, user=actor, role=Role.MEMBER)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = actor
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            actor=actor,
            action="invitation.accept",
            obj=invitation,
            from_state="open",
            to_state="accepted",
            note=f"{actor.email} joined {invitation.organisation} as a member.",
        )
    return membership


def membership_remove(*, actor, membership: Membership) -> None:
    """The owner removes someone from the organisation. The owner cannot remove themself."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().select_related("organisation", "user").get(pk=membership.pk)
        organisation = membership.organisation
        _owner_membership(organisation=organisation, user=actor, lock=True)
        if membership.user_id == actor.pk:
            raise CannotRemoveYourself
        role = membership.role
        person = membership.user.email
        membership.delete()
        audit_record(
            actor=actor,
            action="membership.remove",
            obj=organisation,
            from_state=role,
            note=f"{actor.email} removed {person} from the organisation.",
        )


def ownership_transfer(*, actor, organisation: Organisation, new_owner: Membership) -> Membership:
    """The owner makes another member the owner, and becomes a member."""
    with transaction.atomic():
        # Lock every membership of the organisation (in a fixed order), so two transfers cannot interleave
        # and the one-owner constraint holds at every step.
        memberships = {
            m.pk: m
            for m in Membership.objects.select_for_update()
            .select_related("user")
            .filter(organisation=organisation)
            .order_by("pk")
        }
        current = next((m for m in memberships.values() if m.user_id == actor.pk), None)
        if current is None:
            raise NotAMember
        if not current.is_owner:
            raise NotOwner
        target = memberships.get(new_owner.pk)
        if target is None:
            raise NotAMember("That person is not a member of this organisation.")
        if target.pk == current.pk:
            raise CannotTransferToYourself
        current.role = Role.MEMBER
        current.save(update_fields=["role"])
        target.role = Role.OWNER
        target.save(update_fields=["role"])
        audit_record(
            actor=actor,
            action="organisation.ownership_transfer",
            obj=organisation,
            note=f"{actor.email} made {target.user.email} the owner, and is now a member.",
        )
    return target


def membership_leave(*, actor, organisation: Organisation) -> None:
    """A member leaves the organisation. The owner must make someone else the owner first."""
    with transaction.atomic():
        membership = _membership(organisation=organisation, user=actor, lock=True)
        if membership.is_owner:
            raise OwnerMustTransferFirst
        role = membership.role
        membership.delete()
        audit_record(
            actor=actor,
            action="membership.leave",
            obj=organisation,
            from_state=role,
            note=f"{actor.email} left the organisation.",
        )
