"""The default fee schedule: the Living Wage Foundation's accreditation fees from April 2024 (PRODUCT.md section 4).

Written once, as data the scheme administrator can then change (or replace with a later schedule) in
the admin. Amounts are integer pence.
"""

import datetime

from django.db import migrations

EFFECTIVE_FROM = datetime.date(2024, 4, 1)
NOTE = "The Living Wage Foundation's accreditation fees from April 2024 (the charter's defaults)."

# (from, to or None for no upper limit, which organisations, fee in pence)
BANDS = [
    (1, 10, "all", 69_00),
    (11, 50, "all", 137_00),
    (51, 250, "all", 275_00),
    (251, 500, "all", 550_00),
    (501, None, "private", 3_440_00),
    (501, None, "public_or_charity", 550_00),
]


def add_default_schedule(apps, schema_editor):
    FeeSchedule = apps.get_model("accreditation", "FeeSchedule")
    FeeBand = apps.get_model("accreditation", "FeeBand")
    if FeeSchedule.objects.filter(effective_from=EFFECTIVE_FROM).exists():
        return  # an administrator has already entered a schedule for that date: theirs stands
    schedule = FeeSchedule.objects.create(effective_from=EFFECTIVE_FROM, note=NOTE)
    FeeBand.objects.bulk_create(
        FeeBand(schedule=schedule, min_employees=low, max_employees=high, applies_to=rate, amount_pence=pence)
        for low, high, rate, pence in BANDS
    )


def remove_default_schedule(apps, schema_editor):
    """Undo: remove the default schedule, unless a fee has been fixed from one of its bands (then it stays)."""
    FeeSchedule = apps.get_model("accreditation", "FeeSchedule")
    Accreditation = apps.get_model("accreditation", "Accreditation")
    schedule = FeeSchedule.objects.filter(effective_from=EFFECTIVE_FROM, note=NOTE).first()
    if schedule is None or Accreditation.objects.filter(fee_band__schedule=schedule).exists():
        return
    schedule.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accreditation", "0004_number_sequences"),
    ]

    operations = [
        migrations.RunPython(add_default_schedule, remove_default_schedule),
    ]
