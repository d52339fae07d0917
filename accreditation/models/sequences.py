"""Numbers that run in sequence per year and are never reused: receipts now, certificates later."""

from django.db import models


class NumberSequence(models.Model):
    """The last number given out for one key ("receipt-2026"); `sequence_next` locks the row to take the next."""

    key = models.CharField(max_length=50, unique=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.last_value}"
