"""accreditation.admin_fees: the scheme administrator edits fee schedules; payments and events are read-only."""

import datetime

import pytest
from django.urls import reverse

from accreditation.admin_fees import band_problems
from accreditation.models import FeeBand, FeeSchedule, Payment, PaymentEvent, PaymentMethod, PaymentStatus
from tests.accreditation.fee_helpers import approved_accreditation
from tests.conftest import give_totp
from tests.factories import UserFactory

SPEC_BANDS = [
    (1, 10, "all", 6900),
    (11, 50, "all", 13700),
    (51, 250, "all", 27500),
    (251, 500, "all", 55000),
    (501, "", "private", 344000),
    (501, "", "public_or_charity", 55000),
]


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    give_totp(admin)
    client.force_login(admin)
    return client


def schedule_form(bands, *, effective_from="2027-04-01", note="April 2027 review", initial=0):
    """The POST data of the schedule's admin form with its inline bands (each: from, to, rate, pence)."""
    data = {
        "effective_from": effective_from,
        "note": note,
        "bands-TOTAL_FORMS": str(len(bands)),
        "bands-INITIAL_FORMS": str(initial),
        "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "1000",
    }
    for index, (low, high, rate, pence) in enumerate(bands):
        data |= {
            f"bands-{index}-min_employees": str(low),
            f"bands-{index}-max_employees": str(high),
            f"bands-{index}-applies_to": rate,
            f"bands-{index}-amount_pence": str(pence),
        }
    return data


def add(admin_client, bands, **kwargs):
    return admin_client.post(reverse("admin:accreditation_feeschedule_add"), schedule_form(bands, **kwargs))


def errors_of(response) -> str:
    """The formset's own (non-form) errors, as the page shows them."""
    return " ".join(str(error) for formset in response.context["inline_admin_formsets"] for error in
                    formset.formset.non_form_errors())  # fmt: skip


def test_the_administrator_sees_the_default_schedule(admin_client):
    """The list shows the schedule from 1 April 2024 with its six bands."""
    page = admin_client.get(reverse("admin:accreditation_feeschedule_changelist")).content.decode()
    assert "April 1, 2024" in page or "1 April 2024" in page
    schedule = FeeSchedule.objects.get()
    detail = admin_client.get(reverse("admin:accreditation_feeschedule_change", args=[schedule.pk]))
    assert detail.status_code == 200 and 'name="_save"' in detail.content.decode()
    assert detail.content.decode().count('name="bands-') > 6 * 4


def test_a_new_schedule_with_the_spec_bands_is_saved(admin_client):
    """Six bands that start at 1, follow on without a gap and end open-ended are saved as one schedule."""
    response = add(admin_client, SPEC_BANDS)
    assert response.status_code == 302, errors_of(response)
    schedule = FeeSchedule.objects.get(effective_from=datetime.date(2027, 4, 1))
    assert schedule.bands.count() == 6
    assert schedule.bands.get(applies_to="private").max_employees is None


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        (
            [(1, 10, "all", 1), (5, 50, "all", 2), (51, "", "all", 3)],
            "The bands 1 to 10 employees and 5 to 50 employees for every organisation overlap",
        ),
        (
            [(1, 10, "all", 1), (12, "", "all", 2)],
            "No band covers 11 employees for any organisation: the bands must follow on without a gap.",
        ),
        (
            [(2, 10, "all", 1), (11, "", "all", 2)],
            "No band covers 1 employee for any organisation: the lowest band must start at 1.",
        ),
        (
            [(1, "", "all", 1), (501, 1000, "all", 2)],
            "Only the highest band for every organisation can have no upper limit: 1 or more employees is "
            "followed by 501 to 1,000 employees.",
        ),
        (
            [(1, 10, "all", 1), (11, 500, "all", 2)],
            "No band covers 501 or more employees for any organisation: leave the upper limit of the highest "
            "band empty.",
        ),
        (
            [(1, 500, "all", 1), (501, "", "private", 2)],
            "No band covers 501 or more employees for public sector or charity organisations",
        ),
    ],
    ids=["overlap", "gap", "no-band-for-1", "open-ended-not-last", "no-top-band", "one-rate-missing"],
)
def test_bands_that_do_not_fit_together_are_refused(admin_client, bands, message):
    """The page says what is wrong with the bands taken together, and nothing is saved."""
    response = add(admin_client, bands)
    assert response.status_code == 200
    assert message in errors_of(response)
    assert message.split(":")[0] in response.content.decode().replace("&#x27;", "'")
    assert not FeeSchedule.objects.filter(effective_from=datetime.date(2027, 4, 1)).exists()


def test_bands_for_different_rates_may_cover_the_same_headcounts(db):
    """The private and the public sector or charity 501+ bands are not an overlap."""
    bands = [
        {"min_employees": low, "max_employees": high or None, "applies_to": rate} for low, high, rate, _ in SPEC_BANDS
    ]
    assert band_problems(bands) == []


def test_a_band_for_everyone_under_a_rate_of_its_own_is_allowed(db):
    """251+ for everyone with a private 501+ band above it: private organisations pay theirs, others the 251+."""
    bands = [
        {"min_employees": 1, "max_employees": 250, "applies_to": "all"},
        {"min_employees": 251, "max_employees": None, "applies_to": "all"},
        {"min_employees": 501, "max_employees": None, "applies_to": "private"},
    ]
    assert band_problems(bands) == []


def test_a_schedule_without_bands_is_refused(db):
    assert band_problems([]) == ["Add at least one band: a schedule without bands gives no fee to anyone."]


def test_an_upper_limit_below_the_lower_one_is_refused_in_words(admin_client):
    """The band's own error says which way round the numbers should be."""
    response = add(admin_client, [(1, 10, "all", 1), (50, 11, "all", 2), (51, "", "all", 3)])
    assert response.status_code == 200
    assert "The upper limit must not be below the lower one" in response.content.decode()
    assert FeeSchedule.objects.count() == 1


def test_a_band_from_zero_employees_is_refused_in_words(admin_client):
    response = add(admin_client, [(0, 10, "all", 1), (11, "", "all", 2)])
    assert "A band must start at 1 employee or more" in response.content.decode()


def test_two_schedules_cannot_take_effect_on_the_same_day(admin_client):
    """The date is unique: a second schedule from 1 April 2024 is refused."""
    response = add(admin_client, SPEC_BANDS, effective_from="2024-04-01")
    assert response.status_code == 200
    assert FeeSchedule.objects.count() == 1


def test_a_schedule_that_fixed_a_fee_can_be_read_but_not_changed(admin_client, charter_edition, organisation, owner):
    """Once an accreditation's fee comes from it, the schedule has no save button, and a POST is refused."""
    approved_accreditation(organisation=organisation, actor=owner)
    schedule = FeeSchedule.objects.get()
    url = reverse("admin:accreditation_feeschedule_change", args=[schedule.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    data = schedule_form([(1, "", "all", 1)], effective_from="2024-04-01")
    assert admin_client.post(url, data).status_code == 403
    delete = reverse("admin:accreditation_feeschedule_delete", args=[schedule.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert FeeBand.objects.filter(schedule=schedule).count() == 6


def test_an_unused_schedule_can_be_changed(admin_client):
    """A schedule no fee has come from yet can be corrected, band by band."""
    schedule = FeeSchedule.objects.create(effective_from=datetime.date(2027, 4, 1))
    band = FeeBand.objects.create(schedule=schedule, min_employees=1, amount_pence=100)
    data = schedule_form([(1, "", "all", 250)], effective_from="2027-04-01", initial=1)
    data["bands-0-id"] = str(band.pk)
    data["bands-0-schedule"] = str(schedule.pk)
    response = admin_client.post(reverse("admin:accreditation_feeschedule_change", args=[schedule.pk]), data)
    assert response.status_code == 302, errors_of(response)
    band.refresh_from_db()
    assert band.amount_pence == 250


# --- payments and events, to read --------------------------------------------------------------------------


@pytest.fixture
def records(charter_edition, organisation, owner):
    accreditation = approved_accreditation(organisation=organisation, actor=owner)
    payment = Payment.objects.create(
        accreditation=accreditation,
        method=PaymentMethod.CARD,
        status=PaymentStatus.PAID,
        amount_due_pence=137_00,
        amount_paid_pence=137_00,
        checkout_session_id="cs_test_admin",
        receipt_number="R-2027-00042",
    )
    event = PaymentEvent.objects.create(
        event_id="evt_admin",
        gateway="stripe",
        event_type="checkout.session.completed",
        payload={"id": "evt_admin", "note": "<script>alert(1)</script>"},
        payment=payment,
    )
    return {"payment": payment, "paymentevent": event}


@pytest.mark.parametrize("model", ["payment", "paymentevent"])
def test_payments_and_events_can_be_listed_read_and_searched(admin_client, records, model):
    """The list (with a search) and each record's page open for an administrator, without a save button."""
    changelist = reverse(f"admin:accreditation_{model}_changelist")
    assert admin_client.get(changelist).status_code == 200
    search = "R-2027-00042" if model == "payment" else "evt_admin"
    assert admin_client.get(changelist, {"q": search}).context["cl"].result_count == 1
    assert admin_client.get(changelist, {"q": "nothing-like-it"}).context["cl"].result_count == 0
    assert admin_client.get(changelist, {"status__exact": records[model].status}).context["cl"].result_count == 1
    page = admin_client.get(reverse(f"admin:accreditation_{model}_change", args=[records[model].pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


@pytest.mark.parametrize("model", ["payment", "paymentevent"])
def test_payments_and_events_cannot_be_added_changed_or_deleted(admin_client, records, model):
    """They change only through the payment services."""
    obj = records[model]
    assert admin_client.get(reverse(f"admin:accreditation_{model}_add")).status_code == 403
    assert admin_client.post(reverse(f"admin:accreditation_{model}_change", args=[obj.pk]), {}).status_code == 403
    delete = reverse(f"admin:accreditation_{model}_delete", args=[obj.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_an_events_payload_is_shown_escaped(admin_client, records):
    """The payload is pretty-printed, and markup in it is shown as text."""
    event = records["paymentevent"]
    html = admin_client.get(reverse("admin:accreditation_paymentevent_change", args=[event.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
