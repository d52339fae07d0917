"""Every URL of the officers' area is in one of the lists the access tests walk, so none ships unguarded."""

import pytest
from django.urls import get_resolver, resolve

from accreditation.models import PaymentEvent
from tests.accreditation.helpers import complete, start_application, submit
from tests.accreditation.test_selectors_payments import accreditation_row, payment_row
from tests.accreditation.test_views_officer import all_urls
from tests.accreditation.test_views_officer_fees import fee_urls
from tests.accreditation.test_views_officer_overview import PAGES
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_access_tests_cover_every_officer_url(charter_edition, organisation, owner):
    """The names behind the access tests' URLs are exactly the officer namespace's URL names."""
    application = start_application(organisation=organisation, actor=owner)
    complete(application, owner)
    submit(application, owner)
    accreditation = accreditation_row(charter_edition, name="Covered Ltd")
    payment = payment_row(accreditation)
    event = PaymentEvent.objects.create(event_id="evt_cover", gateway="stripe", event_type="x", payload={})
    any_organisation = OrganisationFactory()
    tested = [
        *all_urls(application),
        *fee_urls(accreditation, payment, event),
        *(page.format(pk=any_organisation.pk) for page in PAGES),
    ]
    tested_names = {resolve(url.split("?")[0]).url_name for url in tested}
    _, officer_area = get_resolver().namespace_dict["officer"]
    assert tested_names == {pattern.name for pattern in officer_area.url_patterns}
