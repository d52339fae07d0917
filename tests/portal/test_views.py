"""Public pages (portal/views.py): home, accessibility statement, privacy notice and the error pages."""

import re
from unittest import mock

import pytest
from django.db import OperationalError

from tests.factories import UserFactory

PUBLIC_PAGES = {
    "/": "Fair work for local employers",
    "/accessibility/": "Accessibility statement",
    "/privacy/": "Privacy notice",
}

OTHER_COUNCIL = {
    "COUNCIL_NAME": "Borsetshire County Council",
    "SERVICE_NAME": "Borsetshire Good Employer Standard",
    "SERVICE_EMAIL": "goodemployer@borsetshire.example.gov.uk",
    "SERVICE_PHONE": "01632 960 000",
    "COUNCIL_ADDRESS": "County Hall, Felpersham, BO1 1AA",
    "COUNCIL_URL": "https://www.borsetshire.example.gov.uk/",
}


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


@pytest.mark.parametrize(("path", "page_title"), PUBLIC_PAGES.items())
def test_public_page_is_open_to_everyone_in_the_councils_look(client, db, path, page_title):
    """Each public page answers 200 without signing in, titled with the page, service and council."""
    response = client.get(path)
    assert response.status_code == 200
    assert title(response) == f"{page_title} – Fine City Employers Charter – Norwich City Council"
    assert '<a href="#main-content" class="govuk-skip-link"' in response.content.decode()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_footer_links_to_accessibility_privacy_and_contact(client, db, path):
    """The footer of every page links to the accessibility statement, privacy notice and the team's email."""
    content = client.get(path).content.decode()
    footer = content[content.index('<footer class="govuk-footer">') :]
    assert 'href="/accessibility/">Accessibility statement</a>' in footer
    assert 'href="/privacy/">Privacy notice</a>' in footer
    assert 'href="mailto:employerscharter@norwich.gov.uk">Contact us</a>' in footer


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_is_open_to_signed_in_employers(client, db, path):
    """A signed-in employer user reads the same pages."""
    client.force_login(UserFactory())
    assert client.get(path).status_code == 200


def test_accessibility_statement_follows_the_model_statement(client, db):
    """The statement has the model statement's sections, the WCAG 2.2 AA status and how it was tested."""
    content = client.get("/accessibility/").content.decode()
    for heading in [
        "Accessibility statement for Fine City Employers Charter",
        "How accessible this website is",
        "What to do if you cannot access parts of this website",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Technical information about this website’s accessibility",
        "Compliance status",
        "Preparation of this accessibility statement",
    ]:
        assert heading in content, heading
    assert "Web Content Accessibility Guidelines version 2.2</a> AA standard" in content
    assert "Equality and Human Rights Commission (EHRC)" in content
    assert "Equality Commission for Northern Ireland (ECNI)" in content
    assert "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018" in content
    assert "axe-core" in content
    assert "keyboard" in content
    assert "This statement was prepared on 22 November 2026" in content
    assert "This website is run by Norwich City Council" in content


def test_privacy_notice_covers_what_the_law_asks(client, db):
    """The notice names the controller, data, lawful basis, sharing, retention, rights, cookies and the ICO."""
    content = client.get("/privacy/").content.decode()
    assert "Norwich City Council runs Fine City Employers Charter and is the controller" in content
    assert "City Hall, St Peters Street, Norwich, NR2 1NH" in content
    for data in ["email address", "evidence files", "payment records", "business rates account reference"]:
        assert data in content, data
    assert "we never see or store your card details" in content
    assert "UK GDPR Article 6(1)(e)" in content
    for recipient in ["Stripe", "email provider", "revenues team"]:
        assert recipient in content, recipient
    assert "How long we keep it" in content
    assert "Your rights" in content
    assert "Information Commissioner’s Office" in content
    assert 'href="https://ico.org.uk/make-a-complaint/"' in content


def test_privacy_notice_lists_the_cookies_the_service_really_sets(client, db, settings):
    """The cookie table names the session, CSRF and messages cookies as configured; nothing else."""
    settings.SESSION_COOKIE_NAME = "charter_session"
    settings.SESSION_COOKIE_AGE = 4 * 60 * 60
    content = client.get("/privacy/").content.decode()
    assert '<td class="govuk-table__cell">charter_session</td>' in content
    assert "after 4 hours" in content
    assert '<td class="govuk-table__cell">csrftoken</td>' in content
    assert '<td class="govuk-table__cell">messages</td>' in content
    assert "We do not use analytics, advertising or any other cookies." in content


@pytest.mark.parametrize("path", ["/accessibility/", "/privacy/", "/", "/no-such-page/"])
def test_another_council_gets_its_own_name_everywhere(client, db, settings, path):
    """Adopting the service is settings, not code: no page mentions Norwich once the settings change."""
    for name, value in OTHER_COUNCIL.items():
        setattr(settings, name, value)
    content = client.get(path).content.decode()
    assert "Borsetshire County Council" in content
    assert "Borsetshire Good Employer Standard" in content
    assert "Norwich" not in content
    assert "Fine City" not in content


def test_404_page_in_the_councils_look(client, db):
    """An unknown address gets the GOV.UK "Page not found" page with a way to contact the team."""
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert title(response).startswith("Page not found – Fine City Employers Charter")
    assert "If you typed the web address, check it is correct." in response.content.decode()
    assert "mailto:employerscharter@norwich.gov.uk" in response.content.decode()


def test_400_page_for_a_host_not_allowed(client, db):
    """A request for a host the portal does not serve gets the 400 page, not a stack trace."""
    response = client.get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert "Sorry, there is a problem with your request" in response.content.decode()


def test_403_page_in_the_councils_look(client, db):
    """A refusal shows "You cannot see this page" with a link back to the start."""
    client.force_login(UserFactory())
    response = client.get("/officer/")
    assert response.status_code == 403
    assert title(response).startswith("You cannot see this page – Fine City Employers Charter")


@pytest.mark.urls("tests.portal.urls_failing")
def test_500_page_in_the_councils_look_without_inline_script_or_style(client, db):
    """An unexpected failure shows the council's 500 page: no inline script or style, a way to get help."""
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    content = response.content.decode()
    assert "Sorry, there is a problem with the service" in content
    assert "Norwich City Council" in content
    assert "mailto:employerscharter@norwich.gov.uk" in content
    assert "<script" not in content
    assert "style=" not in content and "<style" not in content
    assert "Content-Security-Policy" in response.headers


@pytest.mark.urls("tests.portal.urls_failing")
def test_500_page_renders_when_the_database_is_down(client, db):
    """The 500 page needs neither the database nor the session: it renders when they are what failed."""
    client.raise_request_exception = False
    client.force_login(UserFactory())
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = client.get("/broken/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
