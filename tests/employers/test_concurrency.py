"""Races that matter, on PostgreSQL: two hand-overs of ownership, two acceptances of one link, two invitations."""

from employers import services
from employers.exceptions import EmployersError
from employers.models import Invitation, Membership, Role
from employers.tokens import invitation_token
from tests import concurrency
from tests.concurrency import POSTGRES_ONLY
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    OwnerMembershipFactory,
    UserFactory,
)

pytestmark = POSTGRES_ONLY


def race(*calls):
    """Run the calls at the same moment; return what each did ("ok" or the EmployersError raised)."""
    return concurrency.race(*calls, refusal=EmployersError)


def test_two_hand_overs_at_once_leave_one_owner():
    """The owner hands ownership to two people at once: one wins, the other is refused cleanly."""
    organisation = OrganisationFactory()
    owner = OwnerMembershipFactory(organisation=organisation).user
    first, second = MembershipFactory(organisation=organisation), MembershipFactory(organisation=organisation)
    results = race(
        lambda: services.ownership_transfer(actor=owner, organisation=organisation, new_owner=first),
        lambda: services.ownership_transfer(actor=owner, organisation=organisation, new_owner=second),
    )
    assert results == ["NotOwner", "ok"]
    assert Membership.objects.filter(organisation=organisation, role=Role.OWNER).count() == 1


def test_one_link_accepted_twice_at_once_joins_once():
    """Two tabs accepting the same link: one joins, the other is told the link was used."""
    invitation = InvitationFactory(email="sam@example.org")
    user = UserFactory(email="sam@example.org")
    token = invitation_token(invitation.key)
    results = race(
        lambda: services.invitation_accept(actor=user, token=token),
        lambda: services.invitation_accept(actor=user, token=token),
    )
    assert results == ["InvitationAlreadyUsed", "ok"]
    assert Membership.objects.filter(user=user).count() == 1


def test_the_same_address_invited_twice_at_once_gets_one_invitation():
    """Two invitations to one address at once: one is sent, the other refused as already open."""
    membership = OwnerMembershipFactory()
    call = lambda: services.invitation_create(  # noqa: E731
        actor=membership.user, organisation=membership.organisation, email="sam@example.org", base_url="https://x/"
    )
    assert race(call, call) == ["InvitationAlreadyOpen", "ok"]
    assert Invitation.objects.count() == 1
