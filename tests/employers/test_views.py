"""employers.views: who may use each page, what it shows, and what each action does."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from employers.models import Invitation, Membership, Organisation, Role
from employers.session import CURRENT_ORGANISATION_KEY, PENDING_INVITATION_KEY
from employers.tokens import invitation_token
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

OFFICER_REFUSAL = "This part of the service is for employers"


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client


@pytest.fixture
def urls(organisation, owner, member):
    """Every employer URL, with ids belonging to `organisation`."""
    invitation = InvitationFactory(organisation=organisation)
    member_membership = Membership.objects.get(user=member)
    return {
        "dashboard": reverse("employers:dashboard"),
        "switch": reverse("employers:switch_organisation"),
        "create": reverse("employers:organisation_create"),
        "detail": reverse("employers:organisation_detail"),
        "update": reverse("employers:organisation_update"),
        "leave": reverse("employers:membership_leave"),
        "people": reverse("employers:people"),
        "invite": reverse("employers:invite"),
        "cancel": reverse("employers:invitation_cancel", kwargs={"pk": invitation.pk}),
        "remove": reverse("employers:membership_remove", kwargs={"pk": member_membership.pk}),
        "transfer": reverse("employers:ownership_transfer", kwargs={"pk": member_membership.pk}),
    }


ALL_PAGES = ["dashboard", "create", "detail", "update", "leave", "people", "invite", "cancel", "remove", "transfer"]
ID_PAGES = ["cancel", "remove", "transfer"]
OWNER_ONLY = ["invite", "cancel", "remove", "transfer"]


def body(response) -> str:
    return response.content.decode()


# --- who may use the employer area -----------------------------------------------------------------


@pytest.mark.parametrize("page", [*ALL_PAGES, "switch"])
def test_anonymous_people_are_sent_to_sign_in(client, urls, page):
    """Every employer page sends someone not signed in to the sign-in page, and back afterwards."""
    method = client.post if page == "switch" else client.get
    response = method(urls[page])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


@pytest.mark.parametrize("page", ALL_PAGES)
def test_officers_are_refused(officer_client, urls, page):
    """Council officers cannot act for an employer: every employer page refuses them with 403."""
    response = officer_client.get(urls[page])
    assert response.status_code == 403
    assert OFFICER_REFUSAL in body(response)


@pytest.mark.parametrize("page", ALL_PAGES)
def test_officers_without_two_factor_are_sent_to_set_it_up(officer_without_2fa_client, urls, page):
    """An officer without two-factor is sent to set it up from every employer page."""
    response = officer_without_2fa_client.get(urls[page])
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("page", ID_PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organisations_owner_gets_404_for_its_ids(outsider_client, urls, page, method, organisation):
    """An owner of another organisation gets 404 for this organisation's invitations and memberships."""
    response = getattr(outsider_client, method)(urls[page])
    assert response.status_code == 404
    assert Invitation.objects.filter(organisation=organisation, cancelled_at__isnull=True).exists()
    assert Membership.objects.filter(organisation=organisation).count() == 2
    assert Membership.objects.get(organisation=organisation, role=Role.OWNER).user.email != ""


@pytest.mark.parametrize("page", ["detail", "update", "people"])
def test_another_organisations_owner_sees_only_their_own(outsider_client, urls, page, organisation, outsider):
    """Pages about 'your organisation' show the user's own organisation, never another."""
    response = outsider_client.get(urls[page])
    assert response.status_code == 200
    assert organisation.legal_name not in body(response)
    assert outsider.organisations.get().legal_name in body(response)


def test_a_session_pointing_at_another_organisation_falls_back_to_your_own(outsider_client, organisation, outsider):
    """A current-organisation id in the session for an organisation you are not in is ignored."""
    session = outsider_client.session
    session[CURRENT_ORGANISATION_KEY] = organisation.pk
    session.save()
    response = outsider_client.get(reverse("employers:organisation_detail"))
    assert organisation.legal_name not in body(response)
    assert outsider.organisations.get().legal_name in body(response)


@pytest.mark.parametrize("page", OWNER_ONLY)
def test_members_cannot_use_owner_only_pages(member_client, urls, page, owner):
    """A member who is not the owner is told only the owner can do this, and who the owner is."""
    response = member_client.get(urls[page])
    assert response.status_code == 403
    assert "Only the owner can do this" in body(response)
    assert escape(str(owner)) in body(response)


@pytest.mark.parametrize("page", ["cancel", "remove", "transfer"])
def test_members_cannot_post_owner_only_actions(member_client, urls, page, organisation, owner):
    """A member's POST to an owner-only action changes nothing."""
    assert member_client.post(urls[page]).status_code == 403
    assert Invitation.objects.get(organisation=organisation).is_open
    assert Membership.objects.filter(organisation=organisation).count() == 2
    assert Membership.objects.get(organisation=organisation, role=Role.OWNER).user == owner


@pytest.mark.parametrize("page", ["detail", "update", "people", "invite", "leave"])
def test_someone_with_no_organisation_is_sent_to_the_dashboard(client, db, page, urls):
    """Pages about an organisation send a user who has none to the dashboard, to add one."""
    client.force_login(UserFactory())
    response = client.get(urls[page])
    assert response.status_code == 302
    assert response["Location"] == reverse("employers:dashboard")


# --- dashboard and switching -----------------------------------------------------------------------


def test_dashboard_prompts_someone_with_no_organisation_to_add_one(client, db):
    """With no organisation, the dashboard asks the user to add theirs."""
    client.force_login(UserFactory())
    response = client.get(reverse("employers:dashboard"))
    assert response.status_code == 200
    assert "Add your organisation" in body(response)
    assert reverse("employers:organisation_create") in body(response)


def test_dashboard_summarises_the_current_organisation(owner_client, organisation):
    """The dashboard names the organisation, the user's role, and links to details and people."""
    response = owner_client.get(reverse("employers:dashboard"))
    text = body(response)
    assert organisation.legal_name in text
    assert "Owner" in text
    assert reverse("employers:organisation_detail") in text
    assert reverse("employers:people") in text
    assert "Switch organisation" not in text


def test_dashboard_offers_a_switch_between_several_organisations(owner_client, owner):
    """With several organisations, the dashboard has a form to switch, which works without JavaScript."""
    other = MembershipFactory(user=owner).organisation
    text = body(owner_client.get(reverse("employers:dashboard")))
    assert "Switch organisation" in text
    assert f'value="{other.pk}"' in text
    assert f'action="{reverse("employers:switch_organisation")}"' in text


def test_switching_organisation_changes_the_current_one(owner_client, owner):
    """Switching to another of your organisations makes it current, with a success banner."""
    other = MembershipFactory(user=owner, organisation=OrganisationFactory(legal_name="Aardvark Bakery Ltd"))
    response = owner_client.post(
        reverse("employers:switch_organisation"), {"organisation": other.organisation_id}, follow=True
    )
    assert owner_client.session[CURRENT_ORGANISATION_KEY] == other.organisation_id
    assert "You are now working as Aardvark Bakery Ltd" in body(response)
    assert "govuk-notification-banner--success" in body(response)
    people = body(owner_client.get(reverse("employers:people")))
    assert "Member" in people and "Make owner" not in people


def test_switching_to_an_organisation_you_are_not_in_is_refused(owner_client, organisation):
    """Switching to someone else's organisation is a 404 and changes nothing."""
    stranger = OrganisationFactory()
    response = owner_client.post(reverse("employers:switch_organisation"), {"organisation": stranger.pk})
    assert response.status_code == 404
    assert owner_client.session.get(CURRENT_ORGANISATION_KEY) != stranger.pk


@pytest.mark.parametrize("value", ["", "abc", "1; DROP TABLE", "9" * 10_000])
def test_switching_without_a_proper_choice_says_so(owner_client, value):
    """A missing or malformed choice sends the user back with a message."""
    response = owner_client.post(reverse("employers:switch_organisation"), {"organisation": value}, follow=True)
    assert response.status_code == 200
    assert "Select the organisation you want to work as" in body(response)


def test_switching_needs_a_post(owner_client):
    """Switching changes state, so GET is not allowed."""
    assert owner_client.get(reverse("employers:switch_organisation")).status_code == 405


def test_names_are_escaped_on_every_page(owner_client, organisation):
    """Text employers typed is shown as text, never as markup."""
    Organisation.objects.filter(pk=organisation.pk).update(trading_name='<img src=x onerror="alert(1)">')
    for name in ["dashboard", "organisation_detail", "people"]:
        text = body(owner_client.get(reverse(f"employers:{name}")))
        assert "<img src=x" not in text
        assert "&lt;img src=x" in text


# --- adding and changing an organisation -----------------------------------------------------------


def test_adding_an_organisation_makes_you_its_owner(client, db, form_data):
    """A valid form creates the organisation with the user as owner, makes it current, and says so."""
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("employers:organisation_create"), form_data, follow=True)
    organisation = Organisation.objects.get()
    assert Membership.objects.get(organisation=organisation).user == user
    assert Membership.objects.get(organisation=organisation).role == Role.OWNER
    assert client.session[CURRENT_ORGANISATION_KEY] == organisation.pk
    assert response.redirect_chain[-1][0] == reverse("employers:dashboard")
    assert "has been added" in body(response)


def test_adding_an_organisation_shows_the_form(client, db):
    """The add page shows the GOV.UK form with the address grouped under a heading."""
    client.force_login(UserFactory())
    text = body(client.get(reverse("employers:organisation_create")))
    assert "<legend" in text and "Registered address" in text
    assert 'autocomplete="organization"' in text
    assert "novalidate" in text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"legal_name": ""}, "legal_name", "Enter your organisation&#x27;s legal name"),
        ({"postcode": "NOT A POSTCODE"}, "postcode", "Enter a real postcode, like NR2 1NH"),
        ({"legal_name": "x" * 10_000}, "legal_name", "Legal name must be 160 characters or fewer"),
        ({"public_description": "<script>alert(1)</script>"}, "public_description", "Enter text without HTML tags"),
        ({"company_number": ""}, "company_number", "Enter your Companies House number"),
    ],
)
def test_bad_input_is_shown_on_the_page_and_nothing_is_saved(client, db, form_data, changes, field, message):
    """Errors appear in the error summary and by the field, the title starts 'Error:', and nothing is saved."""
    client.force_login(UserFactory())
    response = client.post(reverse("employers:organisation_create"), {**form_data, **changes})
    text = body(response)
    assert response.status_code == 200
    assert "<title>Error: " in text
    assert "govuk-error-summary" in text
    assert f'href="#id_{field}"' in text
    assert message in text
    assert "<script>alert(1)</script>" not in text
    assert not Organisation.objects.exists()


def test_changing_details_is_open_to_members(member_client, organisation, form_data):
    """Any member may change the details; the page says they were saved."""
    response = member_client.post(
        reverse("employers:organisation_update"),
        {**form_data, "company_number": organisation.company_number},
        follow=True,
    )
    organisation.refresh_from_db()
    assert organisation.legal_name == form_data["legal_name"]
    assert response.redirect_chain[-1][0] == reverse("employers:organisation_detail")
    assert "Your organisation&#x27;s details have been saved" in body(response)


def test_changing_details_starts_from_the_current_values(owner_client, organisation):
    """The change page is filled in with the organisation's details."""
    text = body(owner_client.get(reverse("employers:organisation_update")))
    assert f'value="{organisation.legal_name}"' in text
    assert f'value="{organisation.postcode}"' in text


def test_changing_details_with_bad_input_saves_nothing(owner_client, organisation, form_data):
    """A refused change leaves the organisation as it was."""
    response = owner_client.post(reverse("employers:organisation_update"), {**form_data, "town": "<b>Norwich</b>"})
    assert response.status_code == 200
    assert "<title>Error: " in body(response)
    organisation.refresh_from_db()
    assert organisation.town == "Norwich"
    assert organisation.legal_name != form_data["legal_name"]


def test_details_page_lists_everything_with_change_links(owner_client, organisation):
    """The details page is a summary list with a Change link for each detail."""
    text = body(owner_client.get(reverse("employers:organisation_detail")))
    assert "govuk-summary-list" in text
    assert organisation.company_number in text
    assert "G: Wholesale and retail trade" in text
    assert f"{reverse('employers:organisation_update')}#id_address_line_1" in text
    assert text.count(">Change<") >= 10


# --- people ----------------------------------------------------------------------------------------


def test_people_page_lists_members_roles_and_invitations(owner_client, organisation, owner, member):
    """The owner sees everyone with their role, open invitations, and the owner's actions."""
    invitation = InvitationFactory(organisation=organisation, email="waiting@example.org")
    text = body(owner_client.get(reverse("employers:people")))
    assert owner.email in text and member.email in text
    assert "govuk-tag" in text
    assert "waiting@example.org" in text
    assert reverse("employers:invitation_cancel", kwargs={"pk": invitation.pk}) in text
    assert reverse("employers:invite") in text
    assert "Make owner" in text


def test_people_page_shows_members_no_owner_actions(member_client, organisation, owner):
    """A member sees who is in the organisation but no invite, remove or make-owner actions."""
    text = body(member_client.get(reverse("employers:people")))
    assert owner.email in text
    assert "Make owner" not in text
    assert reverse("employers:invite") not in text
    assert reverse("employers:membership_leave") in text


def test_people_page_marks_expired_invitations(owner_client, organisation):
    """An invitation past its expiry is tagged as expired."""
    InvitationFactory(organisation=organisation, expires_at=timezone.now() - timedelta(days=1))
    assert "Expired" in body(owner_client.get(reverse("employers:people")))


def test_inviting_sends_the_email_after_commit(owner_client, organisation, django_capture_on_commit_callbacks):
    """The owner's invitation is created and emailed (after commit) with an absolute link to accept it."""
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("employers:invite"), {"email": "Sam@Example.org"}, follow=True)
    invitation = Invitation.objects.get(organisation=organisation)
    assert invitation.email == "sam@example.org"
    assert "We have sent an invitation to sam@example.org" in body(response)
    [message] = mail.outbox
    assert "http://testserver/employer/invitation/" in message.body


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter an email address"),
        ("not-an-email", "Enter an email address in the correct format"),
        ("x" * 10_000 + "@example.org", "Email address must be 254 characters or fewer"),
    ],
)
def test_inviting_a_bad_address_says_why(owner_client, organisation, email, message):
    """A bad address is refused on the page, and nobody is invited."""
    response = owner_client.post(reverse("employers:invite"), {"email": email})
    assert response.status_code == 200
    assert "<title>Error: " in body(response)
    assert message in body(response)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_inviting_a_member_says_they_are_already_in(owner_client, organisation, member):
    """Inviting an existing member is refused on the form."""
    response = owner_client.post(reverse("employers:invite"), {"email": member.email})
    assert "is already a member" in body(response)
    assert "<title>Error: " in body(response)
    assert not Invitation.objects.exists()


def test_inviting_twice_says_the_invitation_is_open(owner_client, organisation):
    """Inviting an address with an open invitation is refused on the form."""
    InvitationFactory(organisation=organisation, email="sam@example.org")
    response = owner_client.post(reverse("employers:invite"), {"email": "sam@example.org"})
    assert "has already been invited" in body(response)
    assert Invitation.objects.count() == 1


def test_cancelling_an_invitation_asks_first(owner_client, urls):
    """GET shows a confirmation page with a warning button; nothing changes yet."""
    text = body(owner_client.get(urls["cancel"]))
    assert "Are you sure you want to cancel the invitation" in text
    assert "govuk-button--warning" in text
    assert Invitation.objects.get().is_open


def test_cancelling_an_invitation(owner_client, urls):
    """POST cancels the invitation and says so."""
    response = owner_client.post(urls["cancel"], follow=True)
    assert Invitation.objects.get().cancelled_at is not None
    assert "has been cancelled" in body(response)


def test_cancelling_a_closed_invitation_is_refused(owner_client, urls):
    """An invitation already cancelled cannot be cancelled again."""
    owner_client.post(urls["cancel"])
    response = owner_client.post(urls["cancel"], follow=True)
    assert "can no longer be cancelled" in body(response)


def test_removing_someone_asks_first(owner_client, urls, member):
    """GET shows who will be removed, with a warning button."""
    text = body(owner_client.get(urls["remove"]))
    assert f"remove {escape(str(member))}" in text
    assert "govuk-button--warning" in text
    assert Membership.objects.filter(user=member).exists()


def test_removing_someone(owner_client, urls, member):
    """POST removes the member and says so."""
    response = owner_client.post(urls["remove"], follow=True)
    assert not Membership.objects.filter(user=member).exists()
    assert "has been removed" in body(response)


def test_the_owner_cannot_remove_themself(owner_client, owner):
    """Asking to remove yourself is refused with a message."""
    mine = Membership.objects.get(user=owner)
    for method in (owner_client.get, owner_client.post):
        response = method(reverse("employers:membership_remove", kwargs={"pk": mine.pk}), follow=True)
        assert "You cannot remove yourself" in body(response)
    assert Membership.objects.filter(pk=mine.pk).exists()


def test_making_someone_the_owner(owner_client, urls, owner, member):
    """POST hands ownership on; the old owner can then no longer invite."""
    assert "govuk-button--warning" in body(owner_client.get(urls["transfer"]))
    response = owner_client.post(urls["transfer"], follow=True)
    assert "is now the owner" in body(response)
    assert Membership.objects.get(user=member).role == Role.OWNER
    assert Membership.objects.get(user=owner).role == Role.MEMBER
    assert owner_client.get(reverse("employers:invite")).status_code == 403


def test_making_yourself_the_owner_is_refused(owner_client, owner):
    """The owner cannot 'transfer' to themself."""
    mine = Membership.objects.get(user=owner)
    response = owner_client.post(reverse("employers:ownership_transfer", kwargs={"pk": mine.pk}), follow=True)
    assert "already the owner" in body(response)


def test_a_member_can_leave(member_client, member, organisation):
    """A member confirms, leaves, and lands on the dashboard."""
    assert "Are you sure you want to leave" in body(member_client.get(reverse("employers:membership_leave")))
    response = member_client.post(reverse("employers:membership_leave"), follow=True)
    assert not Membership.objects.filter(user=member).exists()
    assert f"You have left {organisation}" in body(response)
    assert "Add your organisation" in body(response)


def test_the_owner_cannot_leave(owner_client, owner):
    """The owner is told to make someone else the owner first; a POST changes nothing."""
    assert "You cannot leave yet" in body(owner_client.get(reverse("employers:membership_leave")))
    response = owner_client.post(reverse("employers:membership_leave"), follow=True)
    assert "Make someone else the owner before you leave" in body(response)
    assert Membership.objects.filter(user=owner, role=Role.OWNER).exists()


# --- invitation links ------------------------------------------------------------------------------


@pytest.fixture
def invitation(organisation, owner):
    return InvitationFactory(organisation=organisation, email="sam@example.org")


@pytest.fixture
def invite_url(invitation):
    return reverse("employers:invite_accept", kwargs={"token": invitation_token(invitation.key)})


def test_an_invitation_explains_itself_to_someone_not_signed_in(client, invitation, invite_url, owner):
    """Anonymous: the page names the organisation and inviter, links to sign in or sign up, and remembers the link."""
    response = client.get(invite_url)
    text = body(response)
    assert response.status_code == 200
    assert invitation.organisation.display_name in text
    assert escape(str(owner)) in text
    assert "sam@example.org" in text
    assert f"{reverse('account_login')}?next=" in text
    assert f"{reverse('account_signup')}?next=" in text
    assert reverse("employers:invite_accept", kwargs={"token": client.session[PENDING_INVITATION_KEY]}) == invite_url


def test_accepting_needs_signing_in(client, invitation, invite_url):
    """An anonymous POST is sent to sign in and nobody joins."""
    response = client.post(invite_url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Invitation.objects.get().accepted_at


def test_the_invited_person_accepts(client, invitation, invite_url):
    """Signed in with the invited address: a button accepts; they join and work as the organisation."""
    user = UserFactory(email="sam@example.org")
    client.force_login(user)
    assert "Accept and join" in body(client.get(invite_url))
    response = client.post(invite_url, follow=True)
    assert Membership.objects.get(user=user).organisation == invitation.organisation
    assert client.session[CURRENT_ORGANISATION_KEY] == invitation.organisation_id
    assert f"You have joined {invitation.organisation}" in body(response)


def test_someone_else_is_told_the_invitation_is_not_theirs(outsider_client, invitation, invite_url, outsider):
    """Another employer with the link is told which address it was for; no button, and POST changes nothing."""
    response = outsider_client.get(invite_url)
    assert response.status_code == 403
    assert "This invitation was sent to sam@example.org" in body(response)
    assert "Accept and join" not in body(response)
    assert outsider_client.post(invite_url).status_code == 403
    assert not Membership.objects.filter(user=outsider, organisation=invitation.organisation).exists()


def test_an_expired_link_says_so(client, invitation, invite_url):
    """After 14 days the link says it has expired (410)."""
    client.force_login(UserFactory(email="sam@example.org"))
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = client.get(invite_url)
        assert response.status_code == 410
        assert "Your invitation has expired" in body(response)
        assert client.post(invite_url).status_code == 410
    assert not Invitation.objects.get().accepted_at


def test_a_tampered_link_is_not_found(client, invitation, invite_url):
    """A link with an altered signature is a 404 that says the link is not valid."""
    client.force_login(UserFactory(email="sam@example.org"))
    response = client.get(invite_url[:-3] + "xx/")
    assert response.status_code == 404
    assert "This invitation link is not valid" in body(response)


def test_a_used_link_says_so(client, invitation, invite_url):
    """A link already used says so (410), even to the person who used it."""
    client.force_login(UserFactory(email="sam@example.org"))
    client.post(invite_url)
    response = client.get(invite_url)
    assert response.status_code == 410
    assert "already been used" in body(response)


def test_a_cancelled_link_says_so(client, invitation, invite_url):
    """A cancelled invitation's link says so (410)."""
    Invitation.objects.filter(pk=invitation.pk).update(cancelled_at=timezone.now())
    response = client.get(invite_url)
    assert response.status_code == 410
    assert "has been cancelled" in body(response)
    assert PENDING_INVITATION_KEY not in client.session


def test_an_existing_member_is_told_they_are_in(member_client, organisation, member):
    """A member opening an invitation to their own organisation is told they are already in."""
    invitation = InvitationFactory(organisation=organisation, email=member.email)
    response = member_client.get(reverse("employers:invite_accept", kwargs={"token": invitation_token(invitation.key)}))
    assert response.status_code == 409
    assert "already a member" in body(response)


def test_officers_cannot_accept_invitations(officer_client, invite_url):
    """An officer opening an invitation link is refused."""
    assert officer_client.get(invite_url).status_code == 403
    assert officer_client.post(invite_url).status_code == 403
    assert not Invitation.objects.get().accepted_at


def test_after_signing_in_you_return_to_the_invitation(client, invitation, invite_url):
    """portal:after_login sends someone who opened an invitation back to it, once."""
    client.get(invite_url)
    client.force_login(UserFactory(email="sam@example.org"))
    response = client.get(reverse("portal:after_login"))
    assert response["Location"] == invite_url
    assert client.get(reverse("portal:after_login"))["Location"] == reverse("employers:dashboard")


def test_officers_go_to_their_work_area_even_with_an_invitation_pending(client, invite_url, officer):
    """An officer's pending invitation does not take them out of the officer area."""
    client.get(invite_url)
    client.force_login(officer)
    assert client.get(reverse("portal:after_login"))["Location"] == reverse("officer:home")


@pytest.mark.parametrize("name", ["invitation_cancel", "membership_remove", "ownership_transfer"])
def test_an_id_too_big_for_the_database_is_not_found(owner_client, name):
    """An id longer than any database id is a 404, not a server error."""
    url = reverse(f"employers:{name}", kwargs={"pk": 1}).replace("/1/", "/" + "9" * 30 + "/")
    assert owner_client.get(url).status_code == 404
    assert owner_client.post(url).status_code == 404


def test_someone_else_can_sign_out_and_come_back_to_the_invitation(outsider_client, invitation, invite_url):
    """The wrong-account page offers to sign out, returning to the invitation as someone not signed in."""
    assert "Sign out and use another account" in body(outsider_client.get(invite_url))
    response = outsider_client.post(reverse("account_logout"), {"next": invite_url})
    assert response["Location"] == invite_url
    assert "Create an account" in body(outsider_client.get(invite_url))


def test_an_empty_post_shows_the_errors(owner_client):
    """Submitting the form with nothing in it lists what is missing, and saves nothing."""
    before = Organisation.objects.count()
    response = owner_client.post(reverse("employers:organisation_create"))
    assert "<title>Error: " in body(response)
    assert "Enter your organisation&#x27;s legal name" in body(response)
    assert Organisation.objects.count() == before
