"""accreditation.tasks: the submission and withdrawal emails, their recipients and content, in the council's voice."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accreditation import services
from accreditation.models import Application
from accreditation.tasks import send_application_submitted_email, send_application_withdrawn_email
from tests.accreditation.helpers import complete, submit
from tests.factories import MembershipFactory, UserFactory

LINK = "https://charter.example.gov.uk/employer/applications/7/your-application/"


@pytest.fixture
def submitted(application, owner, member):
    complete(application, owner)
    with time_machine.travel(timezone.make_aware(datetime.datetime(2027, 3, 3, 14, 30)), tick=False):
        return submit(application, owner, name="Bea O'Baker", role="Director & Owner")


def test_the_confirmation_goes_to_every_user_one_each(submitted):
    """One message per person in the organisation, from the service, with the reference in the subject."""
    mail.outbox.clear()
    send_application_submitted_email.call(application_id=submitted.pk, link=LINK)
    assert [m.to for m in mail.outbox] == [["bea@goldencrust.example"], ["sam@goldencrust.example"]]
    assert all(
        m.subject == f"Fine City Employers Charter: application {submitted.reference} submitted" for m in mail.outbox
    )


def test_the_confirmation_text_says_what_happens_next(submitted):
    """Reference, who and when, the declaration, the provisional level, what happens next, the link, contacts."""
    mail.outbox.clear()
    send_application_submitted_email.call(application_id=submitted.pk, link=LINK)
    text = mail.outbox[0].body
    assert "Golden Crust Bakery Ltd's application for the Fine City Employers Charter has been submitted." in text
    assert f"Reference: {submitted.reference}" in text
    assert "Submitted by: Bea Baker, on 3 March 2027 at 14:30" in text
    assert "Declaration signed by: Bea O'Baker, Director & Owner" in text
    assert "Provisional level: Champion" in text
    assert "What happens next" in text and "An officer at Norwich City Council will check" in text
    assert LINK in text
    assert "employerscharter@norwich.gov.uk" in text and "0344 980 3333" in text
    assert "&amp;" not in text and "&#x27;" not in text


def test_the_confirmation_html_escapes_what_people_typed(submitted):
    """The HTML part links to the application and escapes names."""
    mail.outbox.clear()
    send_application_submitted_email.call(application_id=submitted.pk, link=LINK)
    [(html, mimetype)] = mail.outbox[0].alternatives
    assert mimetype == "text/html"
    assert f'href="{LINK}"' in html
    assert "Bea O&#x27;Baker, Director &amp; Owner" in html


def test_a_resubmission_says_so(submitted, owner):
    """The second round's email says it was sent back with the changes."""
    Application.objects.filter(pk=submitted.pk).update(submission_round=2)
    mail.outbox.clear()
    send_application_submitted_email.call(application_id=submitted.pk, link=LINK)
    assert "has been submitted again with the changes you were asked for" in mail.outbox[0].body


def test_someone_who_joined_later_is_told_too(submitted):
    """Recipients are read when the email is sent: everyone in the organisation then."""
    MembershipFactory(organisation=submitted.organisation, user=UserFactory(email="new@goldencrust.example"))
    mail.outbox.clear()
    send_application_submitted_email.call(application_id=submitted.pk, link=LINK)
    assert ["new@goldencrust.example"] in [m.to for m in mail.outbox]


def test_no_confirmation_for_an_application_never_submitted(application):
    """A task for a draft (or one deleted meanwhile) sends nothing."""
    send_application_submitted_email.call(application_id=application.pk, link=LINK)
    send_application_submitted_email.call(application_id=999999, link=LINK)
    assert mail.outbox == []


def test_the_withdrawal_notice_says_who_and_why(application, member, owner):
    """Everyone is told who withdrew it, when and why, and that they can start again."""
    with time_machine.travel(timezone.make_aware(datetime.datetime(2027, 3, 4, 9, 15)), tick=False):
        services.application_withdraw(
            actor=member, application=application, reason="We <3 the charter, but not now & later."
        )
    mail.outbox.clear()
    send_application_withdrawn_email.call(application_id=application.pk, link="https://x.example/employer/")
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert message.subject == f"Fine City Employers Charter: application {application.reference} withdrawn"
    assert "was withdrawn by Sam Saunders on 4 March 2027 at 09:15" in message.body
    assert "The reason they gave: We <3 the charter, but not now & later." in message.body
    assert "https://x.example/employer/" in message.body
    [(html, _)] = message.alternatives
    assert "We &lt;3 the charter, but not now &amp; later." in html


def test_no_withdrawal_notice_for_an_application_not_withdrawn(application):
    """Nothing is sent for an application that has not been withdrawn."""
    send_application_withdrawn_email.call(application_id=application.pk, link=LINK)
    assert mail.outbox == []
