"""accreditation.services.sequences: numbers per key, in order, never reused, and not used up by a rollback."""

import pytest
from django.db import transaction

from accreditation.services.sequences import receipt_number, sequence_next

pytestmark = pytest.mark.django_db


def test_numbers_run_from_one_per_key():
    """Each key has its own sequence, starting at 1."""
    assert [sequence_next("receipt-2026") for _ in range(3)] == [1, 2, 3]
    assert sequence_next("receipt-2027") == 1


def test_receipt_numbers_are_padded_per_year():
    """Receipt numbers read R-YEAR-NNNNN and restart each year."""
    assert receipt_number(2026) == "R-2026-00001"
    assert receipt_number(2026) == "R-2026-00002"
    assert receipt_number(2027) == "R-2027-00001"


def test_a_rolled_back_transaction_does_not_use_up_a_number():
    """A number taken in a transaction that rolls back is given to the next caller."""
    sequence_next("receipt-2026")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert sequence_next("receipt-2026") == 2
        raise RuntimeError
    assert sequence_next("receipt-2026") == 2
