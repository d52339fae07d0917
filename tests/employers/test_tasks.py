"""employers.tasks: the invitation email's recipients and content, in the council's voice."""

from datetime import datetime

import pytest
from django.core import mail
from django.utils import timezone

from employers.tasks import send_invitation_email
from tests.factories import InvitationFactory, OrganisationFactory, OwnerMembershipFactory, UserFactory

LINK = "https://charter.example.gov.uk/employer/invitation/abc:def:ghi/"


@pytest.fixture
def invitation(db):
    organisation = OrganisationFactory(legal_name="Jarrold & Sons Ltd", trading_name="")
    inviter = UserFactory(full_name="Priya O'Neill", email="priya@jarrold.example")
    OwnerMembershipFactory(organisation=organisation, user=inviter)
    return InvitationFactory(
        organisation=organisation,
        email="sam@example.org",
        invited_by=inviter,
        expires_at=timezone.make_aware(datetime(2027, 3, 9, 12, 0)),
    )


def test_the_email_goes_to_the_invited_address(invitation, settings):
    """One email, to the invited address, from the service, naming the organisation in the subject."""
    send_invitation_email.call(invitation_id=invitation.pk, link=LINK)
    [message] = mail.outbox
    assert message.to == ["sam@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Fine City Employers Charter: join Jarrold & Sons Ltd"


def test_the_text_part_says_who_invited_them_to_what(invitation):
    """The plain text names the inviter, organisation, service, council, link, expiry and contact."""
    send_invitation_email.call(invitation_id=invitation.pk, link=LINK)
    text = mail.outbox[0].body
    assert "Priya O'Neill (priya@jarrold.example) has invited you to join Jarrold & Sons Ltd" in text
    assert "Norwich City Council" in text
    assert LINK in text
    assert "expires on 9 March 2027" in text
    assert "sam@example.org" in text
    assert "employerscharter@norwich.gov.uk" in text
    assert "&amp;" not in text and "&#x27;" not in text


def test_the_html_part_links_and_escapes(invitation):
    """The HTML part has the link as a link, and escapes what employers typed."""
    send_invitation_email.call(invitation_id=invitation.pk, link=LINK)
    [(html, mimetype)] = mail.outbox[0].alternatives
    assert mimetype == "text/html"
    assert f'href="{LINK}"' in html
    assert "Jarrold &amp; Sons Ltd" in html
    assert "Priya O&#x27;Neill" in html


def test_a_name_cannot_break_the_subject_line(db):
    """Line breaks in a name (however they got there) never reach the email's headers."""
    organisation = OrganisationFactory(legal_name="Evil\r\nBcc: victim@example.org")
    invitation = InvitationFactory(organisation=organisation)
    send_invitation_email.call(invitation_id=invitation.pk, link=LINK)
    [message] = mail.outbox
    assert "\n" not in message.subject
    assert message.bcc == []


def test_no_email_for_an_invitation_cancelled_before_sending(invitation):
    """If the invitation was cancelled before the worker ran, nothing is sent."""
    invitation.cancelled_at = timezone.now()
    invitation.save()
    send_invitation_email.call(invitation_id=invitation.pk, link=LINK)
    assert mail.outbox == []


def test_no_email_for_an_invitation_that_no_longer_exists(db):
    """If the invitation was deleted (with its organisation) before the worker ran, nothing is sent or raised."""
    send_invitation_email.call(invitation_id=999_999, link=LINK)
    assert mail.outbox == []
