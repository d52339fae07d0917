"""charter.views: the public charter page at /charter/."""

import re

import pytest
from django.urls import reverse

from charter.services import edition_load
from tests.charter.helpers import variant
from tests.factories import UserFactory


def text_of(response) -> str:
    """The page's visible text, with tags removed and spaces collapsed."""
    html = response.content.decode()
    html = html[html.index('<main class="govuk-main-wrapper"') :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" .", ".").strip()


def test_the_url_is_charter():
    """The page lives at /charter/ as PRODUCT.md section 8 says."""
    assert reverse("charter:index") == "/charter/"


def test_the_page_is_public(client, charter_edition):
    """Anyone can read the charter without signing in; the title names it."""
    response = client.get("/charter/")
    assert response.status_code == 200
    assert (
        "<title>The charter – Fine City Employers Charter – Norwich City Council</title>" in response.content.decode()
    )


def test_the_page_is_open_to_signed_in_users(client, charter_edition):
    """A signed-in employer user reads the same page."""
    client.force_login(UserFactory())
    assert client.get("/charter/").status_code == 200


def test_the_page_shows_every_commitment_and_criterion_of_the_file(client, charter_edition, charter_content):
    """Each commitment's title and summary and each criterion's text, guidance and evidence are on the page."""
    response = client.get("/charter/")
    html = response.content.decode()
    for commitment in charter_content.commitments:
        assert f'id="{commitment.code}"' in html
        assert commitment.summary in html
        for criterion in commitment.criteria:
            assert criterion.text.replace("'", "&#x27;") in html
            assert criterion.guidance.replace("'", "&#x27;") in html
            for description in criterion.evidence:
                assert description in html


def test_the_page_explains_the_edition_levels_and_declaration(client, charter_edition):
    """The summary, the edition and date, each level in plain words, and the declaration are shown."""
    text = text_of(client.get("/charter/"))
    assert "A promise by Norwich employers to pay the real Living Wage" in text
    assert "This is edition 2027 of the charter, published on 1 December 2026." in text
    assert "It has 8 commitments, and 3 of them are mandatory." in text
    assert "Champion Meet all 8 commitments." in text
    assert "Accredited Employer Meet all 3 mandatory commitments and at least 3 of the other 5." in text
    assert "Supporter Meet all 3 mandatory commitments." in text
    assert "An organisation that does not meet the conditions for Supporter cannot be accredited yet." in text
    assert "I confirm that I am authorised to make this application on behalf of the organisation" in text


def test_levels_are_explained_from_the_rules_not_fixed_words(client, db):
    """An edition asking for 2 optional commitments says 2, and names its own levels."""

    def change(data):
        data["levels"][1].update(name="Good Employer", min_optional=2)

    edition_load(actor=None, source=variant(change))
    text = text_of(client.get("/charter/"))
    assert "Good Employer Meet all 3 mandatory commitments and at least 2 of the other 5." in text


def test_mandatory_commitments_are_tagged(client, charter_edition):
    """Mandatory commitments carry a Mandatory tag, the others an Optional one."""
    html = client.get("/charter/").content.decode()
    assert html.count('<strong class="govuk-tag govuk-tag--purple">Mandatory</strong>') == 3
    assert html.count('<strong class="govuk-tag govuk-tag--grey">Optional</strong>') == 5


def test_criteria_say_who_is_asked_and_whether_not_yet_is_accepted(client, charter_edition):
    """The pay-gap criterion is marked for 250 or more employees; 'Not yet' is marked per criterion."""
    text = text_of(client.get("/charter/"))
    assert text.count("Only organisations with 250 or more employees") == 1
    assert text.count("Who is asked Every organisation") == 17
    assert text.count("“Not yet” accepted Yes, with an action plan and a target date") == 13
    assert text.count("“Not yet” accepted No ") == 5
    assert text.count("Evidence asked for None: your explanation is enough") == 12


def test_the_contents_link_to_each_section(client, charter_edition):
    """The contents list links to the levels, each commitment and the declaration (works without JavaScript)."""
    html = client.get("/charter/").content.decode()
    for anchor in ["levels", "answering", "commitments", "pay", "local", "declaration"]:
        assert f'href="#{anchor}"' in html
        assert f'id="{anchor}"' in html


def test_the_page_runs_a_fixed_number_of_queries(client, charter_edition, django_assert_max_num_queries):
    """However many commitments and criteria, the page needs the same few queries (plus the session's)."""
    with django_assert_max_num_queries(4):
        assert client.get("/charter/").status_code == 200


def test_text_from_the_file_is_escaped(client, db):
    """Markup in a charter file is shown as text, never run."""

    def change(data):
        data["summary"] = "<script>alert('x')</script> A summary."

    edition_load(actor=None, source=variant(change))
    html = client.get("/charter/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_without_an_edition_the_page_says_the_charter_is_not_published(client, db):
    """With no edition loaded, a friendly 404 page says so."""
    response = client.get("/charter/")
    assert response.status_code == 404
    assert "The charter has not been published yet" in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_page_only_reads(client, charter_edition, method):
    """Anything but GET or HEAD is refused."""
    assert getattr(client, method)("/charter/").status_code == 405


def test_the_service_navigation_links_to_the_charter(client, charter_edition):
    """Every page's navigation has 'The charter', marked current on the charter page."""
    html = client.get("/charter/").content.decode()
    assert 'href="/charter/" aria-current="page">The charter</a>' in html
    assert 'href="/charter/">The charter</a>' in client.get("/").content.decode()
