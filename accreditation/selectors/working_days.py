"""Working days (England and Wales bank holidays) and how long a case has waited on the council."""

import functools
from datetime import date, timedelta

from dateutil.easter import easter
from django.utils import timezone

from ..models import (
    Application,
    ApplicationStatus,
)

# The council's target for a case waiting on it, in working days (issue 4 points 1 and 8).
TARGET_WORKING_DAYS = 10
# Statuses in which a case waits on the council (in `changes_requested` it waits on the employer).
WAITING_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.RECOMMENDED)
DECIDED_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)


# --- working days --------------------------------------------------------------------------------


@functools.cache
def england_bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays by the usual rules (Banking and Financial Dealings Act 1971 and
    the standing proclamations), with weekend substitutes. One-off holidays proclaimed for a single
    year (a coronation, a jubilee) are not included.
    """

    def weekday_on_or_after(day: date) -> date:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    def first_monday(month: int) -> date:
        day = date(year, month, 1)
        return day + timedelta(days=(7 - day.weekday()) % 7)

    def last_monday(month: int) -> date:
        day = date(year, month + 1, 1) - timedelta(days=1)
        return day - timedelta(days=day.weekday())

    easter_sunday = easter(year)
    days = {
        weekday_on_or_after(date(year, 1, 1)),
        easter_sunday - timedelta(days=2),
        easter_sunday + timedelta(days=1),
        first_monday(5),
        last_monday(5),
        last_monday(8),
    }
    christmas = weekday_on_or_after(date(year, 12, 25))
    boxing = weekday_on_or_after(max(date(year, 12, 26), christmas + timedelta(days=1)))
    days |= {christmas, boxing}
    # The early May holiday of 2020 was moved to VE Day (8 May), and that of 2026 is the usual one.
    if year == 2020:
        days = (days - {date(2020, 5, 4)}) | {date(2020, 5, 8)}
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in england_bank_holidays(day.year)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not after `start`)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            count += 1
    for year in range(start.year, end.year + 1):
        count -= sum(1 for day in england_bank_holidays(year) if start < day <= end and day.weekday() < 5)
    return count


def working_days_before(end: date, days: int) -> date:
    """The date `days` working days before `end` (working_days_between(result, end) == days)."""
    day = end
    while days > 0:
        day -= timedelta(days=1)
        if is_working_day(day):
            days -= 1
    # Step back over non-working days: a case submitted on the Saturday before has waited as long.
    while not is_working_day(day) and day != end:
        day -= timedelta(days=1)
    return day


def days_waiting(application: Application, today: date | None = None) -> int | None:
    """Working days the case has waited on the council since its latest submission (None when it is not waiting)."""
    if application.status not in WAITING_STATUSES or application.submitted_at is None:
        return None
    today = today or timezone.localdate()
    return working_days_between(timezone.localdate(application.submitted_at), today)


def past_target(application: Application, today: date | None = None) -> bool:
    """Waiting on the council longer than the target of TARGET_WORKING_DAYS working days."""
    waited = days_waiting(application, today)
    return waited is not None and waited > TARGET_WORKING_DAYS
