"""Taking the next number of a sequence: gap-free while the transaction commits, never given out twice."""

from django.db import IntegrityError, transaction

from ..models import NumberSequence


def sequence_next(key: str) -> int:
    """The next number for `key` (1 first), taken under a row lock inside the caller's transaction.

    If the caller's transaction rolls back, the number is not used up: the next caller gets it.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                NumberSequence.objects.get_or_create(key=key)
        except IntegrityError:  # another transaction created the row first; it exists now
            pass
        row = NumberSequence.objects.select_for_update().get(key=key)
        row.last_value += 1
        row.save(update_fields=["last_value"])
        return row.last_value


def receipt_number(year: int) -> str:
    """The next receipt number for a payment received in `year`: R-2026-00001."""
    return f"R-{year}-{sequence_next(f'receipt-{year}'):05d}"
