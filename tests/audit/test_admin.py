"""audit.admin: the audit record is readable in the admin, never addable, changeable or deletable."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record
from tests.conftest import give_totp
from tests.factories import OrganisationFactory, UserFactory


@pytest.fixture
def admin_client(client, db):
    """A superuser who has set up two-factor (staff cannot reach the admin without it)."""
    superuser = UserFactory(email="admin@example.gov.uk", is_staff=True, is_superuser=True)
    give_totp(superuser)
    client.force_login(superuser)
    return client


@pytest.fixture
def event(db):
    return audit_record(
        actor=UserFactory(email="officer@norwich.gov.uk"),
        action="application_approve",
        obj=OrganisationFactory(legal_name="Jarrold and Sons Ltd"),
        from_state="in_review",
        to_state="approved",
        note="All criteria verified.",
    )


def test_superuser_reads_the_audit_record(admin_client, event):
    """The list shows who did what to which object."""
    response = admin_client.get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code == 200
    content = response.content.decode()
    for text in ["officer@norwich.gov.uk", "application_approve", "Jarrold and Sons Ltd", "in_review", "approved"]:
        assert text in content, text


def test_superuser_sees_an_event_read_only(admin_client, event):
    """An event's page shows its fields as text, with no inputs and no save or delete buttons."""
    response = admin_client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "All criteria verified." in content
    assert 'name="note"' not in content
    assert 'name="_save"' not in content
    assert "deletelink" not in content
    assert not response.context["has_change_permission"]
    assert not response.context["has_delete_permission"]


def test_superuser_cannot_add_an_event(admin_client, event):
    """There is no "add" page and no add link."""
    assert admin_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:audit_auditevent_add"), {"action": "forged", "object_id": "1", "object_repr": "x"}
    )
    assert response.status_code == 403
    changelist = admin_client.get(reverse("admin:audit_auditevent_changelist")).content.decode()
    assert reverse("admin:audit_auditevent_add") not in changelist
    assert AuditEvent.objects.count() == 1


def test_superuser_cannot_change_an_event(admin_client, event):
    """Posting to an event's page changes nothing."""
    response = admin_client.post(
        reverse("admin:audit_auditevent_change", args=[event.pk]),
        {"action": "application_reject", "note": "rewritten", "to_state": "rejected"},
    )
    assert response.status_code == 403
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.note, stored.to_state) == (
        "application_approve",
        "All criteria verified.",
        "approved",
    )


def test_superuser_cannot_delete_an_event(admin_client, event):
    """Neither the delete page nor the "delete selected" action is available."""
    delete_url = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert admin_client.get(delete_url).status_code == 403
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403

    changelist = reverse("admin:audit_auditevent_changelist")
    assert "delete_selected" not in admin_client.get(changelist).content.decode()
    admin_client.post(changelist, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_staff_without_two_factor_cannot_reach_the_audit_record(client, event):
    """A superuser who has not set up two-factor is sent to set it up instead."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
