"""The officers' dashboard, organisation search and organisation page (accreditation/views_officer_overview.py)."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from time_machine import travel

from accreditation import services
from accreditation.models import Accreditation, AccreditationStatus
from employers.models import OrganisationType
from tests.accreditation.helpers import start_application, submitted_application
from tests.accreditation.review_helpers import make_officer, query, recommend, take
from tests.factories import MembershipFactory, OrganisationFactory, OwnerMembershipFactory, UserFactory

DASHBOARD = "/officer/dashboard/"
ORGANISATIONS = "/officer/organisations/"


def at(year, month, day, hour=10):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


class _Page(HTMLParser):
    """Reads a page's tables (by id) as rows of cell texts, and its SVG charts' bars (label, value)."""

    def __init__(self, html: str):
        super().__init__()
        self.tables, self.charts = {}, {}
        self._table = self._row = self._cell = None
        self._chart = self._text = None
        self._chart_texts = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self._table = self.tables.setdefault(attrs["id"], [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""
        elif tag == "br" and self._cell is not None:
            self._cell += " "
        elif tag == "svg" and "app-bar-chart" in (attrs.get("class") or ""):
            self._chart = attrs["aria-labelledby"].split()[0].removesuffix("-title")
            self._chart_texts = []
        elif tag == "text" and self._chart:
            self._text = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "text" and self._text is not None:
            self._chart_texts.append(self._text.strip())
            self._text = None
        elif tag == "svg" and self._chart:
            texts = self._chart_texts  # label, value, label, value...
            self.charts[self._chart] = [(texts[i], texts[i + 1]) for i in range(0, len(texts), 2)]
            self._chart = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._text is not None:
            self._text += data


def body_rows(table):
    return [tuple(row) for row in table[1:]]  # without the header row


# --- the dashboard ------------------------------------------------------------------------------------------


def _case(name, **organisation):
    org = OrganisationFactory(legal_name=name, **organisation)
    owner = OwnerMembershipFactory(organisation=org).user
    application = submitted_application(organisation=org, actor=owner)
    application.owner = owner
    return application


@pytest.fixture
def scheme(charter_edition):
    """An old waiting case, a draft, one approved at Champion after a changes loop, and one rejected."""
    olive, oscar = make_officer("Olive Officer"), make_officer("Oscar Second")
    with travel(at(2027, 3, 1)):
        _case("Old Bakery Ltd")
        draft_org = OrganisationFactory(legal_name="Draft Ltd")
        start_application(organisation=draft_org, actor=OwnerMembershipFactory(organisation=draft_org).user)
    with travel(at(2027, 3, 10)):
        approved = _case("Approved Ltd")
        owner = approved.owner
        take(approved, olive)
    with travel(at(2027, 3, 11)):
        query(approved, olive, "pay.direct")
        services.application_request_changes(actor=olive, application=approved)
    with travel(at(2027, 3, 12)):
        services.application_submit(actor=owner, application=approved, declaration_name="A", declaration_role="B")
    with travel(at(2027, 3, 24)):
        take(approved, olive)
        recommend(approved, olive)
        services.application_approve(actor=oscar, application=approved)
    with travel(at(2027, 3, 11)):
        rejected = take(_case("Rejected Ltd"), olive)
        services.application_recommend_rejection(actor=olive, application=rejected, reason="No evidence.")
    with travel(at(2027, 3, 18)):
        services.application_reject(actor=oscar, application=rejected, reason="No evidence.")
    return {"approved": approved, "rejected": rejected}


@pytest.fixture
def dashboard_page(scheme, client, officer):
    """The dashboard as an officer sees it on 25 March 2027."""
    with travel(at(2027, 3, 25)):
        client.force_login(officer)
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response


EXPECTED_BY_STATUS = [
    ("Draft", "1"),
    ("Submitted, not yet taken", "1"),
    ("In review", "0"),
    ("Changes requested", "0"),
    ("Recommended, awaiting approval", "0"),
    ("Approved", "1"),
    ("Rejected", "1"),
    ("Withdrawn", "0"),
]


def test_the_dashboard_shows_counts_by_state_that_match_the_data(dashboard_page):
    """The table of applications by state has every state's officer label and its count."""
    page = _Page(dashboard_page.content.decode())
    assert body_rows(page.tables["by-status-table"]) == EXPECTED_BY_STATUS


def test_each_state_links_to_the_queue_filtered_by_it(dashboard_page):
    """Each state in the table links to the queue filtered by that state."""
    html = dashboard_page.content.decode()
    for status in ("draft", "submitted", "in_review", "changes_requested", "recommended", "approved", "rejected"):
        assert f'href="/officer/?status={status}"' in html


def test_the_state_chart_has_the_same_figures_as_its_table(dashboard_page):
    """The bar chart of states and the table beside it show the same labels and numbers."""
    page = _Page(dashboard_page.content.decode())
    assert page.charts["by-status-chart"] == EXPECTED_BY_STATUS
    assert page.charts["by-status-chart"] == body_rows(page.tables["by-status-table"])


def test_the_decisions_chart_and_table_show_decisions_by_level(dashboard_page):
    """Decisions this year: one approved at Champion and one rejected, in the chart and the table alike."""
    page = _Page(dashboard_page.content.decode())
    expected = [("Approved at Champion", "1"), ("Rejected", "1")]
    assert body_rows(page.tables["decisions-table"]) == expected
    assert page.charts["decisions-chart"] == expected


def test_the_dashboard_shows_waiting_past_target_median_and_decisions(dashboard_page):
    """One case waits (18 working days, past the target of 10); the median to a decision is 7.5 working days."""
    html = dashboard_page.content.decode()
    figure = {
        name: re.sub(r"<[^>]+>", "", value).strip()
        for name, value in re.findall(r'data-figure="([a-z-]+)">(.*?)</dd>', html, re.S)
    }
    assert figure == {"waiting": "1", "past-target": "1", "median": "7.5", "decisions": "2"}
    assert "Cases past the 10-working-day target" in html


def test_the_charts_are_accessible_images_with_a_title_and_description(dashboard_page):
    """Each chart is an SVG image labelled by its title and a description that lists the figures."""
    html = dashboard_page.content.decode()
    assert html.count('role="img" aria-labelledby="by-status-chart-title by-status-chart-desc"') == 1
    assert '<title id="decisions-chart-title">' in html
    assert re.search(r'<desc id="by-status-chart-desc">[^<]*Submitted, not yet taken: 1\.', html)
    assert "style=" not in html.split("<main", 1)[1]  # the CSP forbids inline styles


def test_the_dashboard_with_no_applications_says_so(client, officer):
    """With nothing in the system every count is 0 and the median says there were no decisions."""
    client.force_login(officer)
    response = client.get(DASHBOARD)
    page = _Page(response.content.decode())
    assert {count for _label, count in body_rows(page.tables["by-status-table"])} == {"0"}
    assert body_rows(page.tables["decisions-table"]) == [("Rejected", "0")]
    assert "No decisions yet this year" in response.content.decode()


def test_the_dashboard_reads_a_fixed_number_of_queries(scheme, client, officer, django_assert_max_num_queries):
    """The page's queries do not depend on the number of applications (the selector's five, plus the request's)."""
    with travel(at(2027, 3, 25)):
        client.force_login(officer)
        with django_assert_max_num_queries(12):
            client.get(DASHBOARD)


# --- the organisation search ---------------------------------------------------------------------------------


@pytest.fixture
def organisations(db):
    return {
        "bakery": OrganisationFactory(
            legal_name="Golden Crust Bakery Ltd", company_number="01234567", postcode="NR2 1AB", town="Norwich"
        ),
        "charity": OrganisationFactory(
            legal_name="Norfolk Food Bank",
            trading_name="Fine City Food",
            organisation_type=OrganisationType.CHARITY,
            company_number="",
            charity_number="1098765",
            postcode="NR3 4CD",
            town="Wymondham",
            public_description="Golden hearts feeding the city.",
        ),
        "garage": OrganisationFactory(
            legal_name="Riverside Garage Ltd", company_number="07654321", postcode="NR21 9ZZ"
        ),
    }


def names_found(client, q):
    response = client.get(ORGANISATIONS, {"q": q})
    assert response.status_code == 200
    return [row[0] for row in body_rows(_Page(response.content.decode()).tables.get("organisations-table", [[]]))]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("golden crust", ["Golden Crust Bakery Ltd"]),  # part of the legal name, any case
        ("fine city", ["Norfolk Food Bank trading as Fine City Food"]),  # the trading name
        ("01234567", ["Golden Crust Bakery Ltd"]),  # company number
        ("1098765", ["Norfolk Food Bank trading as Fine City Food"]),  # charity number
        ("nr21ab", ["Golden Crust Bakery Ltd"]),  # postcode, without its space
        ("NR2 1AB", ["Golden Crust Bakery Ltd"]),  # postcode as written
        ("NR2", ["Golden Crust Bakery Ltd"]),  # postcode district: not NR21
        ("", ["Golden Crust Bakery Ltd", "Norfolk Food Bank trading as Fine City Food", "Riverside Garage Ltd"]),
    ],
)
def test_the_search_finds_by_name_number_or_postcode(officer_client, organisations, q, expected):
    """Name (legal or trading), company or charity number, or postcode find the organisation."""
    assert names_found(officer_client, q) == expected


@pytest.mark.parametrize("q", ["Wymondham", "hearts", "0123", "example.org", "1NA", "zzzz"])
def test_the_search_does_not_find_by_other_things(officer_client, organisations, q):
    """Town, description, part of a number, website or the end of a postcode find nothing."""
    assert names_found(officer_client, q) == []


def test_the_search_results_link_to_each_organisation(officer_client, organisations):
    """Each result links to the organisation's page."""
    response = officer_client.get(ORGANISATIONS, {"q": "golden"})
    assert f'href="/officer/organisations/{organisations["bakery"].pk}/"' in response.content.decode()
    assert "1 organisation matching" in response.content.decode()


def test_a_very_long_search_is_answered_not_refused(officer_client, organisations):
    """A huge query is cut to size and finds nothing, without an error."""
    assert names_found(officer_client, "x" * 10_000) == []


def test_the_search_is_paginated_by_25(officer_client, db):
    """30 organisations: 25 on the first page, 5 on the second, with GOV.UK pagination."""
    OrganisationFactory.create_batch(30)
    first = officer_client.get(ORGANISATIONS)
    assert len(body_rows(_Page(first.content.decode()).tables["organisations-table"])) == 25
    assert 'class="govuk-pagination"' in first.content.decode()
    second = officer_client.get(ORGANISATIONS, {"page": 2})
    assert len(body_rows(_Page(second.content.decode()).tables["organisations-table"])) == 5


def test_the_search_reads_the_same_number_of_queries_for_5_or_30_organisations(officer_client, db):
    """The number of SQL queries does not grow with the organisations shown (5 vs 30, 25 on the page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert officer_client.get(ORGANISATIONS).status_code == 200
        return len(captured.captured_queries)

    for organisation in OrganisationFactory.create_batch(5):
        OwnerMembershipFactory(organisation=organisation)
    five = queries()
    for organisation in OrganisationFactory.create_batch(25):
        OwnerMembershipFactory(organisation=organisation)
    assert queries() == five


# --- one organisation ------------------------------------------------------------------------------------------


@pytest.fixture
def bakery(charter_edition):
    """An organisation with an owner, a member, an approved application (an accreditation) and a new draft."""
    organisation = OrganisationFactory(legal_name="Golden Crust Bakery Ltd", postcode="NR2 1AB")
    owner = UserFactory(full_name="Bea Baker", email="bea@goldencrust.example")
    OwnerMembershipFactory(organisation=organisation, user=owner)
    MembershipFactory(organisation=organisation, user=UserFactory(full_name="Sam Saunders", email="sam@gc.example"))
    olive, oscar = make_officer("Olive Officer"), make_officer("Oscar Second")
    approved = submitted_application(organisation=organisation, actor=owner)
    take(approved, olive)
    recommend(approved, olive)
    services.application_approve(actor=oscar, application=approved)
    # A year on: that accreditation has expired, and the renewal is a new draft.
    Accreditation.objects.filter(application=approved).update(status=AccreditationStatus.EXPIRED)
    draft = start_application(organisation=organisation, actor=owner)
    return {"organisation": organisation, "approved": approved, "draft": draft}


def test_the_organisation_page_shows_details_applications_accreditations_and_users(officer_client, bakery):
    """Details, each application with its officer label, the accreditation, and each user with role."""
    response = officer_client.get(f"/officer/organisations/{bakery['organisation'].pk}/")
    assert response.status_code == 200
    page = _Page(response.content.decode())
    applications = body_rows(page.tables["applications-table"])
    assert [(row[0], row[1]) for row in applications] == [
        (bakery["draft"].reference, "Draft"),
        (bakery["approved"].reference, "Approved"),
    ]
    assert applications[1][5] == "Olive Officer"
    assert [(row[0], row[1]) for row in body_rows(page.tables["accreditations-table"])] == [("Champion", "Expired")]
    assert body_rows(page.tables["users-table"]) == [
        ("Bea Baker", "bea@goldencrust.example", "Owner"),
        ("Sam Saunders", "sam@gc.example", "Member"),
    ]
    assert "NR2 1AB" in response.content.decode()


def test_submitted_applications_link_to_the_case_and_drafts_do_not(officer_client, bakery):
    """The approved application links to its case page; the draft (which officers cannot open) does not."""
    html = officer_client.get(f"/officer/organisations/{bakery['organisation'].pk}/").content.decode()
    assert f'href="{reverse("officer:case", kwargs={"pk": bakery["approved"].pk})}"' in html
    assert f'href="/officer/cases/{bakery["draft"].pk}/"' not in html


def test_the_organisation_page_reads_a_fixed_number_of_queries(officer_client, bakery, django_assert_max_num_queries):
    """Applications, accreditations and users are read in one query each, however many there are."""
    with django_assert_max_num_queries(12):
        officer_client.get(f"/officer/organisations/{bakery['organisation'].pk}/")


def test_a_missing_organisation_is_not_found(officer_client, db):
    """An id that is no organisation is a 404."""
    assert officer_client.get("/officer/organisations/999999/").status_code == 404


def test_a_script_in_an_organisation_name_is_escaped(officer_client, db):
    """A <script> in a name is shown as text on the search results and the organisation's page."""
    organisation = OrganisationFactory(legal_name="<script>alert('x')</script> Ltd")
    OwnerMembershipFactory(organisation=organisation, user=UserFactory(full_name="<b>Bold</b>"))
    for url in (ORGANISATIONS + "?q=script", f"/officer/organisations/{organisation.pk}/"):
        html = officer_client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Ltd" in html
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt;" in html


def test_a_script_in_the_search_box_is_escaped(officer_client, db):
    """What an officer types is shown back as text."""
    html = officer_client.get(ORGANISATIONS, {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- who may see these pages ----------------------------------------------------------------------------------------

PAGES = [DASHBOARD, ORGANISATIONS, "/officer/organisations/{pk}/"]


@pytest.fixture
def any_organisation(db):
    return OrganisationFactory()


@pytest.mark.parametrize("url", PAGES)
def test_an_officer_with_two_factor_sees_each_page(officer_client, any_organisation, url):
    """An officer with two-factor gets each page."""
    assert officer_client.get(url.format(pk=any_organisation.pk)).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_an_employer_user_is_refused(employer_client, url):
    """An employer user gets 403, even for their own organisation's page."""
    pk = employer_client.membership.organisation.pk
    assert employer_client.get(url.format(pk=pk)).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_an_anonymous_user_is_sent_to_sign_in(client, any_organisation, url):
    """Someone not signed in is sent to sign in, and back afterwards."""
    path = url.format(pk=any_organisation.pk)
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login")) and "next=" in response.url


@pytest.mark.parametrize("url", PAGES)
def test_an_officer_without_two_factor_is_sent_to_set_it_up(officer_without_2fa_client, any_organisation, url):
    """An officer without two-factor gets nothing but a redirect to set it up."""
    response = officer_without_2fa_client.get(url.format(pk=any_organisation.pk))
    assert response.status_code == 302
    assert "/officer/" not in response.url


def test_the_queue_links_to_the_figures_and_the_organisation_search(officer_client):
    """Officers reach the dashboard and the organisation search from their home page."""
    content = officer_client.get("/officer/").content.decode()
    assert 'href="/officer/dashboard/"' in content
    assert 'href="/officer/organisations/"' in content
