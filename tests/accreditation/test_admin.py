"""accreditation.admin: applications, answers, revisions and evidence can be read, never changed, in the admin."""

import pytest
from django.urls import reverse

from tests.accreditation.helpers import add_evidence, answer
from tests.conftest import give_totp
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    give_totp(admin)
    client.force_login(admin)
    return client


@pytest.fixture
def records(application, owner):
    saved = answer(application, owner, "pay.direct")
    evidence = add_evidence(application, owner, "pay.direct")
    return {
        "application": application,
        "answer": saved,
        "answerrevision": saved.revisions.get(),
        "evidence": evidence,
    }


@pytest.mark.parametrize("model", ["application", "answer", "answerrevision", "evidence"])
def test_each_model_can_be_listed_and_read(admin_client, records, model):
    """The list and the record's page open for an administrator."""
    assert admin_client.get(reverse(f"admin:accreditation_{model}_changelist")).status_code == 200
    page = admin_client.get(reverse(f"admin:accreditation_{model}_change", args=[records[model].pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


@pytest.mark.parametrize("model", ["application", "answer", "answerrevision", "evidence"])
def test_nothing_can_be_added_changed_or_deleted(admin_client, records, model):
    """No add page, no save on the change page, no delete: statuses change only through the services."""
    obj = records[model]
    assert admin_client.get(reverse(f"admin:accreditation_{model}_add")).status_code == 403
    assert admin_client.post(reverse(f"admin:accreditation_{model}_change", args=[obj.pk]), {}).status_code == 403
    assert (
        admin_client.post(reverse(f"admin:accreditation_{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_the_evidence_page_never_links_to_the_private_file(admin_client, records):
    """Private files have no URL: the admin shows the file's details and stored key, not a link."""
    evidence = records["evidence"]
    html = admin_client.get(reverse("admin:accreditation_evidence_change", args=[evidence.pk])).content.decode()
    assert evidence.stored_key in html and evidence.sha256 in html
    assert evidence.file.name not in html
