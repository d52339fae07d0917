"""Fixtures for the self-assessment tests: an organisation with an owner and a member, another
organisation, and applications in each state. (Evidence storage in a temporary folder is tests/conftest.py's.)"""

import pytest

from tests.accreditation.helpers import start_application
from tests.factories import MembershipFactory, OrganisationFactory, OwnerMembershipFactory, UserFactory


@pytest.fixture
def organisation(db):
    return OrganisationFactory(legal_name="Golden Crust Bakery Ltd", employee_count=14)


@pytest.fixture
def owner(organisation):
    """The organisation's owner."""
    user = UserFactory(full_name="Bea Baker", email="bea@goldencrust.example")
    OwnerMembershipFactory(organisation=organisation, user=user)
    return user


@pytest.fixture
def member(organisation, owner):
    """A member (not the owner) of the organisation."""
    user = UserFactory(full_name="Sam Saunders", email="sam@goldencrust.example")
    MembershipFactory(organisation=organisation, user=user)
    return user


@pytest.fixture
def outsider(db):
    """The owner of another organisation."""
    return OwnerMembershipFactory(organisation=OrganisationFactory(legal_name="Other Bakery Ltd")).user


@pytest.fixture
def application(charter_edition, organisation, owner):
    """A draft application of `organisation`, started by its owner against the shipped edition."""
    return start_application(organisation=organisation, actor=owner)
