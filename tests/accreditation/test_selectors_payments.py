"""accreditation.selectors.payments: what the officers' fee and payment pages read, in a fixed number of queries."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from accreditation.models import (
    Accreditation,
    AccreditationStatus,
    Application,
    ApplicationStatus,
    Payment,
    PaymentEvent,
    PaymentEventStatus,
    PaymentMethod,
    PaymentStatus,
)
from accreditation.selectors import officer_dashboard_figures
from accreditation.selectors.payments import (
    accreditation_for_officer,
    officer_payment_events,
    officer_payments,
    payment_event_for_officer,
    payment_event_types,
    payment_for_officer,
    payments_needing_attention,
)
from accreditation.services.fees import fee_waive, payment_attention_clear
from tests.accreditation.review_helpers import make_officer
from tests.factories import OrganisationFactory, OwnerMembershipFactory


def local(year, month, day, hour=12, minute=0):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def accreditation_row(edition, *, name="Org", approver=None, fee=137_00, **organisation) -> Accreditation:
    """An approved application and its accreditation awaiting the fee, written directly for speed."""
    org = OrganisationFactory(legal_name=name, **organisation)
    owner = OwnerMembershipFactory(organisation=org).user
    application = Application.objects.create(
        organisation=org,
        edition=edition,
        status=ApplicationStatus.APPROVED,
        employee_count=org.employee_count,
        created_by=owner,
        submitted_by=owner,
        submitted_at=timezone.now(),
        submission_round=1,
    )
    return Accreditation.objects.create(
        organisation=org,
        application=application,
        level_code="champion",
        level_name="Champion",
        approved_at=timezone.now(),
        approved_by=approver or make_officer("Alex Approver"),
        fee_pence=fee,
        fee_band_label="11 to 50 employees",
    )


def payment_row(accreditation, *, status=PaymentStatus.PAID, method=PaymentMethod.CARD, **fields):
    """A payment written directly: received ones (paid, refunded) with the fee paid, a date paid and a receipt."""
    number = Payment.objects.count() + 1
    received = status in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)
    values = {
        "amount_due_pence": accreditation.fee_pence,
        "amount_paid_pence": accreditation.fee_pence if received else None,
        "checkout_session_id": f"cs_test_{number}" if method != PaymentMethod.OFFLINE else None,
        "paid_at": local(2027, 3, 10) if received else None,
        "receipt_number": f"R-2027-{number:05d}" if received else None,
    }
    return Payment.objects.create(accreditation=accreditation, method=method, status=status, **(values | fields))


def payment_rows(count, edition):
    """`count` paid card payments, one per organisation, a day apart."""
    approver = make_officer("Alex Approver")
    for number in range(count):
        accreditation = accreditation_row(edition, name=f"Org {number:03d}", approver=approver)
        payment_row(accreditation, paid_at=local(2027, 1, 1) + datetime.timedelta(days=number))


@pytest.fixture
def awaiting(charter_edition):
    return accreditation_row(charter_edition, name="Golden Crust Bakery Ltd")


# --- one accreditation -------------------------------------------------------------------------------------


def test_an_accreditation_comes_with_its_payments_flags_and_history(awaiting):
    """Payments newest first, the flagged ones apart, whether a card payment is in flight, and what happened."""
    officer = make_officer("Fiona Finance")
    failed = payment_row(awaiting, status=PaymentStatus.FAILED)
    flagged = payment_row(awaiting, needs_attention=True, attention_reason="Paid twice.")
    other = payment_row(awaiting, needs_attention=True, attention_reason="Refunded.")
    payment_attention_clear(actor=officer, payment=other, note="Refunded by hand.")
    found = accreditation_for_officer(awaiting.pk)
    assert found.accreditation == awaiting
    assert found.payments == [other, flagged, failed]
    assert found.flagged == [flagged]
    assert found.processing is False
    assert [event.action for event in found.history] == ["payment.attention_clear"]


def test_the_history_has_the_accreditations_events_and_its_payments_in_order(awaiting):
    """Events about the accreditation and about its payments, oldest first; another accreditation's are not there."""
    officer = make_officer("Fiona Finance")
    other = accreditation_row(awaiting.application.edition, name="Another Ltd")
    payment_attention_clear(actor=officer, payment=payment_row(other, needs_attention=True), note="Elsewhere.")
    payment_attention_clear(actor=officer, payment=payment_row(awaiting, needs_attention=True), note="Here.")
    fee_waive(actor=officer, accreditation=awaiting, reason="Hardship.")
    found = accreditation_for_officer(awaiting.pk)
    assert [event.action for event in found.history] == [
        "payment.attention_clear",
        "fee.waive",
        "accreditation.activate",
    ]
    assert found.history[0].note == "Here."


def test_a_card_payment_being_confirmed_is_noticed(awaiting):
    payment_row(awaiting, status=PaymentStatus.PROCESSING)
    assert accreditation_for_officer(awaiting.pk).processing is True


def test_an_unknown_accreditation_is_not_found(db):
    with pytest.raises(Http404):
        accreditation_for_officer(987654)


@pytest.mark.parametrize("payments", [1, 12])
def test_an_accreditation_reads_a_fixed_number_of_queries(awaiting, payments, django_assert_max_num_queries):
    """The accreditation with its relations, its payments, and its history: the same queries for 1 or 12 payments."""
    for _ in range(payments):
        payment_row(awaiting, status=PaymentStatus.FAILED, recorded_by=awaiting.approved_by)
    accreditation_for_officer(awaiting.pk)  # content types cached
    with django_assert_max_num_queries(3):
        found = accreditation_for_officer(awaiting.pk)
        assert [p.recorded_by.full_name for p in found.payments] and found.accreditation.fee_band is None


# --- the payments table ------------------------------------------------------------------------------------


@pytest.fixture
def mixed(charter_edition):
    """A paid card payment, an offline one, a failed one, and a flagged one, paid on different days."""
    approver = make_officer("Alex Approver")
    rows = {}
    for name in ("card", "offline", "failed", "flagged"):
        rows[name] = accreditation_row(charter_edition, name=f"{name.title()} Ltd", approver=approver)
    return {
        "card": payment_row(rows["card"], paid_at=local(2027, 3, 31, 23, 30)),
        "offline": payment_row(rows["offline"], method=PaymentMethod.OFFLINE, paid_at=local(2027, 4, 1, 0, 30)),
        "failed": payment_row(rows["failed"], status=PaymentStatus.FAILED),
        "flagged": payment_row(rows["flagged"], paid_at=local(2027, 4, 2), needs_attention=True),
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"card", "offline", "failed", "flagged"}),
        ({"status": PaymentStatus.FAILED}, {"failed"}),
        ({"method": PaymentMethod.OFFLINE}, {"offline"}),
        ({"needs_attention": True}, {"flagged"}),
        ({"paid_from": datetime.date(2027, 4, 1)}, {"offline", "flagged"}),
        ({"paid_to": datetime.date(2027, 3, 31)}, {"card"}),
        ({"paid_from": datetime.date(2027, 4, 1), "paid_to": datetime.date(2027, 4, 1)}, {"offline"}),
        ({"status": PaymentStatus.PAID, "method": PaymentMethod.CARD}, {"card", "flagged"}),
    ],
)
def test_payments_are_filtered_by_status_method_dates_and_flag(mixed, filters, expected):
    """Dates are whole days in the council's time zone, both ends included; a failed payment has no date paid."""
    found = {name for name, payment in mixed.items() if payment in officer_payments(filters)}
    assert found == expected
    assert officer_payments(filters).count() == len(expected)


def test_the_payments_come_newest_first_with_their_organisation_in_one_query(mixed, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = [payment.accreditation.organisation.legal_name for payment in officer_payments()]
    assert names == ["Flagged Ltd", "Failed Ltd", "Offline Ltd", "Card Ltd"]


def test_the_payments_needing_attention_are_counted_for_the_dashboard(mixed):
    """The count and the dashboard's figure agree; clearing a flag takes one off."""
    assert payments_needing_attention() == 1
    assert officer_dashboard_figures().payments_needing_attention == 1
    payment_attention_clear(actor=make_officer("Fiona Finance"), payment=mixed["flagged"], note="Done.")
    assert officer_dashboard_figures().payments_needing_attention == 0


def test_one_payment_is_found_or_not(mixed):
    assert payment_for_officer(mixed["card"].pk) == mixed["card"]
    with pytest.raises(Http404):
        payment_for_officer(987654)


# --- the event log ---------------------------------------------------------------------------------------


@pytest.fixture
def events(mixed):
    made = {}
    for name, event_type, status in [
        ("completed", "checkout.session.completed", PaymentEventStatus.PROCESSED),
        ("broken", "checkout.session.completed", PaymentEventStatus.FAILED),
        ("other", "customer.created", PaymentEventStatus.IGNORED),
    ]:
        made[name] = PaymentEvent.objects.create(
            event_id=f"evt_{name}",
            gateway="stripe",
            event_type=event_type,
            payload={"id": f"evt_{name}"},
            status=status,
            payment=mixed["card"] if name == "completed" else None,
        )
    return made


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["other", "broken", "completed"]),
        ({"status": PaymentEventStatus.FAILED}, ["broken"]),
        ({"event_type": "checkout.session.completed"}, ["broken", "completed"]),
        ({"event_type": "checkout.session.completed", "status": PaymentEventStatus.PROCESSED}, ["completed"]),
    ],
)
def test_events_are_filtered_by_status_and_type_newest_first(events, filters, expected):
    names = {event.pk: name for name, event in events.items()}
    assert [names[event.pk] for event in officer_payment_events(filters)] == expected


def test_the_event_types_received_are_listed_once_each(events):
    assert payment_event_types() == ["checkout.session.completed", "customer.created"]


def test_an_event_comes_with_its_payments_organisation(events, django_assert_num_queries):
    with django_assert_num_queries(1):
        event = payment_event_for_officer(events["completed"].pk)
        assert event.payment.accreditation.organisation.legal_name == "Card Ltd"
    with pytest.raises(Http404):
        payment_event_for_officer(987654)


def test_an_accreditation_waived_is_active_with_no_payment(awaiting):
    """Waiving leaves no payment row: the payments table never shows a waiver as money received."""
    fee_waive(actor=make_officer("Fiona Finance"), accreditation=awaiting, reason="Hardship.")
    assert accreditation_for_officer(awaiting.pk).accreditation.status == AccreditationStatus.ACTIVE
    assert not officer_payments().exists()
