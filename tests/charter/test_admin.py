"""charter.admin: editions can be read in the admin, never changed there; new ones are published from a file."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from charter.models import Commitment, Edition
from tests.charter.helpers import SHIPPED_TEXT, variant
from tests.conftest import give_totp
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, db):
    user = UserFactory(is_staff=True, is_superuser=True)
    give_totp(user)
    client.force_login(user)
    client.user = user
    return client


def test_an_administrator_can_read_an_edition(admin_client, charter_edition):
    """The edition's page shows its content, read-only, with its levels and commitments."""
    response = admin_client.get(f"/admin/charter/edition/{charter_edition.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pay the real Living Wage" in html
    assert "Accredited Employer" in html
    assert 'name="_save"' not in html


def test_an_administrator_can_read_a_commitment_with_its_criteria(admin_client, charter_edition):
    """A commitment's page lists its criteria, read-only."""
    pay = Commitment.objects.get(edition=charter_edition, code="pay")
    response = admin_client.get(f"/admin/charter/commitment/{pay.pk}/change/")
    assert response.status_code == 200
    assert "pay.contractors" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/admin/charter/edition/add/", "/admin/charter/commitment/add/", "/admin/charter/edition/{pk}/delete/"],
)
def test_editions_cannot_be_added_or_deleted_in_the_admin(admin_client, charter_edition, url):
    """Adding or deleting an edition or commitment in the admin is forbidden, even to a superuser."""
    assert admin_client.get(url.format(pk=charter_edition.pk)).status_code == 403


def test_a_post_to_an_edition_changes_nothing(admin_client, charter_edition):
    """Posting a change to an edition's page is refused and the edition stays as loaded."""
    response = admin_client.post(f"/admin/charter/edition/{charter_edition.pk}/change/", {"name": "Changed"})
    assert response.status_code == 403
    assert Edition.objects.get().name == "Fine City Employers Charter"


# --- publishing a new edition by uploading its file ---------------------------------------------------

PUBLISH = "/admin/charter/edition/publish/"


def upload(text: str, name: str = "charter-2028.yaml"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="application/yaml")


def next_edition(data):
    data["edition"] = "2028"
    data["published"] = date(2027, 12, 1)


def test_the_edition_list_offers_publishing(admin_client, charter_edition):
    """The editions list links to 'Publish a new edition' for an administrator."""
    html = admin_client.get("/admin/charter/edition/").content.decode()
    assert f'href="{PUBLISH}" class="addlink">Publish a new edition</a>' in html


def test_an_administrator_publishes_a_new_edition_from_a_file(admin_client, charter_edition):
    """A good file is published, audited with the administrator as actor, and its page shown."""
    response = admin_client.post(PUBLISH, {"file": upload(variant(next_edition))})
    edition = Edition.objects.get(code="2028")
    assert response.status_code == 302
    assert response.url == f"/admin/charter/edition/{edition.pk}/change/"
    assert edition.source_name == "charter-2028.yaml"
    event = AuditEvent.objects.for_object(edition).get()
    assert (event.action, event.actor) == ("charter_edition_load", admin_client.user)
    assert "Edition 2028 is published." in admin_client.get(response.url).content.decode()


def test_a_file_with_problems_is_listed_and_nothing_published(admin_client, charter_edition):
    """Every problem is shown on the page, with its place; no edition is stored."""

    def break_it(data):
        next_edition(data)
        data["levels"][1]["rule"] = "mandatory_plu"
        del data["commitments"][0]["criteria"][2]["text"]

    response = admin_client.post(PUBLISH, {"file": upload(variant(break_it))})
    html = response.content.decode()
    assert response.status_code == 200
    assert "The file has 2 problems, so nothing was published:" in html
    assert "levels[1].rule: unknown rule &#x27;mandatory_plu&#x27;" in html
    assert "commitments[0].criteria[2].text: missing" in html
    assert not Edition.objects.filter(code="2028").exists()


def test_a_changed_published_edition_is_refused_on_upload(admin_client, charter_edition):
    """Uploading a changed edition 2027 says to publish a new edition instead; nothing changes."""

    def reword(data):
        data["summary"] = "Changed."

    html = admin_client.post(PUBLISH, {"file": upload(variant(reword))}).content.decode()
    assert "Edition 2027 is already published and differs: publish a new edition instead." in html
    assert Edition.objects.get().summary.startswith("A promise by Norwich employers")


def test_uploading_the_same_edition_again_changes_nothing(admin_client, charter_edition):
    """The shipped file again goes back to the edition's page saying it is already published."""
    response = admin_client.post(PUBLISH, {"file": upload(SHIPPED_TEXT)}, follow=True)
    assert "Edition 2027 is already published with the same content." in response.content.decode()
    assert Edition.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00\x01", "The file is not UTF-8 text."),
        (b"#" * 1_000_001, "The file is larger than 1 MB."),
    ],
)
def test_a_file_that_cannot_be_a_charter_is_refused(admin_client, db, content, message):
    """A binary or oversized upload is refused with a clear message."""
    html = admin_client.post(PUBLISH, {"file": SimpleUploadedFile("x.yaml", content)}).content.decode()
    assert message in html
    assert not Edition.objects.exists()


def test_staff_without_the_permission_cannot_publish(client, db):
    """A staff user without the 'add edition' permission gets 403 and no link."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_edition"))
    give_totp(user)
    client.force_login(user)
    assert client.get(PUBLISH).status_code == 403
    assert client.post(PUBLISH, {"file": upload(SHIPPED_TEXT)}).status_code == 403
    assert "Publish a new edition" not in client.get("/admin/charter/edition/").content.decode()
    assert not Edition.objects.exists()
