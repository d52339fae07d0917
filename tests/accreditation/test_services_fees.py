"""accreditation.services.fees: the fee from the bands, offline payments, waivers and flagged payments (issue 5)."""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from accreditation.exceptions import (
    FeeNotDue,
    InputInvalid,
    InvalidTransition,
    NoFeeBand,
    NotAnOfficer,
    PaymentInProgress,
)
from accreditation.models import (
    Accreditation,
    AccreditationStatus,
    FeeBand,
    FeeRate,
    FeeSchedule,
    NumberSequence,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from accreditation.services import fees
from accreditation.services.fees import (
    bands_covering,
    fee_for,
    fee_rate_for,
    fee_waive,
    payment_accept,
    payment_attention_clear,
    payment_record_offline,
    schedule_in_force,
)
from accreditation.services.sequences import receipt_number
from audit.models import AuditEvent
from employers.models import OrganisationType
from tests.accreditation.fee_helpers import approved_accreditation
from tests.accreditation.review_helpers import BASE_URL, make_officer
from tests.concurrency import POSTGRES_ONLY, race
from tests.factories import OrganisationFactory, OwnerMembershipFactory

DEFAULTS_FROM = datetime.date(2024, 4, 1)
APPROVAL_DAY = datetime.datetime(2027, 3, 1, 10, 0, tzinfo=datetime.UTC)
PAYMENT_DAY = datetime.datetime(2027, 3, 10, 15, 0, tzinfo=datetime.UTC)
DEFAULTS_MIGRATION = importlib.import_module("accreditation.migrations.0005_default_fee_bands")


@pytest.fixture
def fiona(db):
    return make_officer("Fiona Finance")


@pytest.fixture
def awaiting(charter_edition, organisation, owner, member):
    """Golden Crust Bakery (14 employees, a company), approved on 1 March 2027: £137 due."""
    with time_machine.travel(APPROVAL_DAY, tick=False):
        return approved_accreditation(organisation=organisation, actor=owner)


def _record(accreditation, actor, *, amount=137_00, paid_on=datetime.date(2027, 3, 9), reference="INV-2027-0042"):
    return payment_record_offline(
        actor=actor,
        accreditation=accreditation,
        amount_pence=amount,
        paid_on=paid_on,
        reference=reference,
        base_url=BASE_URL,
    )


def _flagged(accreditation, *, amount=100_00, status=PaymentStatus.PAID, receipt=True, currency="gbp"):
    """A card payment the gateway recorded but flagged: not the fee due."""
    return Payment.objects.create(
        accreditation=accreditation,
        method=PaymentMethod.CARD,
        status=status,
        amount_due_pence=accreditation.fee_pence,
        amount_paid_pence=amount,
        currency=currency,
        checkout_session_id=f"cs_test_{accreditation.pk}_{Payment.objects.count()}",
        paid_at=PAYMENT_DAY,
        receipt_number=receipt_number(2027) if receipt else None,
        needs_attention=True,
        attention_reason=f"Paid £{amount // 100}.00 but the fee due is £137.00.",
    )


def _force(accreditation, status):
    Accreditation.objects.filter(pk=accreditation.pk).update(status=status)
    accreditation.refresh_from_db()
    return accreditation


# --- the fee from the bands ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("employees", "organisation_type", "pence", "label"),
    [
        (1, "company", 69_00, "1 to 10 employees"),
        (10, "company", 69_00, "1 to 10 employees"),
        (11, "company", 137_00, "11 to 50 employees"),
        (50, "charity", 137_00, "11 to 50 employees"),
        (51, "company", 275_00, "51 to 250 employees"),
        (250, "public_body", 275_00, "51 to 250 employees"),
        (251, "company", 550_00, "251 to 500 employees"),
        (500, "other", 550_00, "251 to 500 employees"),
        (501, "company", 3_440_00, "501 or more employees, private sector"),
        (501, "other", 3_440_00, "501 or more employees, private sector"),
        (501, "charity", 550_00, "501 or more employees, public sector or charity"),
        (501, "public_body", 550_00, "501 or more employees, public sector or charity"),
        (250_000, "company", 3_440_00, "501 or more employees, private sector"),
    ],
)
def test_the_default_bands_give_the_spec_fees_at_every_edge(db, employees, organisation_type, pence, label):
    """Each edge of the spec's table (10/11, 50/51, 250/251, 500/501) and both 501+ rates, in pence."""
    quote = fee_for(employees=employees, organisation_type=organisation_type, on=datetime.date(2027, 3, 1))
    assert (quote.amount_pence, quote.label) == (pence, label)
    assert quote.band.amount_pence == pence
    assert quote.band.schedule.effective_from == DEFAULTS_FROM


def test_the_default_schedule_is_the_living_wage_foundations_from_april_2024(db):
    """The data migration wrote one schedule in force from 1 April 2024, with the six bands of the spec."""
    schedule = FeeSchedule.objects.get()
    assert schedule.effective_from == DEFAULTS_FROM and "Living Wage Foundation" in schedule.note
    assert [(b.min_employees, b.max_employees, b.applies_to, b.amount_pence) for b in schedule.bands.all()] == [
        (1, 10, "all", 6900),
        (11, 50, "all", 13700),
        (51, 250, "all", 27500),
        (251, 500, "all", 55000),
        (501, None, "private", 344000),
        (501, None, "public_or_charity", 55000),
    ]


def test_every_headcount_gets_exactly_one_default_band(db):
    """For any headcount from 1 up and any type of organisation, exactly one default band applies."""
    bands = list(schedule_in_force(DEFAULTS_FROM).bands.all())

    @settings(max_examples=400, deadline=None)
    @given(employees=st.integers(min_value=1, max_value=10**9), organisation_type=st.sampled_from(OrganisationType))
    def check(employees, organisation_type):
        rate = fee_rate_for(organisation_type)
        applicable = [b for b in bands_covering(bands, employees) if b.applies_to in (rate, FeeRate.ALL)]
        assert len(applicable) == 1
        quote = fee_for(employees=employees, organisation_type=organisation_type, on=DEFAULTS_FROM)
        assert quote.band == applicable[0]

    check()


def test_a_new_schedule_applies_from_its_effective_date(db):
    """The day before a schedule's date the old fees apply; from that day, the new ones."""
    schedule = FeeSchedule.objects.create(effective_from=datetime.date(2027, 4, 1), note="April 2027")
    FeeBand.objects.create(schedule=schedule, min_employees=1, max_employees=None, amount_pence=99_00)
    before = fee_for(employees=14, organisation_type="company", on=datetime.date(2027, 3, 31))
    on_the_day = fee_for(employees=14, organisation_type="company", on=datetime.date(2027, 4, 1))
    assert before.amount_pence == 137_00 and before.band.schedule.effective_from == DEFAULTS_FROM
    assert (on_the_day.amount_pence, on_the_day.label) == (99_00, "1 or more employees")


def test_before_any_schedule_there_is_no_fee(db):
    """Before the first schedule's date, NoFeeBand says what is missing and who must add it."""
    with pytest.raises(NoFeeBand, match=r"No fee band covers a company with 14 employees on 31 March 2024\."):
        fee_for(employees=14, organisation_type="company", on=datetime.date(2024, 3, 31))


def test_a_type_without_its_own_band_pays_the_band_for_everyone(db):
    """Where a schedule has only bands for every organisation, a charity of 600 pays that band."""
    schedule = FeeSchedule.objects.create(effective_from=datetime.date(2027, 4, 1))
    band = FeeBand.objects.create(schedule=schedule, min_employees=1, max_employees=None, amount_pence=200_00)
    assert fee_for(employees=600, organisation_type="charity", on=datetime.date(2027, 4, 1)).band == band


def test_no_band_for_the_type_and_none_for_everyone_is_refused(db):
    """A schedule with a private 501+ band only gives a charity of 600 no fee: NoFeeBand, not the private rate."""
    schedule = FeeSchedule.objects.create(effective_from=datetime.date(2027, 4, 1))
    FeeBand.objects.create(schedule=schedule, min_employees=501, applies_to=FeeRate.PRIVATE, amount_pence=3_440_00)
    with pytest.raises(NoFeeBand, match="a charity with 600 employees on 1 April 2027"):
        fee_for(employees=600, organisation_type="charity", on=datetime.date(2027, 4, 1))


def test_no_headcount_no_fee(db):
    """Zero employees is in no band."""
    with pytest.raises(NoFeeBand, match="0 employees"):
        fee_for(employees=0, organisation_type="company", on=datetime.date(2027, 4, 1))


def test_the_migration_can_be_undone_while_no_fee_has_been_fixed_from_it(db):
    """Reversing the data migration removes the default schedule; running it again puts it back, once."""
    DEFAULTS_MIGRATION.remove_default_schedule(apps, None)
    assert not FeeSchedule.objects.exists() and not FeeBand.objects.exists()
    DEFAULTS_MIGRATION.add_default_schedule(apps, None)
    DEFAULTS_MIGRATION.add_default_schedule(apps, None)
    assert FeeSchedule.objects.get().bands.count() == 6


def test_undoing_the_migration_keeps_a_schedule_that_fixed_a_fee(awaiting):
    """Once an accreditation's fee comes from the defaults, reversing the migration leaves them in place."""
    DEFAULTS_MIGRATION.remove_default_schedule(apps, None)
    assert FeeSchedule.objects.get().bands.count() == 6


# --- recording an offline payment --------------------------------------------------------------------------


def test_an_officer_records_an_offline_payment_and_the_accreditation_starts(
    awaiting, fiona, django_capture_on_commit_callbacks
):
    """The payment (offline, paid, the fee, noon on the day paid, a receipt) is stored; the accreditation is active."""
    mail.outbox.clear()
    with time_machine.travel(PAYMENT_DAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        payment = _record(awaiting, fiona)
    payment.refresh_from_db()
    assert (payment.method, payment.status) == (PaymentMethod.OFFLINE, PaymentStatus.PAID)
    assert (payment.amount_due_pence, payment.amount_paid_pence, payment.currency) == (137_00, 137_00, "gbp")
    assert (payment.reference, payment.recorded_by, payment.created_by) == ("INV-2027-0042", fiona, fiona)
    assert timezone.localtime(payment.paid_at).replace(tzinfo=None) == datetime.datetime(2027, 3, 9, 12, 0)
    assert payment.receipt_number == "R-2027-00001" and not payment.needs_attention
    awaiting.refresh_from_db()
    assert awaiting.status == AccreditationStatus.ACTIVE
    assert (awaiting.valid_from, awaiting.activated_by) == (datetime.date(2027, 3, 10), fiona)
    assert not awaiting.fee_waived


def test_recording_an_offline_payment_is_audited(awaiting, fiona):
    """One row for the payment (amount, date, reference, receipt) and the activation saying how it was paid."""
    with time_machine.travel(PAYMENT_DAY, tick=False):
        payment = _record(awaiting, fiona)
    recorded = AuditEvent.objects.for_object(payment).get(action="payment.record_offline")
    assert (recorded.actor, recorded.to_state) == (fiona, "paid")
    assert recorded.note == (
        "£137.00 paid on 9 March 2027 by invoice or bank transfer, reference INV-2027-0042, receipt R-2027-00001."
    )
    activated = AuditEvent.objects.for_object(awaiting).get(action="accreditation.activate")
    assert activated.note.startswith("Paid by invoice or bank transfer, reference INV-2027-0042, receipt R-2027-00001.")


def test_the_organisation_gets_a_receipt_and_the_accredited_email(awaiting, fiona, django_capture_on_commit_callbacks):
    """Each user gets the receipt (number, amount, reference) and the "now accredited" email, after the commit."""
    mail.outbox.clear()
    with time_machine.travel(PAYMENT_DAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        _record(awaiting, fiona, reference="BACS Golden & Crust")
    receipts = [m for m in mail.outbox if "receipt R-2027-00001" in m.subject]
    assert sorted(m.to[0] for m in receipts) == ["bea@goldencrust.example", "sam@goldencrust.example"]
    assert "£137.00" in receipts[0].body and "BACS Golden & Crust" in receipts[0].body
    html = receipts[0].alternatives[0][0]
    assert "BACS Golden &amp; Crust" in html and "BACS Golden & Crust" not in html
    assert f"/employer/accreditations/{awaiting.pk}/" in receipts[0].body
    assert any("is now accredited" in m.subject for m in mail.outbox)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (100_00, "The amount paid must be the fee due, £137.00"),
        (137_01, "The amount paid must be the fee due, £137.00"),
    ],
)
def test_an_amount_that_is_not_the_fee_due_is_refused(awaiting, fiona, amount, message):
    """The officer is told the fee due; no payment, no receipt number used, the accreditation still waits."""
    with time_machine.travel(PAYMENT_DAY, tick=False), pytest.raises(InputInvalid) as refused:
        _record(awaiting, fiona, amount=amount)
    assert refused.value.errors == {"amount": message}
    assert not Payment.objects.exists() and not NumberSequence.objects.filter(last_value__gt=0).exists()
    awaiting.refresh_from_db()
    assert awaiting.status == AccreditationStatus.AWAITING_FEE


def test_a_date_in_the_future_is_refused(awaiting, fiona):
    """A payment cannot be recorded as made tomorrow."""
    with time_machine.travel(PAYMENT_DAY, tick=False), pytest.raises(InputInvalid) as refused:
        _record(awaiting, fiona, paid_on=datetime.date(2027, 3, 11))
    assert refused.value.errors == {"paid_on": "The date paid must be today or in the past"}


def test_a_date_before_the_approval_is_refused(awaiting, fiona):
    """Nothing was due before the approval, so a payment cannot be dated before it."""
    with time_machine.travel(PAYMENT_DAY, tick=False), pytest.raises(InputInvalid) as refused:
        _record(awaiting, fiona, paid_on=datetime.date(2027, 2, 28))
    assert refused.value.errors == {
        "paid_on": "The date paid must be on or after 1 March 2027, when the accreditation was approved"
    }


def test_the_day_of_the_approval_and_today_are_both_allowed(awaiting, fiona):
    """The date range is inclusive at both ends."""
    with time_machine.travel(APPROVAL_DAY + datetime.timedelta(hours=2), tick=False):
        payment = _record(awaiting, fiona, paid_on=datetime.date(2027, 3, 1))
    assert payment.status == PaymentStatus.PAID


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("", "Enter the payment's reference, such as the invoice number or the bank transfer reference"),
        ("   ", "Enter the payment's reference, such as the invoice number or the bank transfer reference"),
        ("<script>alert(1)</script>", "Enter text without HTML tags or scripts (remove any < or > signs around words)"),
        ("x" * 101, "The reference must be 100 characters or fewer"),
    ],
)
def test_the_reference_is_required_plain_and_short(awaiting, fiona, reference, message):
    """A reference is needed, without markup, up to 100 characters; nothing is recorded otherwise."""
    with time_machine.travel(PAYMENT_DAY, tick=False), pytest.raises(InputInvalid) as refused:
        _record(awaiting, fiona, reference=reference)
    assert refused.value.errors == {"reference": message}
    assert not Payment.objects.exists()


def test_every_field_problem_is_reported_at_once(awaiting, fiona):
    """Amount, date and reference problems come back together, one per field."""
    with time_machine.travel(PAYMENT_DAY, tick=False), pytest.raises(InputInvalid) as refused:
        _record(awaiting, fiona, amount=1, paid_on=datetime.date(2030, 1, 1), reference="")
    assert set(refused.value.errors) == {"amount", "paid_on", "reference"}


def test_a_reference_is_stored_on_one_line(awaiting, fiona):
    """Line breaks and runs of spaces in a reference become single spaces."""
    with time_machine.travel(PAYMENT_DAY, tick=False):
        payment = _record(awaiting, fiona, reference="  INV 42\r\n  March  ")
    assert payment.reference == "INV 42 March"


def test_only_officers_record_payments(awaiting, owner):
    """The organisation's own user cannot mark its fee paid."""
    with pytest.raises(NotAnOfficer):
        _record(awaiting, owner)
    assert not Payment.objects.exists()


def test_a_fee_already_paid_cannot_be_recorded_again(awaiting, fiona):
    """The second recording is refused: the accreditation is already active, and one payment stands."""
    with time_machine.travel(PAYMENT_DAY, tick=False):
        _record(awaiting, fiona)
        with pytest.raises(FeeNotDue, match="No fee is due: this accreditation is already active."):
            _record(awaiting, fiona, reference="INV-2")
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    "status", [AccreditationStatus.ACTIVE, AccreditationStatus.SUSPENDED, AccreditationStatus.REVOKED, "expired"]
)
def test_no_payment_is_recorded_unless_the_fee_is_awaited(awaiting, fiona, status):
    """Every status but awaiting fee refuses with FeeNotDue, naming the status."""
    _force(awaiting, status)
    with time_machine.travel(PAYMENT_DAY, tick=False), pytest.raises(FeeNotDue, match="No fee is due: this accred"):
        _record(awaiting, fiona)
    assert not Payment.objects.exists()


def test_no_offline_payment_while_a_card_payment_is_being_confirmed(awaiting, fiona):
    """A card payment in flight would take the fee twice: the officer is asked to wait for it."""
    Payment.objects.create(
        accreditation=awaiting, method=PaymentMethod.CARD, status=PaymentStatus.PROCESSING, amount_due_pence=137_00
    )
    with time_machine.travel(PAYMENT_DAY, tick=False), pytest.raises(PaymentInProgress, match="being confirmed"):
        _record(awaiting, fiona)
    assert Payment.objects.filter(method=PaymentMethod.OFFLINE).count() == 0


def test_a_failed_activation_leaves_no_payment_and_no_receipt_number(
    awaiting, fiona, monkeypatch, django_capture_on_commit_callbacks
):
    """If activating fails, the payment, its audit row, its receipt number and its emails all roll back."""

    def broken(**kwargs):
        raise RuntimeError("the certificate printer is on fire")

    monkeypatch.setattr(fees, "accreditation_activate", broken)
    mail.outbox.clear()
    with (
        time_machine.travel(PAYMENT_DAY, tick=False),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
    ):
        _record(awaiting, fiona)
    assert not Payment.objects.exists()
    assert not AuditEvent.objects.filter(action="payment.record_offline").exists()
    assert receipt_number(2027) == "R-2027-00001"
    assert mail.outbox == []
    awaiting.refresh_from_db()
    assert awaiting.status == AccreditationStatus.AWAITING_FEE


# --- waiving the fee --------------------------------------------------------------------------------------


def test_an_officer_waives_the_fee_and_the_accreditation_starts(awaiting, fiona, django_capture_on_commit_callbacks):
    """The waiver is stamped (who, when, why), the accreditation is active; no payment and no receipt."""
    mail.outbox.clear()
    with time_machine.travel(PAYMENT_DAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        fee_waive(actor=fiona, accreditation=awaiting, reason="Hardship: the bakery flooded.", base_url=BASE_URL)
    awaiting.refresh_from_db()
    assert awaiting.status == AccreditationStatus.ACTIVE and awaiting.fee_waived
    assert (awaiting.fee_waived_by, awaiting.fee_waived_at) == (fiona, PAYMENT_DAY)
    assert awaiting.fee_waived_reason == "Hardship: the bakery flooded."
    assert awaiting.fee_pence == 137_00  # what was due stays on the record
    assert not Payment.objects.exists()
    assert not any("receipt" in m.subject for m in mail.outbox)
    accredited = [m for m in mail.outbox if "now accredited" in m.subject]
    assert accredited and "business rates" not in accredited[0].body


def test_waiving_is_audited_with_the_reason(awaiting, fiona):
    """One row for the waiver (the fee and the reason) and the activation saying who waived it."""
    fee_waive(actor=fiona, accreditation=awaiting, reason="Hardship.")
    waived = AuditEvent.objects.for_object(awaiting).get(action="fee.waive")
    assert (waived.actor, waived.note) == (fiona, "Fee of £137.00 waived. Hardship.")
    activated = AuditEvent.objects.for_object(awaiting).get(action="accreditation.activate")
    assert activated.note.startswith("Fee waived by Fiona Finance.")


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Give the reason for waiving the fee"),
        ("<b>because</b>", "Enter text without HTML tags or scripts (remove any < or > signs around words)"),
        ("x" * 2001, "The reason must be 2,000 characters or fewer"),
    ],
)
def test_a_waiver_needs_a_plain_reason(awaiting, fiona, reason, message):
    """No reason, markup or a reason that is too long: refused, and the fee is still due."""
    with pytest.raises(InputInvalid) as refused:
        fee_waive(actor=fiona, accreditation=awaiting, reason=reason)
    assert refused.value.errors == {"reason": message}
    awaiting.refresh_from_db()
    assert awaiting.status == AccreditationStatus.AWAITING_FEE and not awaiting.fee_waived


def test_only_officers_waive_fees(awaiting, owner):
    with pytest.raises(NotAnOfficer):
        fee_waive(actor=owner, accreditation=awaiting, reason="We would rather not pay.")


@pytest.mark.parametrize("status", [AccreditationStatus.ACTIVE, AccreditationStatus.REVOKED])
def test_a_fee_is_waived_only_while_it_is_awaited(awaiting, fiona, status):
    """An active or revoked accreditation has no fee to waive: FeeNotDue, nothing stamped."""
    _force(awaiting, status)
    with pytest.raises(FeeNotDue):
        fee_waive(actor=fiona, accreditation=awaiting, reason="Hardship.")
    awaiting.refresh_from_db()
    assert not awaiting.fee_waived


def test_no_waiver_while_a_card_payment_is_being_confirmed(awaiting, fiona):
    Payment.objects.create(
        accreditation=awaiting, method=PaymentMethod.CARD, status=PaymentStatus.PROCESSING, amount_due_pence=137_00
    )
    with pytest.raises(PaymentInProgress):
        fee_waive(actor=fiona, accreditation=awaiting, reason="Hardship.")


def test_a_failed_activation_leaves_the_fee_unwaived(awaiting, fiona, monkeypatch):
    """If activating fails, the waiver stamp and its audit row roll back with it."""

    def broken(**kwargs):
        raise RuntimeError("no")

    monkeypatch.setattr(fees, "accreditation_activate", broken)
    with pytest.raises(RuntimeError):
        fee_waive(actor=fiona, accreditation=awaiting, reason="Hardship.")
    awaiting.refresh_from_db()
    assert not awaiting.fee_waived and awaiting.status == AccreditationStatus.AWAITING_FEE
    assert not AuditEvent.objects.filter(action="fee.waive").exists()


# --- flagged payments -----------------------------------------------------------------------------------


def test_an_officer_accepts_a_flagged_payment_and_the_accreditation_starts(
    awaiting, fiona, django_capture_on_commit_callbacks
):
    """The flag is cleared, the payment keeps its receipt (no second receipt email), the accreditation is active."""
    payment = _flagged(awaiting)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        payment_accept(actor=fiona, payment=payment, note="Agreed a discount by phone.", base_url=BASE_URL)
    payment.refresh_from_db()
    assert not payment.needs_attention and payment.receipt_number == "R-2027-00001"
    assert payment.attention_reason  # why it was flagged stays on the record
    awaiting.refresh_from_db()
    assert awaiting.status == AccreditationStatus.ACTIVE
    event = AuditEvent.objects.for_object(payment).get(action="payment.accept")
    assert event.note == "£100.00 accepted as the fee of £137.00 (receipt R-2027-00001). Agreed a discount by phone."
    activated = AuditEvent.objects.for_object(awaiting).get(action="accreditation.activate")
    assert activated.note.startswith("Card (Stripe) payment of £100.00, receipt R-2027-00001, accepted by Fiona")
    assert not any("receipt" in m.subject for m in mail.outbox)


def test_a_flagged_payment_without_a_receipt_number_gets_one_and_a_receipt(
    awaiting, fiona, django_capture_on_commit_callbacks
):
    """Accepting a payment that had no receipt number gives it the next one and sends the receipt."""
    payment = _flagged(awaiting, receipt=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        payment_accept(actor=fiona, payment=payment, note="Accepted.", base_url=BASE_URL)
    payment.refresh_from_db()
    assert payment.receipt_number == "R-2027-00001"
    assert any("receipt R-2027-00001" in m.subject for m in mail.outbox)


def test_a_payment_in_another_currency_is_named_in_its_currency(awaiting, fiona):
    """The audit note does not call euros pounds."""
    payment = _flagged(awaiting, amount=160_00, currency="eur")
    payment_accept(actor=fiona, payment=payment, note="Accepted at the day's rate.")
    assert AuditEvent.objects.get(action="payment.accept").note.startswith("160.00 EUR accepted as the fee of £137.00")


def test_only_a_flagged_payment_can_be_accepted(awaiting, fiona):
    payment = _flagged(awaiting)
    Payment.objects.filter(pk=payment.pk).update(needs_attention=False)
    with pytest.raises(InvalidTransition, match="not flagged for attention"):
        payment_accept(actor=fiona, payment=payment, note="Accepted.")


@pytest.mark.parametrize(
    ("status", "words"),
    [(PaymentStatus.REFUNDED, "refunded"), (PaymentStatus.FAILED, "failed"), (PaymentStatus.EXPIRED, "not completed")],
)
def test_money_not_held_cannot_be_accepted(awaiting, fiona, status, words):
    """A refunded, failed or expired payment is refused, in words; the accreditation still waits."""
    payment = _flagged(awaiting, status=status)
    with pytest.raises(InvalidTransition, match=f"This payment is {words}, so it cannot be accepted as the fee."):
        payment_accept(actor=fiona, payment=payment, note="Accepted.")
    awaiting.refresh_from_db()
    assert awaiting.status == AccreditationStatus.AWAITING_FEE


def test_a_payment_for_an_accreditation_already_active_cannot_be_accepted(awaiting, fiona):
    """Paid twice: the officer is told to clear the flag instead."""
    payment = _flagged(awaiting)
    _force(awaiting, AccreditationStatus.ACTIVE)
    with pytest.raises(FeeNotDue, match="Clear the flag instead"):
        payment_accept(actor=fiona, payment=payment, note="Accepted.")
    payment.refresh_from_db()
    assert payment.needs_attention


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("", "Say why this payment is accepted as the fee"),
        (
            "<img src=x onerror=alert(1)>",
            "Enter text without HTML tags or scripts (remove any < or > signs around words)",
        ),
    ],
)
def test_accepting_needs_a_plain_note(awaiting, fiona, note, message):
    payment = _flagged(awaiting)
    with pytest.raises(InputInvalid) as refused:
        payment_accept(actor=fiona, payment=payment, note=note)
    assert refused.value.errors == {"note": message}


def test_only_officers_accept_payments(awaiting, owner):
    with pytest.raises(NotAnOfficer):
        payment_accept(actor=owner, payment=_flagged(awaiting), note="Fine by us.")


def test_a_failed_activation_leaves_the_payment_flagged(awaiting, fiona, monkeypatch):
    """If activating fails, the flag and the accreditation stay as they were, and nothing is audited."""

    def broken(**kwargs):
        raise RuntimeError("no")

    payment = _flagged(awaiting, receipt=False)
    monkeypatch.setattr(fees, "accreditation_activate", broken)
    with pytest.raises(RuntimeError):
        payment_accept(actor=fiona, payment=payment, note="Accepted.")
    payment.refresh_from_db()
    assert payment.needs_attention and payment.receipt_number is None
    assert not AuditEvent.objects.filter(action="payment.accept").exists()


def test_an_officer_clears_a_flag_with_a_note(awaiting, fiona):
    """The flag goes, the note is audited, and the accreditation is left as it is."""
    payment = _flagged(awaiting)
    _force(awaiting, AccreditationStatus.ACTIVE)
    payment_attention_clear(actor=fiona, payment=payment, note="Refunded £100 by hand; paid twice.")
    payment.refresh_from_db()
    assert not payment.needs_attention
    event = AuditEvent.objects.for_object(payment).get(action="payment.attention_clear")
    assert (event.actor, event.note) == (fiona, "Refunded £100 by hand; paid twice.")
    awaiting.refresh_from_db()
    assert awaiting.status == AccreditationStatus.ACTIVE


def test_clearing_needs_a_flag_a_note_and_an_officer(awaiting, fiona, owner):
    """No flag, no note or no officer: refused, and the flag stays."""
    payment = _flagged(awaiting)
    with pytest.raises(InputInvalid) as refused:
        payment_attention_clear(actor=fiona, payment=payment, note=" ")
    assert refused.value.errors == {"note": "Say what was done about this payment"}
    with pytest.raises(NotAnOfficer):
        payment_attention_clear(actor=owner, payment=payment, note="Done.")
    payment_attention_clear(actor=fiona, payment=payment, note="Done.")
    with pytest.raises(InvalidTransition, match="nothing to clear"):
        payment_attention_clear(actor=fiona, payment=payment, note="Done again.")
    assert AuditEvent.objects.filter(action="payment.attention_clear").count() == 1


# --- races (PostgreSQL) ----------------------------------------------------------------------------------


@pytest.fixture
def fee_schedule_restored():
    """Transactional tests empty every table when they end, data migrations' rows too: put the defaults back."""
    DEFAULTS_MIGRATION.add_default_schedule(apps, None)


def postgres_only(test):
    for mark in POSTGRES_ONLY:
        test = mark(test)
    return test


@postgres_only
@pytest.mark.parametrize("second", ["record", "waive"])
def test_two_officers_settling_the_same_fee_at_once_settle_it_once(fee_schedule_restored, charter_edition, second):
    """Recorded twice, or recorded and waived, at once: one activation, at most one payment and receipt number;
    the other officer is told no fee is due."""
    organisation = OrganisationFactory(legal_name="Race Bakery Ltd", employee_count=14)
    owner = OwnerMembershipFactory(organisation=organisation).user
    accreditation = approved_accreditation(organisation=organisation, actor=owner)
    fiona, frank = make_officer("Fiona Finance"), make_officer("Frank Finance")
    today = timezone.localdate()

    def record(officer):
        return lambda: payment_record_offline(
            actor=officer, accreditation=accreditation, amount_pence=137_00, paid_on=today, reference="INV-1"
        )

    other = (
        record(frank)
        if second == "record"
        else lambda: fee_waive(actor=frank, accreditation=accreditation, reason="Hardship.")
    )
    assert race(record(fiona), other, refusal=FeeNotDue) == ["FeeNotDue", "ok"]
    accreditation.refresh_from_db()
    assert accreditation.status == AccreditationStatus.ACTIVE
    assert AuditEvent.objects.for_object(accreditation).filter(action="accreditation.activate").count() == 1
    payments = Payment.objects.filter(accreditation=accreditation)
    if accreditation.fee_waived:
        assert not payments.exists()
    else:
        assert payments.count() == 1 and payments.get().receipt_number == f"R-{today.year}-00001"


# --- settling the fee another way closes open checkouts ------------------------------------------------------


def _pending_checkout(accreditation, session_id="cs_test_open_when_settled") -> Payment:
    return Payment.objects.create(
        accreditation=accreditation,
        method=PaymentMethod.CARD,
        status=PaymentStatus.PENDING,
        amount_due_pence=accreditation.fee_pence,
        checkout_session_id=session_id,
        checkout_url=f"https://checkout.stripe.com/c/pay/{session_id}",
        idempotency_key="fcec-test-accreditation-checkout-1",
    )


@pytest.fixture
def stripe_expire(settings):
    """Stripe configured, and its expire endpoint answering; yields the list of calls made to it."""
    import responses

    from tests.accreditation.stripe_helpers import SESSIONS_URL, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET

    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = STRIPE_SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(
            f"{SESSIONS_URL}/cs_test_open_when_settled/expire",
            json={"id": "cs_test_open_when_settled", "object": "checkout.session", "status": "expired"},
        )
        yield mock.calls


@pytest.mark.parametrize("settle", ["waive", "offline"])
def test_settling_the_fee_another_way_expires_open_checkouts(
    awaiting, fiona, settle, stripe_expire, django_capture_on_commit_callbacks
):
    """A waiver or an offline payment marks the open checkout expired (audited) and, after the commit, asks
    Stripe to expire its session, so nobody can pay the fee through it again."""
    checkout = _pending_checkout(awaiting)
    with time_machine.travel(PAYMENT_DAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        if settle == "waive":
            fee_waive(actor=fiona, accreditation=awaiting, reason="Council partner organisation.")
        else:
            _record(awaiting, fiona)
    checkout.refresh_from_db()
    assert checkout.status == PaymentStatus.EXPIRED
    audit = AuditEvent.objects.for_object(checkout).get(action="payment.expire")
    assert (audit.actor, audit.from_state, audit.to_state) == (fiona, "pending", "expired")
    assert audit.note == "closed: the fee was settled another way"
    assert [call.request.url for call in stripe_expire] == [
        "https://api.stripe.com/v1/checkout/sessions/cs_test_open_when_settled/expire"
    ]


def test_a_refused_settlement_expires_nothing(awaiting, fiona, stripe_expire, django_capture_on_commit_callbacks):
    """An offline payment refused (wrong amount): the open checkout stays open and Stripe is not called."""
    checkout = _pending_checkout(awaiting)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InputInvalid):
        _record(awaiting, fiona, amount=100_00)
    checkout.refresh_from_db()
    assert checkout.status == PaymentStatus.PENDING
    assert not stripe_expire
