"""Fixtures for the employers tests: an organisation with an owner and a member, valid details, links."""

import pytest

from tests.factories import MembershipFactory, OrganisationFactory, OwnerMembershipFactory


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def owner(organisation):
    """The organisation's owner (a user)."""
    return OwnerMembershipFactory(organisation=organisation).user


@pytest.fixture
def member(organisation, owner):
    """A member (not the owner) of the organisation."""
    return MembershipFactory(organisation=organisation).user


@pytest.fixture
def outsider(db):
    """The owner of a different organisation."""
    return OwnerMembershipFactory().user


@pytest.fixture
def details():
    """Valid details for a new organisation, as OrganisationForm cleans them."""
    return {
        "legal_name": "Colman's Mustard Works Ltd",
        "trading_name": "Colman's",
        "organisation_type": "company",
        "company_number": "00123456",
        "charity_number": "",
        "sector": "C",
        "employee_count": 120,
        "address_line_1": "Carrow Works",
        "address_line_2": "King Street",
        "town": "Norwich",
        "postcode": "NR1 2DD",
        "website": "https://www.example.co.uk/",
        "public_description": "Mustard makers since 1814.",
    }


@pytest.fixture
def form_data(details):
    """Valid POST data for the organisation form."""
    return {**details, "employee_count": "120"}
