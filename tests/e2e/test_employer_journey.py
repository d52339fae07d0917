"""An employer signs up, verifies their email, adds their organisation and brings in a colleague."""

import re

import pytest
from django.core import mail

from employers.models import Membership, Organisation, Role
from tests.e2e.helpers import link_in_last_email, sign_out, sign_up_and_verify

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_create_organisation_invite_a_colleague_who_accepts(page, a11y):
    """The whole first journey works in a browser, and every page on the way passes axe."""
    # Sign up, with one mistake first: the error summary appears and links to the field.
    page.goto("/accounts/signup/")
    a11y.check("signup-empty")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert summary.get_by_role("link", name="Enter your email address").is_visible()
    a11y.check("signup-errors")

    sign_up_and_verify(page, a11y, "owner@bakery.example", start="", label="owner-")
    # After confirming, the new user lands on their dashboard, which asks for their organisation.
    page.wait_for_url(re.compile(r".*/employer/$"))
    a11y.check("dashboard-empty")
    page.get_by_role("button", name="Add your organisation").click()
    page.wait_for_url("**/employer/organisation/new/")
    a11y.check("organisation-new")

    page.get_by_label("Legal name").fill("Golden Crust Bakery Ltd")
    page.get_by_label("Company", exact=True).check()
    page.get_by_label("Companies House number").fill("1234567")
    page.get_by_label("Sector").select_option("I")
    page.get_by_label("Number of employees").fill("14")
    page.get_by_label("Address line 1").fill("5 Timber Hill")
    page.get_by_label("Town or city").fill("Norwich")
    page.get_by_label("Postcode").fill("<script>alert(1)</script>")
    page.get_by_role("button", name="Add organisation").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert not Organisation.objects.exists()
    a11y.check("organisation-errors")

    page.get_by_label("Postcode").fill("nr1 3jr")
    page.get_by_role("button", name="Add organisation").click()
    page.wait_for_load_state()
    organisation = Organisation.objects.get()
    assert organisation.postcode == "NR1 3JR"
    assert organisation.company_number == "01234567"
    a11y.check("organisation-added")
    assert page.get_by_text("Golden Crust Bakery Ltd").first.is_visible()

    # Invite a colleague.
    page.get_by_role("link", name="Manage the people in your organisation").click()
    page.wait_for_url("**/employer/organisation/people/")
    a11y.check("people")
    page.get_by_role("button", name="Invite someone").click()
    page.wait_for_url("**/people/invite/")
    a11y.check("invite")
    page.get_by_label("Email address").fill("colleague@bakery.example")
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_load_state()
    a11y.check("invited")
    invitation_link = link_in_last_email("colleague@bakery.example")
    sign_out(page)
    a11y.check("signed-out")

    # The colleague opens the link, creates an account, confirms it and accepts.
    mail.outbox.clear()
    page.goto(invitation_link)
    a11y.check("invitation-anonymous")
    page.get_by_role("button", name="Create an account").click()
    page.wait_for_url(re.compile(r".*/accounts/signup/.*"))
    sign_up_and_verify(page, a11y, "colleague@bakery.example", start="", label="colleague-")
    page.wait_for_url(re.compile(r".*/employer/invitation/.*"))
    a11y.check("invitation-signed-in")
    page.get_by_role("button", name=re.compile("Accept and join")).click()
    page.wait_for_load_state()
    a11y.check("joined")
    membership = Membership.objects.get(user__email="colleague@bakery.example")
    assert membership.organisation == organisation
    assert membership.role == Role.MEMBER
    assert page.get_by_text("Golden Crust Bakery Ltd").first.is_visible()
