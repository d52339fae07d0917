"""An employer completes the self-assessment in a browser: answers, evidence (one file refused), check, submit."""

import io
import re
from datetime import date

import pytest
from reportlab.pdfgen import canvas

from accreditation.models import Application, ApplicationStatus, Evidence
from tests.factories import PASSWORD, OwnerMembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

NEXT_YEAR = str(date.today().year + 1)


def pdf_bytes(text: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, text)
    pdf.save()
    return buffer.getvalue()


def criterion(page, text_start: str):
    """The fieldset of the criterion whose text starts with `text_start`."""
    return page.locator("fieldset.govuk-fieldset").filter(
        has=page.locator("legend", has_text=re.compile(re.escape(text_start)))
    )


def answer_yes(page, text_start: str, explanation: str):
    fieldset = criterion(page, text_start)
    fieldset.get_by_label("Yes, we do this").check()
    fieldset.get_by_label("Explain how you do this").fill(explanation)


def answer_no(page, text_start: str):
    criterion(page, text_start).get_by_label("No", exact=True).check()


def answer_not_yet(page, text_start: str, plan: str):
    fieldset = criterion(page, text_start)
    fieldset.get_by_label("Not yet").check()
    fieldset.get_by_label("Your action plan").fill(plan)
    fieldset.get_by_label("Day").fill("1")
    fieldset.get_by_label("Month").fill("9")
    fieldset.get_by_label("Year").fill(NEXT_YEAR)


def save_and_continue(page, a11y, label):
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    a11y.check(label)


def upload(page, a11y, tmp_path, name, label):
    """On an evidence page: upload a real PDF called `name`, then continue."""
    path = tmp_path / name
    path.write_bytes(pdf_bytes(name))
    page.get_by_label("Upload a file").set_input_files(str(path))
    page.get_by_label("Describe the file").fill(f"Evidence: {name}")
    page.get_by_role("button", name="Upload file").click()
    page.wait_for_load_state()
    a11y.check(f"{label}-added")
    assert page.get_by_text(name).first.is_visible()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def test_complete_self_assessment_with_evidence_and_submit(page, a11y, charter_edition, tmp_path, evidence_storage):
    """From the dashboard to "Application submitted", with a refused upload and an error summary on the way."""
    membership = OwnerMembershipFactory(organisation__employee_count=12, user__full_name="Bea Baker")
    page.goto("/accounts/login/")
    a11y.check("sa-login")
    page.get_by_label("Email address").fill(membership.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/employer/$"))
    a11y.check("sa-dashboard")

    page.get_by_role("button", name="Start your application").click()
    page.wait_for_load_state()
    a11y.check("sa-task-list-new")
    application = Application.objects.get()
    assert page.locator(".govuk-task-list").first.is_visible()

    # 1. Pay: Yes, except two "Not yet" answers with action plans.
    page.get_by_role("link", name="Pay the real Living Wage").click()
    page.wait_for_load_state()
    a11y.check("sa-pay")
    answer_yes(page, "Every directly employed worker", "Our lowest rate is £13.45 an hour, above the Living Wage.")
    answer_not_yet(page, "Regular third-party contracted staff", "Cleaning contract renews in August.")
    answer_yes(page, "You raise pay to each new real Living Wage rate", "We uplift every April.")
    answer_not_yet(page, "Your organisation holds Living Wage Foundation", "Applying to the Foundation this spring.")
    save_and_continue(page, a11y, "sa-evidence-pay-direct")

    # The evidence page for 1.1: a file that lies about its type is refused and leaves nothing behind.
    fake = tmp_path / "payroll.pdf"
    fake.write_text("<html><script>alert(1)</script></html>")
    page.get_by_label("Upload a file").set_input_files(str(fake))
    page.get_by_label("Describe the file").fill("Payroll summary, March")
    page.get_by_role("button", name="Upload file").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-summary").get_by_text(re.compile("not a PDF")).is_visible()
    a11y.check("sa-evidence-refused")
    assert not Evidence.objects.exists()
    assert not [p for p in evidence_storage.rglob("*") if p.is_file()], "a refused file left bytes behind"
    upload(page, a11y, tmp_path, "payroll-march.pdf", "sa-evidence-pay-direct")
    a11y.check("sa-hours")

    # 2. Hours and 3. Fair: Yes to all (both mandatory).
    answer_yes(page, "No one is on a zero-hours contract", "Every contract states guaranteed hours; reviewed in May.")
    answer_yes(page, "Staff get at least four weeks", "Rotas go out six weeks ahead.")
    save_and_continue(page, a11y, "sa-evidence-hours")
    upload(page, a11y, tmp_path, "contracts-policy.pdf", "sa-evidence-hours")
    a11y.check("sa-fair")
    answer_yes(page, "You do not dismiss and re-engage", "Changes are agreed after consultation.")
    answer_yes(page, "Your organisation, and anyone acting for it", "We never use such lists.")
    save_and_continue(page, a11y, "sa-voice")

    # Optional commitments: three met (skills, wellbeing, local), two not (voice, inclusion).
    answer_no(page, "You recognise an independent trade union")
    answer_no(page, "Staff have a regular way to raise issues")
    save_and_continue(page, a11y, "sa-skills")
    answer_yes(page, "You offer apprenticeships", "Two apprentice bakers a year.")
    answer_yes(page, "Every employee has a development plan", "Annual plans with paid training time.")
    save_and_continue(page, a11y, "sa-inclusion")
    answer_no(page, "Your recruitment is inclusive")
    save_and_continue(page, a11y, "sa-wellbeing")
    answer_yes(page, "Staff can ask for flexible working", "From day one, in the handbook.")
    answer_yes(page, "Sick pay is above the statutory minimum", "Full pay for four weeks.")
    save_and_continue(page, a11y, "sa-local")
    answer_yes(page, "You buy from local and social-value suppliers", "Flour from a Norfolk mill; 14-day terms.")
    answer_yes(page, "You advertise jobs locally", "We work with City College Norwich.")
    save_and_continue(page, a11y, "sa-after-last-commitment")

    # Submitting now is refused: "Not yet" in Pay (mandatory) leaves the provisional level below Supporter.
    page.goto(f"/employer/applications/{application.pk}/check-your-answers/")
    a11y.check("sa-check-answers")
    page.get_by_label("Your full name").fill("Bea Baker")
    page.get_by_label("Your role in the organisation").fill("Owner")
    page.get_by_role("button", name="Accept and submit").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert summary.get_by_role("link").count() >= 1
    a11y.check("sa-check-answers-gaps")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT

    # The employer fixes Pay: both now Yes, each with its evidence.
    page.goto(f"/employer/applications/{application.pk}/commitments/pay/")
    a11y.check("sa-pay-again")
    answer_yes(page, "Regular third-party contracted staff", "Our cleaners are paid the Living Wage.")
    answer_yes(page, "Your organisation holds Living Wage Foundation", "Applied in March.")
    save_and_continue(page, a11y, "sa-evidence-contractors")
    upload(page, a11y, tmp_path, "service-contracts.pdf", "sa-evidence-contractors")
    a11y.check("sa-evidence-lwf")
    upload(page, a11y, tmp_path, "lwf-confirmation.pdf", "sa-evidence-lwf")
    a11y.check("sa-after-pay-evidence")

    # Check answers again and submit.
    page.goto(f"/employer/applications/{application.pk}/check-your-answers/")
    a11y.check("sa-check-answers-complete")
    assert page.get_by_text("Accredited Employer").first.is_visible()
    page.get_by_label("Your full name").fill("Bea Baker")
    page.get_by_label("Your role in the organisation").fill("Owner")
    page.get_by_role("button", name="Accept and submit").click()
    page.wait_for_load_state()
    a11y.check("sa-submitted")
    assert page.get_by_role("heading", name=re.compile("Application submitted")).is_visible()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.provisional_level_code == "accredited"
    assert Evidence.objects.filter(application=application).count() == 4
    assert len([p for p in evidence_storage.rglob("*") if p.is_file()]) == 4

    # The dashboard says so in plain words.
    page.goto("/employer/")
    a11y.check("sa-dashboard-submitted")
    assert page.get_by_text("Submitted").first.is_visible()
