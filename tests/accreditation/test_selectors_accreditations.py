"""accreditation.selectors.accreditations: scoping through memberships, receipts only for money received."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accreditation.models import PaymentStatus
from accreditation.selectors.accreditations import (
    accreditation_for_member,
    accreditations_for_member,
    checkout_payment,
    fee_due,
    latest_payment,
    latest_received_payment,
    organisation_accreditations,
    receipt_payment_for_member,
)
from tests.accreditation.fee_helpers import awaiting_fee, card_payment_received, open_checkout
from tests.accreditation.review_helpers import make_officer
from tests.factories import OwnerMembershipFactory


@pytest.fixture
def accreditation(charter_edition, organisation, owner):
    return awaiting_fee(organisation, owner)


def test_members_see_their_organisations_accreditations(accreditation, owner, member, outsider):
    """The owner and a member see the accreditation; someone else, an officer or an anonymous person do not."""
    assert list(accreditations_for_member(owner)) == [accreditation]
    assert list(accreditations_for_member(member)) == [accreditation]
    assert not accreditations_for_member(outsider).exists()
    assert not accreditations_for_member(make_officer("Olive Officer")).exists()
    assert not accreditations_for_member(AnonymousUser()).exists()
    assert not accreditations_for_member(None).exists()


def test_one_accreditation_or_404(accreditation, owner, outsider):
    """Looked up by id: the member gets it with its organisation and application; anyone else gets Http404."""
    found = accreditation_for_member(owner, accreditation.pk)
    assert found == accreditation
    assert found.organisation.legal_name == "Golden Crust Bakery Ltd"
    with pytest.raises(Http404):
        accreditation_for_member(outsider, accreditation.pk)
    with pytest.raises(Http404):
        accreditation_for_member(owner, accreditation.pk + 1)


def test_a_receipt_only_for_received_money_of_that_accreditation(accreditation, owner, outsider):
    """The receipt lookup needs the payment's own accreditation, a member, and money received."""
    attempt = open_checkout(accreditation, status=PaymentStatus.FAILED)
    received = card_payment_received(accreditation)
    assert receipt_payment_for_member(owner, accreditation_pk=accreditation.pk, payment_pk=received.pk) == received
    for user, accreditation_pk, payment_pk in [
        (outsider, accreditation.pk, received.pk),
        (owner, accreditation.pk + 1, received.pk),
        (owner, accreditation.pk, attempt.pk),
    ]:
        with pytest.raises(Http404):
            receipt_payment_for_member(user, accreditation_pk=accreditation_pk, payment_pk=payment_pk)


def test_a_checkout_is_found_only_within_its_accreditation(accreditation, charter_edition):
    """A session id finds this accreditation's payment only; unknown, empty and huge ids find nothing."""
    mine = open_checkout(accreditation, session_id="cs_test_mine")
    other_membership = OwnerMembershipFactory(organisation__employee_count=14)
    other = awaiting_fee(other_membership.organisation, other_membership.user)
    open_checkout(other, session_id="cs_test_theirs")
    assert checkout_payment(accreditation, "cs_test_mine") == mine
    assert checkout_payment(accreditation, "cs_test_theirs") is None
    assert checkout_payment(accreditation, "") is None
    assert checkout_payment(accreditation, "x" * 10_000) is None


def test_latest_payments(accreditation):
    """The newest attempt whatever its status, and the newest payment with a receipt."""
    assert latest_payment(accreditation) is None and latest_received_payment(accreditation) is None
    open_checkout(accreditation, status=PaymentStatus.FAILED)
    received = card_payment_received(accreditation)
    assert latest_payment(accreditation) == received
    assert latest_received_payment(accreditation) == received


def test_fee_due_only_while_awaiting_an_unwaived_fee(accreditation):
    """A fee is due while awaiting it, unless waived or nothing; never once active."""
    assert fee_due(accreditation)
    accreditation.fee_pence = 0
    assert not fee_due(accreditation)
    accreditation.fee_pence = 13700
    card_payment_received(accreditation)
    assert not fee_due(accreditation)


def test_an_organisations_accreditations_in_two_queries(accreditation, organisation, owner):
    """Listing an organisation's accreditations, with payments being confirmed, costs two queries however many."""
    open_checkout(accreditation, status=PaymentStatus.PROCESSING)
    reference = accreditation.application.reference
    with CaptureQueriesContext(connection) as queries:
        found = organisation_accreditations(organisation)
        assert [a.application.reference for a in found] == [reference]
        assert [p.status for p in found[0].confirming_payments] == [PaymentStatus.PROCESSING]
    assert len(queries) == 2
