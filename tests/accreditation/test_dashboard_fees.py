"""The employer dashboard's accreditations section (accreditation.dashboard.accreditations_section)."""

import datetime
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accreditation.dashboard import accreditations_section
from accreditation.models import Accreditation, PaymentStatus
from accreditation.services.fees import fee_waive
from employers.models import Membership
from tests.accreditation.fee_helpers import awaiting_fee, card_payment_received, open_checkout
from tests.accreditation.review_helpers import make_officer

NOW = timezone.make_aware(datetime.datetime(2027, 3, 3, 10, 42))


@pytest.fixture(autouse=True)
def now():
    """The tests run on 3 March 2027 at 10:42 (the clock moves on from there)."""
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def owner_client(owner):
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def accreditation(charter_edition, organisation, owner):
    return awaiting_fee(organisation, owner)


def dashboard(client) -> str:
    response = client.get(reverse("employers:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def section(html: str) -> str:
    match = re.search(r'<section[^>]*aria-labelledby="accreditations-heading">.*?</section>', html, re.S)
    assert match, "no accreditations section on the dashboard"
    return match.group(0)


def test_without_an_accreditation_there_is_no_section(owner_client, organisation, charter_edition):
    """An organisation that has never been accredited sees nothing about accreditations or fees."""
    html = dashboard(owner_client)
    assert "accreditations-heading" not in html
    assert "Fee due" not in html and "Pay now" not in html


def test_a_fee_due_shows_the_amount_and_pay_now(owner_client, accreditation):
    """Awaiting its fee: level, status, "Fee due £137.00", a "Pay now" form with CSRF, and the accreditation link."""
    html = section(dashboard(owner_client))
    assert accreditation.level_name in html
    assert "Approved: pay the fee to become accredited</strong>" in html
    assert re.search(r"Fee due</dt>\s*<dd[^>]*>£137.00</dd>", html)
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S)
    assert form.group(1) == reverse("fees:pay", kwargs={"pk": accreditation.pk})
    assert 'name="csrfmiddlewaretoken"' in form.group(2) and "Pay now" in form.group(2)
    assert f'href="{reverse("fees:accreditation", kwargs={"pk": accreditation.pk})}"' in html


def test_the_section_comes_before_the_applications(owner_client, accreditation):
    """The accreditation (what the employer must act on) is above the applications list."""
    html = dashboard(owner_client)
    assert html.index("accreditations-heading") < html.index("applications-heading")


def test_active_shows_valid_until_and_no_fee(owner_client, accreditation):
    """Accredited: the date it is valid until and the link; no fee and no "Pay now"."""
    card_payment_received(accreditation)
    html = section(dashboard(owner_client))
    assert "Accredited</strong>" in html
    assert re.search(r"Valid until</dt>\s*<dd[^>]*>2 March 2028</dd>", html)
    assert "Fee due" not in html and "Pay now" not in html
    assert reverse("fees:accreditation", kwargs={"pk": accreditation.pk}) in html


def test_a_waived_fee_is_not_due(owner_client, accreditation):
    """Waived by an officer: nothing to pay on the dashboard."""
    fee_waive(actor=make_officer("Wendy Waiver"), accreditation=accreditation, reason="First-year community group.")
    html = section(dashboard(owner_client))
    assert "Fee due" not in html and "Pay now" not in html


def test_a_payment_being_confirmed_is_not_offered_again(owner_client, accreditation):
    """While a card payment is being confirmed the fee still shows, but "Pay now" gives way to "do not pay again"."""
    open_checkout(accreditation, status=PaymentStatus.PROCESSING)
    html = section(dashboard(owner_client))
    assert "£137.00" in html
    assert "Pay now" not in html and "You do not need to pay again" in html


def test_a_member_sees_it_too(accreditation, member):
    """Every member of the organisation, not only its owner, sees the fee and can pay."""
    client = Client()
    client.force_login(member)
    assert "Pay now" in section(dashboard(client))


def test_the_section_costs_the_same_queries_however_many_accreditations(accreditation, organisation, owner):
    """Two queries for the section, whether the organisation has one accreditation or two."""
    membership = Membership.objects.get(organisation=organisation, user=owner)
    request = RequestFactory().get("/employer/")
    request.user = owner

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            accreditations_section(request, membership)
        return len(queries)

    count()  # the first render loads the membership's organisation and the officer check, once per request
    one = count()
    card_payment_received(accreditation)
    # Renewal time: the first year ends within 90 days, and the renewal is approved and awaiting its fee.
    accreditation.refresh_from_db()
    Accreditation.objects.filter(pk=accreditation.pk).update(valid_until=timezone.localdate() + timedelta(days=30))
    awaiting_fee(organisation, owner)
    assert organisation.accreditations.count() == 2
    assert count() == one == 2
    # Two cards, two different headings (WCAG 2.4.6): the level and the application each came from.
    html = accreditations_section(request, membership)
    headings = re.findall(r'<h3 class="govuk-summary-card__title">(.*?)</h3>', html)
    assert len(headings) == 2 and len(set(headings)) == 2
