"""One case in a browser, from submission through a changes loop to approval by a second officer (issue 4).

Three people on three computers (three browser contexts): Olive reviews the case, Bea's bakery answers
her query, and Oscar approves what Olive recommended. The submitted application is built with the real
services; everything the officers and the employer do is done through the pages, with axe on each.
"""

import re
import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

from accreditation.models import Accreditation, AccreditationStatus, ApplicationStatus, CriterionReview, Evidence
from accreditation.selectors import review_progress
from audit.models import AuditEvent
from tests.accreditation.helpers import pdf_upload, submitted_application
from tests.conftest import give_totp
from tests.e2e.conftest import Accessibility
from tests.factories import PASSWORD, OfficerFactory, OwnerMembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

TOTP_PERIOD = mfa_settings.TOTP_PERIOD

QUERY = "The payroll summary has no hours on it. Send one that shows hours worked for the lowest-paid roles."
NEW_EXPLANATION = "Our lowest rate is £13.45 an hour. The new summary shows hours worked for every role."


def current_code(secret: str) -> str:
    """The code an authenticator app shows now; never one about to expire before the form is sent."""
    left = TOTP_PERIOD - time.time() % TOTP_PERIOD
    if left < 3:
        time.sleep(left + 0.1)
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret.replace(" ", ""), counters[len(counters) // 2]))


@pytest.fixture
def person(browser, live_server, request):
    """Another person at another computer: a fresh browser context whose every page axe must check too."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        other = context.new_page()
        other.set_default_timeout(15_000)
        other.a11y = Accessibility(other, request)
        return other

    yield open_page
    try:
        for context in contexts:
            for other in context.pages:
                other.a11y.assert_all_checked()
    finally:
        for context in contexts:
            context.close()


def go(page, url: str, label: str):
    page.goto(url)
    page.a11y.check(label)


def click(page, locator, label: str):
    """Click something that loads a page, then check that page."""
    locator.click()
    page.wait_for_load_state()
    page.a11y.check(label)


def sign_in(page, email: str, label: str, *, totp_secret: str | None = None):
    go(page, "/accounts/login/", f"{label}-login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    if totp_secret is None:
        click(page, page.get_by_role("button", name="Sign in"), f"{label}-signed-in")
        return
    click(page, page.get_by_role("button", name="Sign in"), f"{label}-security-code")
    page.get_by_label("Security code").fill(current_code(totp_secret))
    click(page, page.get_by_role("button", name="Continue"), f"{label}-signed-in")


def criterion_section(page, code: str):
    return page.locator(f'section[id="criterion-{code}"]')


def mark(page, code: str, outcome: str, label: str, note: str = ""):
    """On the case view: mark one criterion Verified or Query (with a note), and save."""
    section = criterion_section(page, code)
    section.get_by_label(outcome, exact=True).check()
    if note:
        section.get_by_label("Note for the employer").fill(note)
    click(page, section.get_by_role("button", name=re.compile("Save check")), label)
    tag = "Queried" if outcome == "Query" else "Verified"
    assert criterion_section(page, code).locator(".govuk-tag", has_text=tag).is_visible()


def test_a_case_goes_through_a_changes_loop_to_approval_by_a_second_officer(page, person, charter_edition, tmp_path):
    """Submitted → taken → one query → changes requested → answered and resubmitted → recommended → approved."""
    membership = OwnerMembershipFactory(
        organisation__legal_name="Golden Crust Bakery Ltd", organisation__employee_count=12, user__full_name="Bea Baker"
    )
    bea = membership.user
    application = submitted_application(organisation=membership.organisation, actor=bea)
    olive = OfficerFactory(full_name="Olive Officer", email="olive@norwich.gov.uk")
    oscar = OfficerFactory(full_name="Oscar Officer", email="oscar@norwich.gov.uk")
    olive_secret, oscar_secret = give_totp(olive), give_totp(oscar)
    codes = list(review_progress(application).applicable)
    case_url = f"/officer/cases/{application.pk}/"

    # --- Olive signs in with her code, finds the case in the queue and takes it -------------------------
    sign_in(page, olive.email, "cr-olive", totp_secret=olive_secret)
    assert re.search(r"/officer/$", page.url)
    row = page.locator("tr", has_text="Golden Crust Bakery Ltd")
    assert row.get_by_text("Submitted, not yet taken").is_visible()
    click(page, row.get_by_role("link", name=re.compile("View")), "cr-olive-case")
    click(page, page.get_by_role("button", name="Take this case"), "cr-olive-taken")
    assert page.get_by_text("You have taken this case.").is_visible()

    # She opens a file (the download is audited), checks the mandatory pay and hours commitments, and
    # queries 1.1: that is enough to send the case back now (she checks everything in the next round).
    first_file = criterion_section(page, "pay.direct").get_by_role("link", name="payroll-summary.pdf")
    with page.expect_download() as download:
        first_file.click()
    assert download.value.suggested_filename == "payroll-summary.pdf"
    assert AuditEvent.objects.filter(action="evidence.download", actor=olive).count() == 1
    for code in ["pay.contractors", "pay.uplift", "pay.lwf", "hours.no_zero_hours", "hours.notice"]:
        mark(page, code, "Verified", f"cr-olive-verified-{code}")
    mark(page, "pay.direct", "Query", "cr-olive-queried", note=QUERY)
    page.get_by_label("A message for the employer").fill("Thank you. One thing to send, then submit again.")
    click(page, page.get_by_role("button", name="Request changes"), "cr-olive-changes-requested")
    assert page.get_by_text("Changes requested: the employer has been told what to change.").is_visible()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CHANGES_REQUESTED

    # --- Bea sees "Needs changes" and the query beside 1.1; she changes her answer and adds a file ------
    employer = person()
    sign_in(employer, bea.email, "cr-bea")
    assert employer.get_by_text("Needs changes").first.is_visible()
    click(employer, employer.get_by_role("link", name="Continue your application").first, "cr-bea-task-list")
    queries = employer.locator("#queries ~ dl.govuk-summary-list").first
    assert queries.get_by_text(QUERY).is_visible()
    assert employer.get_by_text("Thank you. One thing to send, then submit again.").is_visible()
    pay_task = employer.locator(".govuk-task-list__item", has_text="Pay the real Living Wage")
    assert pay_task.get_by_text("Needs changes").is_visible()
    assert pay_task.get_by_text("The council asked about 1.1").is_visible()

    click(employer, queries.get_by_role("link", name=re.compile("Change")), "cr-bea-pay")
    direct = employer.locator("fieldset.govuk-fieldset").filter(has=employer.locator("legend", has_text="1.1"))
    assert direct.get_by_text(QUERY).is_visible()
    assert direct.get_by_text("The council asked about 1.1").is_visible()
    direct.get_by_label("Explain how you do this").fill(NEW_EXPLANATION)
    click(employer, employer.get_by_role("button", name="Save and come back later"), "cr-bea-saved")
    assert (
        employer.locator(".govuk-task-list__item", has_text="Pay the real Living Wage")
        .get_by_text("Completed")
        .is_visible()
    )

    click(employer, employer.get_by_role("link", name="Pay the real Living Wage"), "cr-bea-pay-again")
    assert employer.get_by_text("You have changed this answer or added a file since the council asked").is_visible()
    click(employer, employer.get_by_role("link", name="Add or see the files for 1.1"), "cr-bea-evidence")
    hours = tmp_path / "payroll-with-hours.pdf"
    hours.write_bytes(pdf_upload("payroll-with-hours.pdf", "Hours and rates, April").read())
    employer.get_by_label("Upload a file").set_input_files(str(hours))
    employer.get_by_label("Describe the file").fill("Payroll summary with hours worked, April")
    click(employer, employer.get_by_role("button", name="Upload file"), "cr-bea-evidence-added")
    assert employer.get_by_text("payroll-with-hours.pdf has been added").is_visible()
    assert employer.get_by_role("link", name="payroll-summary.pdf").is_visible(), "the earlier file stays"

    click(employer, employer.get_by_role("link", name="Go to your task list"), "cr-bea-task-list-done")
    click(employer, employer.get_by_role("link", name="Check your answers and submit"), "cr-bea-check")
    assert employer.get_by_text("What the council asked you to change").is_visible()
    assert employer.get_by_text(QUERY).is_visible()
    employer.get_by_label("Your full name").fill("Bea Baker")
    employer.get_by_label("Your role in the organisation").fill("Owner")
    click(employer, employer.get_by_role("button", name="Accept and submit"), "cr-bea-resubmitted")
    assert employer.get_by_role("heading", name=re.compile("Application submitted")).is_visible()
    application.refresh_from_db()
    assert (application.status, application.submission_round) == (ApplicationStatus.SUBMITTED, 2)

    # --- Olive takes the resubmitted case back, sees the new file, verifies everything and recommends ----
    go(page, case_url, "cr-olive-resubmitted")
    assert criterion_section(page, "pay.direct").get_by_text("Added in submission 2:").is_visible()
    assert criterion_section(page, "pay.direct").get_by_role("link", name="payroll-with-hours.pdf").is_visible()
    click(page, page.get_by_role("button", name="Take this case"), "cr-olive-taken-again")
    for code in codes:
        mark(page, code, "Verified", f"cr-olive-round-2-{code}")
    recommend = page.locator("form", has=page.get_by_role("button", name="Recommend", exact=True))
    assert recommend.get_by_label("Champion").is_checked(), "the level the verified answers reach"
    click(page, page.get_by_role("button", name="Recommend", exact=True), "cr-olive-recommended")
    assert page.get_by_text("Level recommended. Another officer will approve or reject it.").is_visible()
    assert page.get_by_text("You recommended this case, so another officer must approve or reject it").is_visible()

    # --- Oscar signs in, finds the recommended case and approves it ---------------------------------------
    second = person()
    sign_in(second, oscar.email, "cr-oscar", totp_secret=oscar_secret)
    row = second.locator("tr", has_text="Golden Crust Bakery Ltd")
    assert row.get_by_text("Recommended, awaiting approval").is_visible()
    click(second, row.get_by_role("link", name=re.compile("View")), "cr-oscar-case")
    assert second.get_by_role("heading", name="Approve at Champion").is_visible()
    second.get_by_label("Note for the record").fill("Agreed: the payroll evidence now shows hours.")
    click(second, second.get_by_role("button", name="Approve", exact=True), "cr-oscar-approved")
    assert second.get_by_text("Approved. The accreditation is waiting for its fee.").is_visible()

    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert (application.recommended_by, application.decided_by) == (olive, oscar)
    accreditation = Accreditation.objects.get(application=application)
    assert (accreditation.status, accreditation.level_code) == (AccreditationStatus.AWAITING_FEE, "champion")
    assert CriterionReview.objects.filter(application=application, submission_round=1, outcome="query").count() == 1
    assert Evidence.objects.filter(application=application, criterion__code="pay.direct").count() == 2

    # --- Bea sees the approval -----------------------------------------------------------------------------
    go(employer, "/employer/", "cr-bea-dashboard-approved")
    assert employer.get_by_text("Approved by Oscar Officer").first.is_visible()
    click(employer, employer.get_by_role("link", name=re.compile("View your application")).first, "cr-bea-approved")
    assert employer.locator(".govuk-tag", has_text="Approved").first.is_visible()
