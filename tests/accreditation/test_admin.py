"""accreditation.admin: applications, answers, revisions, evidence, reviews and accreditations: read, never changed."""

import pytest
from django.urls import reverse

from accreditation.models import CriterionReview
from accreditation.money import pounds
from tests.accreditation.fee_helpers import approved_accreditation
from tests.accreditation.helpers import add_evidence, answer
from tests.accreditation.review_helpers import make_officer
from tests.conftest import give_totp
from tests.factories import OwnerMembershipFactory, UserFactory


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


# --- the officers' reviews and the accreditations (issue 4) -----------------------------------------


@pytest.fixture
def decided(db, charter_edition):
    """An application of another organisation, every criterion verified by one officer, approved by another."""
    owner = UserFactory(full_name="Dana Director")
    organisation = OwnerMembershipFactory(user=owner, organisation__legal_name="Riverside Engineering Ltd").organisation
    accreditation = approved_accreditation(
        organisation=organisation,
        actor=owner,
        reviewer=make_officer("Rita Reviewer"),
        approver=make_officer("Alex Approver"),
    )
    return {
        "criterionreview": CriterionReview.objects.filter(application=accreditation.application).first(),
        "accreditation": accreditation,
    }


@pytest.mark.parametrize("model", ["criterionreview", "accreditation"])
def test_reviews_and_accreditations_can_be_listed_and_read(admin_client, decided, model):
    """An administrator can list and open officers' reviews and accreditations, with no save button."""
    listing = admin_client.get(reverse(f"admin:accreditation_{model}_changelist"))
    assert listing.status_code == 200
    page = admin_client.get(reverse(f"admin:accreditation_{model}_change", args=[decided[model].pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


@pytest.mark.parametrize("model", ["criterionreview", "accreditation"])
def test_reviews_and_accreditations_cannot_be_added_changed_or_deleted(admin_client, decided, model):
    """Outcomes and accreditation statuses change only through the services, never in the admin."""
    obj = decided[model]
    before = {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    assert admin_client.get(reverse(f"admin:accreditation_{model}_add")).status_code == 403
    change = reverse(f"admin:accreditation_{model}_change", args=[obj.pk])
    assert admin_client.post(change, {"status": "active", "outcome": "query", "note": "x"}).status_code == 403
    delete = reverse(f"admin:accreditation_{model}_delete", args=[obj.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    obj.refresh_from_db()
    assert {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields} == before


def test_the_review_list_shows_who_marked_what_and_filters_by_outcome(admin_client, decided):
    """Each row names the application, the criterion, the round, the outcome and the officer; filters narrow it."""
    url = reverse("admin:accreditation_criterionreview_changelist")
    html = admin_client.get(url).content.decode()
    assert "Rita Reviewer" in html and "pay.direct" in html and "Verified" in html
    assert admin_client.get(url, {"outcome": "query"}).context["cl"].result_count == 0
    verified = admin_client.get(url, {"outcome": "verified"}).context["cl"].result_count
    assert verified == CriterionReview.objects.count() > 0
    assert admin_client.get(url, {"q": "Riverside"}).context["cl"].result_count == verified


def test_the_accreditation_list_shows_level_status_and_fee(admin_client, decided):
    """The list shows the organisation, awarded level, status and fee in pounds; the filters work."""
    accreditation = decided["accreditation"]
    url = reverse("admin:accreditation_accreditation_changelist")
    html = admin_client.get(url).content.decode()
    assert "Riverside Engineering Ltd" in html and accreditation.level_name in html and "Awaiting fee" in html
    assert pounds(accreditation.fee_pence) in html
    assert admin_client.get(url, {"status": "awaiting_fee"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"status": "active"}).context["cl"].result_count == 0
    assert admin_client.get(url, {"fee_waived": "no"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"fee_waived": "yes"}).context["cl"].result_count == 0


def test_an_application_s_page_shows_its_reviews_and_who_had_it(admin_client, decided):
    """The application's admin page lists every review and the officers who recommended and approved it."""
    application = decided["accreditation"].application
    html = admin_client.get(reverse("admin:accreditation_application_change", args=[application.pk])).content.decode()
    assert "Rita Reviewer" in html and "Alex Approver" in html
    assert html.count("pay.") >= 4
