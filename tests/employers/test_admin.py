"""employers.admin: organisations, memberships and invitations can be found and read, not changed."""

import pytest
from django.urls import reverse

from tests.conftest import give_totp
from tests.factories import InvitationFactory, MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    give_totp(admin)
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    ("model", "query", "expected"),
    [
        ("organisation", "Colman", "Colman&#x27;s Mustard"),
        ("membership", "sam@example.org", "sam@example.org"),
        ("invitation", "pat@example.org", "pat@example.org"),
    ],
)
def test_the_admin_lists_and_searches(admin_client, model, query, expected):
    """Each model's list loads, with its filters, and search finds by name or email."""
    organisation = OrganisationFactory(legal_name="Colman's Mustard Ltd")
    MembershipFactory(organisation=organisation, user=UserFactory(email="sam@example.org"))
    InvitationFactory(organisation=organisation, email="pat@example.org")
    OrganisationFactory(legal_name="Unrelated Ltd")
    response = admin_client.get(reverse(f"admin:employers_{model}_changelist"), {"q": query})
    assert response.status_code == 200
    text = response.content.decode()
    assert expected in text
    assert "Unrelated Ltd" not in text
    assert 'id="changelist-filter"' in text


@pytest.mark.parametrize("model", ["organisation", "membership", "invitation"])
def test_the_admin_cannot_add_change_or_delete(admin_client, model):
    """Changes go through the audited services, so the admin only reads."""
    obj = {"organisation": OrganisationFactory, "membership": MembershipFactory, "invitation": InvitationFactory}[
        model
    ]()
    assert admin_client.get(reverse(f"admin:employers_{model}_add")).status_code == 403
    assert admin_client.post(reverse(f"admin:employers_{model}_delete", args=[obj.pk])).status_code == 403
    change = admin_client.get(reverse(f"admin:employers_{model}_change", args=[obj.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
