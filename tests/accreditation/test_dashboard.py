"""accreditation.dashboard and the employer dashboard's sections hook: status in plain words, next step, timeline."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accreditation import services
from accreditation.models import ApplicationStatus
from tests.accreditation.helpers import complete, force_status, start_application, submit


@pytest.fixture
def owner_client(owner):
    client = Client()
    client.force_login(owner)
    return client


def dashboard(client) -> str:
    return client.get(reverse("employers:dashboard")).content.decode()


def test_with_no_application_the_dashboard_offers_to_start_one(charter_edition, owner_client):
    """No application yet and a charter published: a "Start your application" button posting to start."""
    html = dashboard(owner_client)
    assert "Start your application" in html
    assert f'action="{reverse("applications:start")}"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_without_a_charter_there_is_nothing_to_start(organisation, owner_client):
    """Before any edition is loaded, the dashboard says applications open later."""
    html = dashboard(owner_client)
    assert "Start your application" not in html
    assert "You will be able to apply when the council publishes the charter" in html


def test_a_draft_shows_continue_and_its_timeline(owner_client, owner, organisation, charter_edition):
    """A draft: "In progress", "Continue your application", and who started it when."""
    with time_machine.travel(timezone.make_aware(datetime.datetime(2027, 3, 3, 9, 0)), tick=False):
        application = start_application(organisation=organisation, actor=owner)
    html = dashboard(owner_client)
    assert "In progress" in html and "govuk-tag--light-blue" in html
    assert "Continue your application" in html
    assert reverse("applications:task_list", kwargs={"pk": application.pk}) in html
    assert "Application started by Bea Baker, 3 March 2027" in html
    assert "Start your application" not in html


def test_a_submitted_application_shows_view_and_submitted_by(owner_client, application, owner):
    """Submitted: the employer's label, "View your application", and "Submitted by" in the timeline."""
    complete(application, owner)
    submit(application, owner)
    html = dashboard(owner_client)
    assert ">Submitted</strong>" in html
    assert "View your application" in html
    assert reverse("applications:detail", kwargs={"pk": application.pk}) in html
    assert "Submitted by Bea Baker" in html
    assert "Answer saved" not in html  # edits stay on the application's own page


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (ApplicationStatus.IN_REVIEW, "Being checked"),
        (ApplicationStatus.CHANGES_REQUESTED, "Needs changes"),
        (ApplicationStatus.RECOMMENDED, "Being checked"),
        (ApplicationStatus.APPROVED, "Approved"),
        (ApplicationStatus.REJECTED, "Not approved"),
    ],
)
def test_each_status_reads_in_the_employers_words(owner_client, application, status, label):
    """The employer label from the one table of labels, never the officer's."""
    force_status(application, status)
    html = dashboard(owner_client)
    assert f">{label}</strong>" in html
    officer_label = application.status_enum.officer_label
    if officer_label != label:
        assert f">{officer_label}</strong>" not in html


def test_changes_requested_offers_to_continue(owner_client, application):
    """Needs changes: the employer continues the same application."""
    force_status(application, ApplicationStatus.CHANGES_REQUESTED)
    assert "Continue your application" in dashboard(owner_client)


def test_a_withdrawn_application_shows_the_reason_and_a_new_start(owner_client, application, member):
    """Withdrawn, by whom and why; and since none is open, the start button again."""
    services.application_withdraw(actor=member, application=application, reason="Not this year.")
    html = dashboard(owner_client)
    assert "Withdrawn by Sam Saunders" in html and ": Not this year." in html
    assert "Start your application" in html


def test_only_the_current_organisations_applications_are_shown(owner_client, application, outsider):
    """Another organisation's application never appears."""
    theirs = start_application(organisation=outsider.organisations.get(), actor=outsider)
    html = dashboard(owner_client)
    assert application.reference in html and theirs.reference not in html


def test_the_section_reads_a_fixed_number_of_queries(
    owner_client, owner, organisation, application, django_assert_max_num_queries
):
    """Several applications and their timelines are read in a fixed number of queries."""
    for _ in range(3):
        force_status(application, ApplicationStatus.WITHDRAWN)
        application = start_application(organisation=organisation, actor=owner)
    with django_assert_max_num_queries(14):
        owner_client.get(reverse("employers:dashboard"))


def test_the_dashboard_calls_each_configured_section(owner_client, settings, organisation):
    """employers knows sections only by dotted path in settings; each gets the request and membership."""
    settings.EMPLOYER_DASHBOARD_SECTIONS = ["tests.accreditation.test_dashboard.example_section"]
    html = dashboard(owner_client)
    assert f"<p>Example section for {organisation.pk}</p>" in html
    assert "Start your application" not in html


def example_section(request, membership):
    from django.utils.html import format_html

    return format_html("<p>Example section for {}</p>", membership.organisation_id)


def test_no_sections_without_an_organisation(db, settings):
    """Someone with no organisation yet sees no sections (they have nothing to show them)."""
    from tests.factories import UserFactory

    settings.EMPLOYER_DASHBOARD_SECTIONS = ["tests.accreditation.test_dashboard.example_section"]
    client = Client()
    client.force_login(UserFactory())
    assert "Example section" not in dashboard(client)


def test_employers_does_not_import_accreditation():
    """The arrows point one way: employers' code names no accreditation module."""
    from pathlib import Path

    import employers

    for path in Path(employers.__file__).parent.rglob("*.py"):
        assert "accreditation" not in path.read_text(), path
