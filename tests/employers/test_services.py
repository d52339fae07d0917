"""employers.services: each write's success, refusals, audit row and atomicity."""

from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from employers import services
from employers.exceptions import (
    AlreadyMember,
    CannotRemoveYourself,
    CannotTransferToYourself,
    InvitationAlreadyOpen,
    InvitationAlreadyUsed,
    InvitationCancelled,
    InvitationEmailNotVerified,
    InvitationExpired,
    InvitationInvalid,
    InvitationWrongEmail,
    NotAMember,
    NotOwner,
    OrganisationAlreadyRegistered,
    OwnerMustTransferFirst,
)
from employers.models import Invitation, Membership, Organisation, Role
from employers.selectors import invitation_from_token
from employers.tokens import invitation_token
from tests.factories import InvitationFactory, MembershipFactory, OrganisationFactory, UserFactory

BASE_URL = "https://charter.example.gov.uk/"


class Boom(Exception):
    pass


@pytest.fixture
def audit_fails(monkeypatch):
    """Make the audit write fail, as any failure late in a service would."""

    def fail(**kwargs):
        raise Boom

    monkeypatch.setattr(services, "audit_record", fail)


def events(obj, action):
    return list(AuditEvent.objects.for_object(obj).filter(action=action))


# --- organisation_create ---------------------------------------------------------------------------


def test_organisation_create_makes_the_creator_owner(db, details):
    """The new organisation holds the details given, and its creator is its one owner."""
    user = UserFactory()
    organisation = services.organisation_create(actor=user, details=details)
    organisation.refresh_from_db()
    assert organisation.legal_name == "Colman's Mustard Works Ltd"
    assert organisation.postcode == "NR1 2DD"
    assert organisation.created_by == user
    assert organisation.slug == "colmans"
    membership = Membership.objects.get(organisation=organisation)
    assert (membership.user, membership.role) == (user, Role.OWNER)


def test_organisation_create_writes_an_audit_row(db, details):
    """Creating an organisation is audited with its creator as actor."""
    user = UserFactory()
    organisation = services.organisation_create(actor=user, details=details)
    [event] = events(organisation, "organisation.create")
    assert event.actor == user
    assert user.email in event.note


def test_organisation_create_gives_each_organisation_its_own_slug(db, details):
    """Two organisations with the same name get different slugs."""
    first = services.organisation_create(actor=UserFactory(), details={**details, "company_number": ""})
    second = services.organisation_create(actor=UserFactory(), details={**details, "company_number": ""})
    assert first.slug != second.slug


@pytest.mark.parametrize(
    ("field", "value"), [("company_number", "00123456"), ("charity_number", "1234567")], ids=["company", "charity"]
)
def test_organisation_create_refuses_a_number_already_registered(db, details, field, value):
    """A Companies House or charity number another organisation has is refused, and nothing is created."""
    OrganisationFactory(**{field: value})
    before = Organisation.objects.count()
    with pytest.raises(OrganisationAlreadyRegistered) as refused:
        services.organisation_create(actor=UserFactory(), details={**details, field: value})
    assert refused.value.field == field
    assert "already registered" in str(refused.value)
    assert Organisation.objects.count() == before
    assert not AuditEvent.objects.filter(action="organisation.create").exists()


def test_organisation_create_refuses_unknown_fields(db, details):
    """Only the organisation's editable details can be given (no slug, no created_by)."""
    with pytest.raises(TypeError):
        services.organisation_create(actor=UserFactory(), details={**details, "slug": "chosen"})


def test_organisation_create_is_atomic(db, details, audit_fails):
    """If the audit write fails, neither the organisation nor the membership exists."""
    with pytest.raises(Boom):
        services.organisation_create(actor=UserFactory(), details=details)
    assert not Organisation.objects.exists()
    assert not Membership.objects.exists()


# --- organisation_update ---------------------------------------------------------------------------


def test_organisation_update_changes_the_details_and_audits_which(organisation, member):
    """Any member may change the details; the audit note names the fields changed."""
    services.organisation_update(
        actor=member, organisation=organisation, details={"postcode": "NR2 1NH", "employee_count": 40}
    )
    organisation.refresh_from_db()
    assert (organisation.postcode, organisation.employee_count) == ("NR2 1NH", 40)
    [event] = events(organisation, "organisation.update")
    assert event.actor == member
    assert "postcode" in event.note
    assert "number of employees" in event.note


def test_organisation_update_writes_nothing_when_nothing_changed(organisation, owner):
    """Saving the same details again writes no audit row."""
    services.organisation_update(actor=owner, organisation=organisation, details={"town": organisation.town})
    assert events(organisation, "organisation.update") == []


def test_organisation_update_refuses_someone_outside(organisation, outsider):
    """A user who is not a member cannot change the organisation."""
    with pytest.raises(NotAMember):
        services.organisation_update(actor=outsider, organisation=organisation, details={"town": "Cromer"})
    organisation.refresh_from_db()
    assert organisation.town == "Norwich"


def test_organisation_update_refuses_a_number_already_registered(organisation, owner):
    """Changing to a company number another organisation has is refused."""
    OrganisationFactory(company_number="SC123456")
    with pytest.raises(OrganisationAlreadyRegistered):
        services.organisation_update(actor=owner, organisation=organisation, details={"company_number": "SC123456"})
    organisation.refresh_from_db()
    assert organisation.company_number != "SC123456"


def test_organisation_update_is_atomic(organisation, owner, audit_fails):
    """If the audit write fails, the details are unchanged."""
    with pytest.raises(Boom):
        services.organisation_update(actor=owner, organisation=organisation, details={"town": "Cromer"})
    organisation.refresh_from_db()
    assert organisation.town == "Norwich"


# --- invitation_create -----------------------------------------------------------------------------


def test_invitation_create_opens_an_invitation_for_the_email(organisation, owner, settings):
    """The owner's invitation is open, for the lower-cased address, expiring after INVITATION_MAX_AGE_DAYS."""
    settings.INVITATION_MAX_AGE_DAYS = 3
    invitation = services.invitation_create(
        actor=owner, organisation=organisation, email=" Sam@Example.ORG ", base_url=BASE_URL
    )
    assert invitation.email == "sam@example.org"
    assert invitation.invited_by == owner
    assert invitation.is_open
    assert abs(invitation.expires_at - (timezone.now() + timedelta(days=3))) < timedelta(minutes=1)
    [event] = events(invitation, "invitation.create")
    assert (event.actor, event.to_state) == (owner, "open")


def test_invitation_create_emails_the_link_only_after_commit(organisation, owner, django_capture_on_commit_callbacks):
    """The email waits for the commit, then goes to the invited address with a link that opens the invitation."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = services.invitation_create(
            actor=owner, organisation=organisation, email="sam@example.org", base_url=BASE_URL
        )
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert message.to == ["sam@example.org"]
    assert organisation.display_name in message.subject
    link = next(word for word in message.body.split() if word.startswith(BASE_URL))
    token = link.removeprefix(BASE_URL + "employer/invitation/").rstrip("/")
    assert invitation_from_token(token) == invitation


def test_invitation_create_sends_nothing_when_rolled_back(organisation, owner, django_capture_on_commit_callbacks):
    """If the surrounding transaction rolls back, no invitation exists and no email is sent."""
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Boom), transaction.atomic():
        services.invitation_create(actor=owner, organisation=organisation, email="sam@example.org", base_url=BASE_URL)
        raise Boom
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_invitation_create_refuses_a_member(organisation, owner, member):
    """Only the owner may invite."""
    with pytest.raises(NotOwner):
        services.invitation_create(actor=member, organisation=organisation, email="sam@example.org", base_url=BASE_URL)
    assert not Invitation.objects.exists()


def test_invitation_create_refuses_someone_outside(organisation, outsider):
    """Someone not in the organisation cannot invite to it."""
    with pytest.raises(NotAMember):
        services.invitation_create(
            actor=outsider, organisation=organisation, email="sam@example.org", base_url=BASE_URL
        )


def test_invitation_create_refuses_an_existing_member(organisation, owner, member):
    """Inviting someone already in the organisation (whatever the case of the address) is refused."""
    with pytest.raises(AlreadyMember) as refused:
        services.invitation_create(
            actor=owner, organisation=organisation, email=member.email.upper(), base_url=BASE_URL
        )
    assert member.email in str(refused.value)
    assert not Invitation.objects.exists()


def test_invitation_create_refuses_a_members_other_verified_address(organisation, owner, member):
    """A member's second, verified address counts as the member."""
    EmailAddress.objects.create(user=member, email="second@example.org", verified=True, primary=False)
    with pytest.raises(AlreadyMember):
        services.invitation_create(
            actor=owner, organisation=organisation, email="second@example.org", base_url=BASE_URL
        )


def test_invitation_create_refuses_an_address_with_an_open_invitation(organisation, owner):
    """An address with an invitation still open cannot be invited again."""
    InvitationFactory(organisation=organisation, email="sam@example.org")
    with pytest.raises(InvitationAlreadyOpen):
        services.invitation_create(actor=owner, organisation=organisation, email="sam@example.org", base_url=BASE_URL)
    assert Invitation.objects.count() == 1


def test_invitation_create_replaces_an_expired_invitation(organisation, owner):
    """An expired open invitation to the same address is cancelled (and audited) and a new one sent."""
    old = InvitationFactory(organisation=organisation, email="sam@example.org")
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        new = services.invitation_create(
            actor=owner, organisation=organisation, email="sam@example.org", base_url=BASE_URL
        )
    old.refresh_from_db()
    assert old.cancelled_at is not None
    assert new.is_open
    [event] = events(old, "invitation.cancel")
    assert (event.from_state, event.to_state) == ("expired", "cancelled")


def test_invitation_create_is_atomic(organisation, owner, audit_fails, django_capture_on_commit_callbacks):
    """If the audit write fails, no invitation exists and no email is queued."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        services.invitation_create(actor=owner, organisation=organisation, email="sam@example.org", base_url=BASE_URL)
    assert callbacks == []
    assert not Invitation.objects.exists()
    assert mail.outbox == []


# --- invitation_cancel -----------------------------------------------------------------------------


def test_invitation_cancel_closes_the_invitation(organisation, owner):
    """The owner cancels an open invitation; it is audited open -> cancelled."""
    invitation = InvitationFactory(organisation=organisation)
    services.invitation_cancel(actor=owner, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    [event] = events(invitation, "invitation.cancel")
    assert (event.actor, event.from_state, event.to_state) == (owner, "open", "cancelled")


def test_invitation_cancel_refuses_a_member(organisation, owner, member):
    """Only the owner may cancel an invitation."""
    invitation = InvitationFactory(organisation=organisation)
    with pytest.raises(NotOwner):
        services.invitation_cancel(actor=member, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.is_open


def test_invitation_cancel_refuses_an_accepted_invitation(organisation, owner):
    """An invitation already used cannot be cancelled."""
    invitation = InvitationFactory(organisation=organisation, accepted_at=timezone.now())
    with pytest.raises(InvitationAlreadyUsed):
        services.invitation_cancel(actor=owner, invitation=invitation)


def test_invitation_cancel_refuses_a_cancelled_invitation(organisation, owner):
    """Cancelling twice is refused, and audited once."""
    invitation = InvitationFactory(organisation=organisation)
    services.invitation_cancel(actor=owner, invitation=invitation)
    with pytest.raises(InvitationCancelled):
        services.invitation_cancel(actor=owner, invitation=invitation)
    assert len(events(invitation, "invitation.cancel")) == 1


def test_invitation_cancel_is_atomic(organisation, owner, audit_fails):
    """If the audit write fails, the invitation stays open."""
    invitation = InvitationFactory(organisation=organisation)
    with pytest.raises(Boom):
        services.invitation_cancel(actor=owner, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.is_open


# --- invitation_accept -----------------------------------------------------------------------------


@pytest.fixture
def invitee(db):
    return UserFactory(email="sam@example.org")


@pytest.fixture
def invitation(organisation, owner):
    return InvitationFactory(organisation=organisation, email="sam@example.org")


def test_invitation_accept_makes_the_invitee_a_member(invitation, invitee):
    """Accepting makes the invited person a member and closes the invitation."""
    membership = services.invitation_accept(actor=invitee, token=invitation_token(invitation.key))
    assert (membership.organisation, membership.user, membership.role) == (invitation.organisation, invitee, "member")
    invitation.refresh_from_db()
    assert invitation.accepted_by == invitee
    assert invitation.accepted_at is not None
    [event] = events(invitation, "invitation.accept")
    assert (event.actor, event.from_state, event.to_state) == (invitee, "open", "accepted")


def test_invitation_accept_works_with_a_second_verified_address(invitation):
    """The invited address may be any verified address on the account, in any case."""
    user = UserFactory(email="other@example.org")
    EmailAddress.objects.create(user=user, email="SAM@example.org", verified=True, primary=False)
    services.invitation_accept(actor=user, token=invitation_token(invitation.key))
    assert Membership.objects.filter(user=user, organisation=invitation.organisation).exists()


def test_invitation_accept_works_only_once(invitation, invitee):
    """A used link is refused the second time, with its own message."""
    token = invitation_token(invitation.key)
    services.invitation_accept(actor=invitee, token=token)
    with pytest.raises(InvitationAlreadyUsed) as refused:
        services.invitation_accept(actor=UserFactory(email="sam2@example.org"), token=token)
    assert "already been used" in str(refused.value)


def test_invitation_accept_refuses_an_expired_link(invitation, invitee):
    """After INVITATION_MAX_AGE_DAYS the link is refused as expired."""
    token = invitation_token(invitation.key)
    with (
        time_machine.travel(timezone.now() + timedelta(days=14, minutes=1)),
        pytest.raises(InvitationExpired) as refused,
    ):
        services.invitation_accept(actor=invitee, token=token)
    assert "expired" in str(refused.value)
    assert not Membership.objects.filter(user=invitee).exists()


def test_invitation_accept_follows_a_shorter_max_age(invitation, invitee, settings):
    """The link's signature expires after INVITATION_MAX_AGE_DAYS even if the stored expiry is later."""
    settings.INVITATION_MAX_AGE_DAYS = 1
    token = invitation_token(invitation.key)
    with time_machine.travel(timezone.now() + timedelta(days=2)), pytest.raises(InvitationExpired):
        services.invitation_accept(actor=invitee, token=token)


def test_invitation_accept_refuses_past_the_stored_expiry(invitation, invitee):
    """The expiry stored with the invitation is honoured too."""
    invitation.expires_at = timezone.now() - timedelta(seconds=1)
    invitation.save()
    with pytest.raises(InvitationExpired):
        services.invitation_accept(actor=invitee, token=invitation_token(invitation.key))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature altered
        lambda t: "x" + t,  # key altered
        lambda t: t.rsplit(":", 1)[0],  # signature cut off
        lambda t: "not-a-token",
        lambda t: t * 3,  # far too long
    ],
    ids=["signature", "key", "truncated", "garbage", "huge"],
)
def test_invitation_accept_refuses_a_tampered_link(invitation, invitee, tamper):
    """A link that was altered is refused as not valid."""
    with pytest.raises(InvitationInvalid) as refused:
        services.invitation_accept(actor=invitee, token=tamper(invitation_token(invitation.key)))
    assert "not valid" in str(refused.value)


def test_invitation_accept_refuses_a_signed_key_that_was_never_issued(db, invitee):
    """A correctly signed key with no invitation behind it is not valid."""
    with pytest.raises(InvitationInvalid):
        services.invitation_accept(actor=invitee, token=invitation_token("no-such-key"))


def test_invitation_accept_refuses_a_cancelled_invitation(invitation, invitee, owner):
    """A cancelled invitation's link is refused, with its own message."""
    services.invitation_cancel(actor=owner, invitation=invitation)
    with pytest.raises(InvitationCancelled) as refused:
        services.invitation_accept(actor=invitee, token=invitation_token(invitation.key))
    assert "cancelled" in str(refused.value)


def test_invitation_accept_refuses_someone_else(invitation):
    """A user signed in with a different address is told which address was invited."""
    other = UserFactory(email="someone@example.org")
    with pytest.raises(InvitationWrongEmail) as refused:
        services.invitation_accept(actor=other, token=invitation_token(invitation.key))
    assert "sam@example.org" in str(refused.value)
    assert not Membership.objects.filter(user=other).exists()
    invitation.refresh_from_db()
    assert invitation.is_open


def test_invitation_accept_refuses_an_unverified_address(invitation):
    """The invited address must be verified on the account."""
    user = UserFactory(email="sam@example.org", verified=False)
    EmailAddress.objects.create(user=user, email="sam@example.org", verified=False, primary=True)
    with pytest.raises(InvitationEmailNotVerified) as refused:
        services.invitation_accept(actor=user, token=invitation_token(invitation.key))
    assert "Confirm your email address" in str(refused.value)


def test_invitation_accept_refuses_an_existing_member(organisation, owner):
    """Someone already in the organisation cannot join it again."""
    user = MembershipFactory(organisation=organisation).user
    invitation = InvitationFactory(organisation=organisation, email=user.email)
    with pytest.raises(AlreadyMember):
        services.invitation_accept(actor=user, token=invitation_token(invitation.key))


def test_invitation_accept_is_atomic(invitation, invitee, audit_fails):
    """If the audit write fails, there is no membership and the invitation stays open."""
    with pytest.raises(Boom):
        services.invitation_accept(actor=invitee, token=invitation_token(invitation.key))
    assert not Membership.objects.filter(user=invitee).exists()
    invitation.refresh_from_db()
    assert invitation.is_open


# --- membership_remove -----------------------------------------------------------------------------


def test_membership_remove_takes_the_member_out(organisation, owner, member):
    """The owner removes a member; it is audited on the organisation."""
    membership = Membership.objects.get(user=member)
    services.membership_remove(actor=owner, membership=membership)
    assert not Membership.objects.filter(user=member, organisation=organisation).exists()
    [event] = events(organisation, "membership.remove")
    assert (event.actor, event.from_state) == (owner, "member")
    assert member.email in event.note


def test_membership_remove_refuses_the_owner_removing_themself(organisation, owner):
    """The owner cannot remove themself."""
    with pytest.raises(CannotRemoveYourself):
        services.membership_remove(actor=owner, membership=Membership.objects.get(user=owner))
    assert Membership.objects.filter(user=owner, role=Role.OWNER).exists()


def test_membership_remove_refuses_a_member(organisation, owner, member):
    """A member cannot remove anyone."""
    other = MembershipFactory(organisation=organisation)
    with pytest.raises(NotOwner):
        services.membership_remove(actor=member, membership=other)
    assert Membership.objects.filter(pk=other.pk).exists()


def test_membership_remove_refuses_another_organisations_owner(organisation, member, outsider):
    """The owner of another organisation cannot remove anyone from this one."""
    with pytest.raises(NotAMember):
        services.membership_remove(actor=outsider, membership=Membership.objects.get(user=member))


def test_membership_remove_is_atomic(organisation, owner, member, audit_fails):
    """If the audit write fails, the member is still there."""
    with pytest.raises(Boom):
        services.membership_remove(actor=owner, membership=Membership.objects.get(user=member))
    assert Membership.objects.filter(user=member).exists()


# --- ownership_transfer ----------------------------------------------------------------------------


def test_ownership_transfer_swaps_the_roles(organisation, owner, member):
    """The member becomes the one owner and the old owner a member; it is audited."""
    target = Membership.objects.get(user=member)
    services.ownership_transfer(actor=owner, organisation=organisation, new_owner=target)
    roles = dict(Membership.objects.filter(organisation=organisation).values_list("user__email", "role"))
    assert roles == {owner.email: Role.MEMBER, member.email: Role.OWNER}
    [event] = events(organisation, "organisation.ownership_transfer")
    assert event.actor == owner
    assert member.email in event.note


def test_ownership_transfer_refuses_a_member(organisation, owner, member):
    """A member cannot hand ownership to themself or anyone else."""
    with pytest.raises(NotOwner):
        services.ownership_transfer(
            actor=member, organisation=organisation, new_owner=Membership.objects.get(user=member)
        )
    assert Membership.objects.get(user=owner).role == Role.OWNER


def test_ownership_transfer_refuses_someone_from_another_organisation(organisation, owner, outsider):
    """Ownership can only go to a member of the same organisation."""
    with pytest.raises(NotAMember):
        services.ownership_transfer(
            actor=owner, organisation=organisation, new_owner=Membership.objects.get(user=outsider)
        )
    assert Membership.objects.get(user=outsider).organisation != organisation


def test_ownership_transfer_refuses_the_owner_themself(organisation, owner):
    """Handing ownership to yourself is refused."""
    with pytest.raises(CannotTransferToYourself):
        services.ownership_transfer(
            actor=owner, organisation=organisation, new_owner=Membership.objects.get(user=owner)
        )


def test_ownership_transfer_is_atomic(organisation, owner, member, audit_fails):
    """If the audit write fails, the owner is still the owner."""
    with pytest.raises(Boom):
        services.ownership_transfer(
            actor=owner, organisation=organisation, new_owner=Membership.objects.get(user=member)
        )
    assert Membership.objects.get(user=owner).role == Role.OWNER
    assert Membership.objects.get(user=member).role == Role.MEMBER


# --- membership_leave ------------------------------------------------------------------------------


def test_membership_leave_takes_the_member_out(organisation, owner, member):
    """A member leaves; it is audited on the organisation."""
    services.membership_leave(actor=member, organisation=organisation)
    assert not Membership.objects.filter(user=member).exists()
    [event] = events(organisation, "membership.leave")
    assert (event.actor, event.from_state) == (member, "member")


def test_membership_leave_refuses_the_owner(organisation, owner, member):
    """The owner must hand on ownership before leaving."""
    with pytest.raises(OwnerMustTransferFirst):
        services.membership_leave(actor=owner, organisation=organisation)
    assert Membership.objects.filter(user=owner, role=Role.OWNER).exists()


def test_membership_leave_refuses_someone_outside(organisation, outsider):
    """Someone not in the organisation cannot leave it."""
    with pytest.raises(NotAMember):
        services.membership_leave(actor=outsider, organisation=organisation)


def test_membership_leave_is_atomic(organisation, owner, member, audit_fails):
    """If the audit write fails, the member is still there."""
    with pytest.raises(Boom):
        services.membership_leave(actor=member, organisation=organisation)
    assert Membership.objects.filter(user=member).exists()
