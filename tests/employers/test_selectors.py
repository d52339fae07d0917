"""employers.selectors: whose organisations, which is current, who is in one, what a link points to."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from employers.exceptions import InvitationExpired, InvitationInvalid
from employers.models import Role
from employers.selectors import (
    current_membership,
    invitation_from_token,
    memberships_for,
    open_invitations,
    organisation_members,
)
from employers.session import CURRENT_ORGANISATION_KEY, remember_current_organisation
from employers.tokens import invitation_token
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    OwnerMembershipFactory,
    UserFactory,
)


@pytest.fixture
def request_for(rf):
    def make(user, session=None):
        request = rf.get("/")
        request.user = user
        request.session = dict(session or {})
        return request

    return make


def test_memberships_for_lists_only_the_users_own_in_name_order(db, django_assert_num_queries):
    """A user's memberships, by organisation name, with the organisation loaded in the same query."""
    user = UserFactory()
    MembershipFactory(user=user, organisation=OrganisationFactory(legal_name="Zeta Ltd"))
    OwnerMembershipFactory(user=user, organisation=OrganisationFactory(legal_name="Alpha Ltd"))
    OwnerMembershipFactory()  # someone else's
    with django_assert_num_queries(1):
        names = [m.organisation.legal_name for m in memberships_for(user)]
    assert names == ["Alpha Ltd", "Zeta Ltd"]


def test_memberships_for_an_anonymous_user_is_empty(db):
    """Nobody signed in belongs to nothing."""
    assert list(memberships_for(AnonymousUser())) == []


def test_current_membership_is_none_without_organisations(db, request_for):
    """A user with no organisation (an officer, say) has no current membership."""
    assert current_membership(request_for(UserFactory())) is None


def test_current_membership_falls_back_to_the_first(db, request_for):
    """Without a choice in the session, the first organisation by name is current."""
    user = UserFactory()
    MembershipFactory(user=user, organisation=OrganisationFactory(legal_name="Zeta Ltd"))
    first = MembershipFactory(user=user, organisation=OrganisationFactory(legal_name="Alpha Ltd"))
    assert current_membership(request_for(user)) == first


def test_current_membership_follows_the_session(db, request_for):
    """The organisation chosen in the session is current."""
    user = UserFactory()
    MembershipFactory(user=user, organisation=OrganisationFactory(legal_name="Alpha Ltd"))
    chosen = MembershipFactory(user=user, organisation=OrganisationFactory(legal_name="Zeta Ltd"))
    request = request_for(user)
    remember_current_organisation(request, chosen.organisation)
    assert current_membership(request) == chosen


def test_current_membership_ignores_an_organisation_the_user_is_not_in(db, request_for):
    """A session pointing at someone else's organisation falls back to the user's own."""
    own = OwnerMembershipFactory()
    stranger = OrganisationFactory()
    request = request_for(own.user, {CURRENT_ORGANISATION_KEY: stranger.pk})
    assert current_membership(request) == own


def test_current_membership_is_read_once_per_request(db, request_for, django_assert_num_queries):
    """The answer is kept on the request, with its organisation loaded."""
    own = OwnerMembershipFactory()
    request = request_for(own.user)
    with django_assert_num_queries(1):
        current_membership(request)
        assert current_membership(request).organisation == own.organisation


def test_organisation_members_puts_the_owner_first(db):
    """The owner is listed before members, whatever their names."""
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, user=UserFactory(full_name="Aaron Able"))
    OwnerMembershipFactory(organisation=organisation, user=UserFactory(full_name="Zoe Zed"))
    assert [m.role for m in organisation_members(organisation)] == [Role.OWNER, Role.MEMBER]


def test_open_invitations_leaves_out_accepted_and_cancelled(db):
    """Only invitations neither accepted nor cancelled are open; expired ones are still listed."""
    organisation = OrganisationFactory()
    waiting = InvitationFactory(organisation=organisation, email="a@example.org")
    expired = InvitationFactory(
        organisation=organisation, email="b@example.org", expires_at=timezone.now() - timedelta(days=1)
    )
    InvitationFactory(organisation=organisation, email="c@example.org", accepted_at=timezone.now())
    InvitationFactory(organisation=organisation, email="d@example.org", cancelled_at=timezone.now())
    InvitationFactory(email="e@example.org")  # another organisation's
    assert list(open_invitations(organisation)) == [waiting, expired]


def test_invitation_from_token_finds_the_invitation(db):
    """A good token gives its invitation, with organisation and inviter."""
    invitation = InvitationFactory()
    assert invitation_from_token(invitation_token(invitation.key)) == invitation


def test_invitation_from_token_refuses_an_empty_token(db):
    """An empty token is not valid."""
    with pytest.raises(InvitationInvalid):
        invitation_from_token("")


def test_invitation_from_token_refuses_one_past_its_stored_expiry(db):
    """The invitation's own expiry counts even when the signature is fresh."""
    invitation = InvitationFactory(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(InvitationExpired):
        invitation_from_token(invitation_token(invitation.key))
