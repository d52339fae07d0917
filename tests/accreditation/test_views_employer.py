"""accreditation.views_employer: who may use each page, what each step shows and does, and bad input refused."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, reverse
from django.utils import timezone

from accreditation import services, urls_employer
from accreditation.models import Answer, AnswerRevision, Application, ApplicationStatus, CriterionReview, Evidence
from audit.models import AuditEvent
from charter.levels import AnswerChoice
from tests.accreditation.files import EICAR, docx_bytes, pdf_bytes, png_bytes
from tests.accreditation.helpers import (
    add_evidence,
    answer,
    complete,
    criterion,
    force_status,
    start_application,
    submit,
)
from tests.accreditation.review_helpers import make_officer, query, recommend, take, verify, verify_all
from tests.factories import OrganisationFactory, OwnerMembershipFactory

OFFICER_REFUSAL = "This part of the service is for employers"
NOW = timezone.make_aware(datetime.datetime(2027, 3, 3, 10, 42))


@pytest.fixture(autouse=True)
def now():
    """The tests run on 3 March 2027 at 10:42 (the clock moves on from there)."""
    with time_machine.travel(NOW, tick=True):
        yield


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner):
    return signed_in(owner)


@pytest.fixture
def member_client(member):
    return signed_in(member)


@pytest.fixture
def outsider_client(outsider):
    return signed_in(outsider)


def body(response) -> str:
    return response.content.decode()


def stored_files(folder) -> list:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def error_summary(response) -> list[tuple[str, str]]:
    """The error summary's items as (text, link)."""
    html = body(response)
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert match, "no error summary on the page"
    items = re.findall(r'<li>(?:<a href="([^"]*)">)?(.*?)(?:</a>)?</li>', match.group(0), re.S)
    return [(text.strip(), href) for href, text in items]


# --- every URL of the namespace, with an application's real ids --------------------------------------


def url_kwargs(application, evidence) -> dict:
    """A value for every URL parameter in the namespace, taken from `application` and its file."""
    return {"pk": application.pk, "code": "pay.direct", "evidence_pk": evidence.pk}


def commitment_code_for(name: str) -> str:
    return "pay" if name == "commitment" else "pay.direct"


def all_urls(application, evidence) -> dict[str, str]:
    """Every URL pattern of the applications namespace, filled in with `application`'s ids."""
    urls = {}
    values = url_kwargs(application, evidence)
    for pattern in urls_employer.urlpatterns:
        assert isinstance(pattern, URLPattern)
        kwargs = {name: values[name] for name in pattern.pattern.converters}
        if "code" in kwargs:
            kwargs["code"] = commitment_code_for(pattern.name)
        urls[pattern.name] = reverse(f"applications:{pattern.name}", kwargs=kwargs)
    return urls


ID_PAGES = [p.name for p in urls_employer.urlpatterns if p.pattern.converters]
ALL_PAGES = [p.name for p in urls_employer.urlpatterns]


@pytest.fixture
def evidence(application, owner):
    return add_evidence(application, owner, "pay.direct")


@pytest.fixture
def urls(application, evidence):
    return all_urls(application, evidence)


def test_every_url_is_plain_english_under_employer_applications(urls):
    """Every page lives under /employer/applications/, in lower-case kebab-case words."""
    for url in urls.values():
        assert url.startswith("/employer/applications/")
        words = [part for part in url.split("/") if part and not part.isdigit() and "." not in part and part != "pay"]
        assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", word) for word in words), url


# --- who may use the pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("page", ALL_PAGES)
def test_anonymous_people_are_sent_to_sign_in(client, urls, page):
    """Every page sends someone not signed in to sign in first, and back afterwards."""
    response = client.post(urls[page]) if page == "start" else client.get(urls[page])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("page", [p for p in ALL_PAGES if p != "evidence_download"])
def test_officers_are_refused_the_employer_pages(officer_client, urls, page):
    """Officers are not employer users: every page but the download refuses them, changing nothing."""
    response = officer_client.post(urls[page]) if page == "start" else officer_client.get(urls[page])
    assert response.status_code == 403
    assert OFFICER_REFUSAL in body(response)
    response = officer_client.post(urls[page], {"declaration_name": "x", "declaration_role": "y", "reason": "z"})
    assert response.status_code in (403, 405)
    assert Application.objects.get().status == ApplicationStatus.DRAFT


def test_officers_can_download_evidence(officer_client, urls, evidence):
    """An officer (with two-factor) can download any application's files, for the review."""
    response = officer_client.get(urls["evidence_download"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == evidence.file.open("rb").read()


def test_officers_without_two_factor_cannot_download(officer_without_2fa_client, urls):
    """The two-factor rule comes first, for the download too."""
    response = officer_without_2fa_client.get(urls["evidence_download"])
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("page", ID_PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organisation_gets_404_for_every_url(outsider_client, urls, page, method, evidence_storage):
    """A user of organisation B gets 404 for each of A's URLs, read or write, and nothing changes."""
    files_before = stored_files(evidence_storage)
    response = getattr(outsider_client, method)(urls[page])
    assert response.status_code == 404
    assert Application.objects.get().status == ApplicationStatus.DRAFT
    assert Evidence.objects.count() == 1
    assert stored_files(evidence_storage) == files_before


def test_the_404_pages_cover_every_pattern(urls):
    """The loop above covers every URL pattern in the namespace that takes an id."""
    assert set(ID_PAGES) == set(urls) - {"start"}
    assert len(ID_PAGES) == len(urls_employer.urlpatterns) - 1


@pytest.mark.parametrize("page", ID_PAGES)
def test_guessing_ids_finds_nothing_of_another_organisation(outsider_client, outsider, application, evidence, page):
    """Guessing ids gives 404 too: unknown ids, the next ids, ids past 64 bits, another application's file."""
    other = start_application(organisation=outsider.organisations.get(), actor=outsider)
    other_file = add_evidence(other, outsider, "pay.direct")
    values = url_kwargs(application, evidence)
    for pk, evidence_pk in [(999999, evidence.pk), (application.pk + 1000, 424242), (other.pk, evidence.pk)]:
        pattern = next(p for p in urls_employer.urlpatterns if p.name == page)
        kwargs = {
            name: {"pk": pk, "evidence_pk": evidence_pk, "code": values["code"]}[name]
            for name in pattern.pattern.converters
        }
        if "code" in kwargs:
            kwargs["code"] = commitment_code_for(page)
        response = outsider_client.get(reverse(f"applications:{page}", kwargs=kwargs))
        if pk == other.pk and "evidence_pk" not in kwargs:
            # Their own application: a page, or a redirect within it (a draft's detail goes to its task list).
            assert response.status_code in (200, 302), page
            if response.status_code == 302:
                assert response["Location"].startswith(f"/employer/applications/{other.pk}/"), page
        else:
            assert response.status_code == 404, (page, pk, evidence_pk)
    assert outsider_client.get(f"/employer/applications/{'9' * 19}/").status_code == 404
    assert other_file.pk != evidence.pk


def test_a_file_is_reached_only_through_its_own_application(owner_client, owner, organisation, application, evidence):
    """The application id in the URL must be the file's: another of your applications with the file's id is a 404."""
    force_status(application, ApplicationStatus.WITHDRAWN)
    second = start_application(organisation=organisation, actor=owner)
    url = reverse("applications:evidence_download", kwargs={"pk": second.pk, "evidence_pk": evidence.pk})
    assert owner_client.get(url).status_code == 404


@pytest.mark.parametrize("page", ["task_list", "detail", "commitment", "evidence", "check_answers", "withdraw"])
def test_the_owner_and_a_member_can_use_every_page(owner_client, member_client, urls, page):
    """Both the owner and a member of the organisation can see each step."""
    for user_client in (owner_client, member_client):
        assert user_client.get(urls[page]).status_code == 200


def test_every_change_needs_the_csrf_token(owner, urls):
    """Every page that changes something is a POST protected against cross-site request forgery."""
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    for page in ["start", "commitment", "evidence", "evidence_remove", "check_answers", "withdraw"]:
        assert strict.post(urls[page]).status_code == 403, page
    assert Application.objects.get().status == ApplicationStatus.DRAFT
    assert Evidence.objects.count() == 1


# --- starting -------------------------------------------------------------------------------------------


def test_starting_an_application_goes_to_its_task_list(charter_edition, organisation, owner):
    """The dashboard's button starts the application and opens its task list."""
    response = signed_in(owner).post(reverse("applications:start"))
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:task_list", kwargs={"pk": application.pk})
    assert application.organisation == organisation and application.created_by == owner


def test_start_is_post_only(charter_edition, owner_client):
    """A GET does not start anything."""
    assert owner_client.get(reverse("applications:start")).status_code == 405
    assert not Application.objects.exists()


def test_a_second_start_says_why_on_the_dashboard(application, member_client):
    """With an application open, starting another returns to the dashboard with the reason."""
    response = member_client.post(reverse("applications:start"), follow=True)
    assert "already has an application in progress" in body(response)
    assert Application.objects.count() == 1


def test_without_a_charter_start_says_why(owner_client, organisation):
    """No edition loaded: a clear message, nothing started."""
    response = owner_client.post(reverse("applications:start"), follow=True)
    assert "The charter has not been published yet" in body(response)
    assert not Application.objects.exists()


def test_someone_without_an_organisation_is_sent_to_add_one(charter_edition, db):
    """A signed-in employer user with no organisation goes to the dashboard, which asks for one."""
    from tests.factories import UserFactory

    response = signed_in(UserFactory()).post(reverse("applications:start"))
    assert response["Location"] == reverse("employers:dashboard")
    assert not Application.objects.exists()


# --- the task list --------------------------------------------------------------------------------------


def test_the_task_list_shows_each_commitment_with_its_status(owner_client, application, owner, urls):
    """One task per commitment with its status tag; submitting cannot start until all are complete."""
    complete(application, owner, except_codes={"hours.notice"})
    html = body(owner_client.get(urls["task_list"]))
    assert html.count('class="govuk-task-list__item govuk-task-list__item--with-link"') == 8
    assert re.search(r"Offer secure hours</a>.*?In progress", html, re.S)
    assert re.search(r"Pay the real Living Wage</a>.*?task-pay-status\">\s*Completed", html, re.S)
    assert "Cannot start yet" in html
    assert "You have completed 7 of 8 commitments" in html
    assert "Your provisional level, from your answers so far: <strong>Below Supporter</strong>" in html


def test_a_new_task_list_says_not_started(owner_client, application):
    """A fresh application: every task Not started, level below Supporter."""
    html = body(owner_client.get(reverse("applications:task_list", kwargs={"pk": application.pk})))
    assert html.count(">Not started</strong>") == 8
    assert "<strong>Below Supporter</strong>" in html


def test_a_file_without_an_answer_makes_a_task_in_progress(owner_client, application, evidence, urls):
    """Adding a file is starting the task."""
    assert re.search(r"Pay the real Living Wage</a>.*?In progress", body(owner_client.get(urls["task_list"])), re.S)


def test_a_yes_without_its_file_keeps_the_task_in_progress(owner_client, application, owner):
    """Completed needs every applicable criterion answered and the files a Yes asks for."""
    for code in ["pay.direct", "pay.contractors", "pay.uplift", "pay.lwf"]:
        answer(application, owner, code, AnswerChoice.NO if code != "pay.uplift" else AnswerChoice.YES)
    answer(application, owner, "pay.direct", AnswerChoice.YES)
    html = body(owner_client.get(reverse("applications:task_list", kwargs={"pk": application.pk})))
    assert re.search(r"Pay the real Living Wage</a>.*?In progress", html, re.S)


def test_when_every_task_is_complete_check_and_submit_opens(owner_client, application, owner, urls):
    """The last task links to check your answers once every commitment is complete."""
    complete(application, owner)
    html = body(owner_client.get(urls["task_list"]))
    assert f'href="{urls["check_answers"]}"' in html
    assert "Cannot start yet" not in html
    assert "Application complete" in html


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_task_list_reads_a_fixed_number_of_queries(owner_client, application, owner, urls):
    """The number of queries does not grow with answers or files."""
    answer(application, owner, "pay.uplift")
    few = query_count(owner_client, urls["task_list"])
    complete(application, owner)
    for _ in range(3):
        add_evidence(application, owner, "pay.lwf")
    assert query_count(owner_client, urls["task_list"]) == few
    assert few <= 15


# --- a commitment's page --------------------------------------------------------------------------------


def post_answers(client, application, code, answers: dict, *, action="continue", versions=None):
    """POST a commitment page: `answers` maps criterion codes to their fields (response, explanation...)."""
    data = {"action": action}
    for criterion_code, fields in answers.items():
        item = criterion(application, criterion_code)
        prefix = f"criterion-{item.pk}"
        current = Answer.objects.filter(application=application, criterion=item).first()
        version = (versions or {}).get(criterion_code, current.version if current else 0)
        data[f"{prefix}-version"] = str(version)
        for name, value in fields.items():
            if name == "target_date":
                for part, part_value in zip(("day", "month", "year"), value, strict=True):
                    data[f"{prefix}-target_date_{part}"] = part_value
            else:
                data[f"{prefix}-{name}"] = value
    return client.post(reverse("applications:commitment", kwargs={"pk": application.pk, "code": code}), data)


def test_a_commitment_page_asks_each_applicable_criterion(owner_client, application, urls):
    """Criterion text, guidance, the evidence asked for, and Not yet only where the criterion allows it."""
    html = body(owner_client.get(urls["commitment"]))
    assert html.count('class="govuk-fieldset"') >= 4
    assert "1.1 Every directly employed worker aged 18 or over" in html
    assert "Include part-time, temporary and seasonal staff" in html
    assert "If you answer Yes, you will need to upload: A payroll summary" in html
    direct, contractors = criterion(application, "pay.direct"), criterion(application, "pay.contractors")
    assert f'name="criterion-{direct.pk}-response" type="radio" value="not_yet"' not in html
    assert f'name="criterion-{contractors.pk}-response" type="radio" value="not_yet"' in html
    assert 'data-reveals="conditional-' in html and "govuk-radios__conditional--hidden" in html
    assert "Save and continue" in html and "Save and come back later" in html


def test_criteria_that_do_not_apply_are_not_asked(owner_client, application):
    """A 14-person organisation is not asked about the gender pay gap (250 or more)."""
    html = body(
        owner_client.get(reverse("applications:commitment", kwargs={"pk": application.pk, "code": "inclusion"}))
    )
    assert "Your recruitment is inclusive" in html
    assert "gender pay gap" not in html


def test_an_unknown_commitment_is_a_404(owner_client, application):
    """Only the edition's commitment codes are pages."""
    url = reverse("applications:commitment", kwargs={"pk": application.pk, "code": "nonsense"})
    assert owner_client.get(url).status_code == 404


def test_save_and_continue_saves_and_goes_to_the_next_commitment(owner_client, application, owner):
    """Answers are saved (with a revision and an audit row) and the next commitment opens."""
    response = post_answers(
        owner_client,
        application,
        "hours",
        {
            "hours.no_zero_hours": {"response": "no"},
            "hours.notice": {"response": "yes", "explanation": "Four weeks' rota."},
        },
    )
    assert response["Location"] == reverse("applications:commitment", kwargs={"pk": application.pk, "code": "fair"})
    assert dict(Answer.objects.values_list("criterion__code", "response")) == {
        "hours.no_zero_hours": "no",
        "hours.notice": "yes",
    }
    assert AnswerRevision.objects.count() == 2
    assert AuditEvent.objects.filter(action="answer.save").count() == 2


def test_save_and_come_back_later_returns_to_the_task_list(owner_client, application):
    """The second button saves and goes back to the task list with a message."""
    response = post_answers(owner_client, application, "hours", {"hours.notice": {"response": "no"}}, action="later")
    assert response["Location"] == reverse("applications:task_list", kwargs={"pk": application.pk})
    assert "Your answers have been saved" in body(owner_client.get(response["Location"]))
    assert Answer.objects.count() == 1


def test_part_of_a_page_can_be_saved(owner_client, application):
    """Unanswered criteria are left unanswered: saving part of a commitment is allowed."""
    response = post_answers(
        owner_client, application, "pay", {"pay.uplift": {"response": "yes", "explanation": "Each May."}}
    )
    assert response.status_code == 302
    assert list(Answer.objects.values_list("criterion__code", flat=True)) == ["pay.uplift"]


def test_a_yes_that_needs_a_file_goes_on_to_its_evidence_page(owner_client, application):
    """After Yes answers that ask for evidence, the first one's files page opens; its Continue goes to the next."""
    response = post_answers(
        owner_client,
        application,
        "pay",
        {
            "pay.direct": {"response": "yes", "explanation": "£12.60."},
            "pay.lwf": {"response": "yes", "explanation": "Licensed."},
        },
    )
    evidence_page = reverse("applications:evidence", kwargs={"pk": application.pk, "code": "pay.direct"})
    assert response["Location"] == evidence_page
    html = body(owner_client.get(evidence_page))
    assert "Now add the evidence for 1.1" in html
    lwf_page = reverse("applications:evidence", kwargs={"pk": application.pk, "code": "pay.lwf"})
    assert f'<a href="{lwf_page}" role="button"' in html  # Continue: the other file this commitment needs
    html = body(owner_client.get(lwf_page))
    hours = reverse("applications:commitment", kwargs={"pk": application.pk, "code": "hours"})
    assert f'<a href="{hours}" role="button"' in html  # then on to the next commitment


def test_the_task_list_says_which_files_are_still_needed(owner_client, application, owner):
    """A commitment with Yes answers still missing their files says which, in its hint."""
    answer(application, owner, "pay.direct")
    answer(application, owner, "pay.lwf")
    html = body(owner_client.get(reverse("applications:task_list", kwargs={"pk": application.pk})))
    assert "2 of 4 answered. Add the evidence for 1.1 and 1.4" in html


def test_the_last_commitment_goes_back_to_the_task_list(owner_client, application):
    """After the last commitment, the task list."""
    response = post_answers(owner_client, application, "local", {"local.suppliers": {"response": "no"}})
    assert response["Location"] == reverse("applications:task_list", kwargs={"pk": application.pk})


def test_a_colleague_sees_the_same_draft(member_client, application, owner):
    """What the owner saved, the member sees checked and filled in."""
    answer(application, owner, "hours.notice", AnswerChoice.YES, explanation="Rotas four weeks ahead.")
    html = body(member_client.get(reverse("applications:commitment", kwargs={"pk": application.pk, "code": "hours"})))
    notice = criterion(application, "hours.notice")
    assert (
        f'id="id_criterion-{notice.pk}-response_0" name="criterion-{notice.pk}-response" '
        'type="radio" value="yes" checked' in html
    )
    assert "Rotas four weeks ahead." in html
    assert f'name="criterion-{notice.pk}-version" value="1"' in html


def test_a_not_yet_with_a_plan_and_a_date_is_saved(owner_client, application):
    """Not yet with its plan and a GOV.UK date (day, month, year)."""
    response = post_answers(
        owner_client,
        application,
        "pay",
        {"pay.contractors": {"response": "not_yet", "action_plan": "At renewal.", "target_date": ("1", "9", "2027")}},
    )
    assert response.status_code == 302
    saved = Answer.objects.get()
    assert (saved.response, saved.target_date) == ("not_yet", datetime.date(2027, 9, 1))


def test_without_javascript_fields_for_other_answers_are_ignored(owner_client, application):
    """A Yes posted with a half-typed plan and a nonsense date (all shown without JavaScript) saves the Yes only."""
    response = post_answers(
        owner_client,
        application,
        "pay",
        {
            "pay.contractors": {
                "response": "yes",
                "explanation": "All our contractors pay it.",
                "action_plan": "<script>x</script>",
                "target_date": ("99", "99", "x"),
            }
        },
    )
    assert response.status_code == 302
    saved = Answer.objects.get()
    assert (saved.response, saved.action_plan, saved.target_date) == ("yes", "", None)


def assert_refused(response, message, *, field_id=None):
    """The page is shown again with the message in the error summary (linking to the field) and at the field."""
    assert response.status_code == 200
    assert body(response).count(message) >= 2, message
    assert "<title>Error: " in body(response)
    items = error_summary(response)
    assert message in [text for text, _ in items]
    if field_id:
        assert (message, f"#{field_id}") in items
    assert not Answer.objects.exists()
    assert not AuditEvent.objects.filter(action="answer.save").exists()


def test_a_yes_needs_an_explanation(owner_client, application):
    """Yes without an explanation: refused with a message at the field; nothing saved."""
    item = criterion(application, "pay.uplift")
    response = post_answers(owner_client, application, "pay", {"pay.uplift": {"response": "yes", "explanation": ""}})
    assert_refused(response, "Explain how your organisation does this", field_id=f"id_criterion-{item.pk}-explanation")


def test_a_10000_character_explanation_is_refused(owner_client, application):
    """Huge input: a clear limit, nothing saved."""
    response = post_answers(
        owner_client, application, "pay", {"pay.uplift": {"response": "yes", "explanation": "x" * 10_000}}
    )
    assert_refused(response, "Your explanation must be 5,000 characters or fewer")


@pytest.mark.parametrize("field", ["explanation", "action_plan"])
def test_a_script_in_a_text_field_is_refused(owner_client, application, field):
    """Markup in free text is refused with a message; nothing is saved."""
    fields = {"response": "yes", "explanation": "<script>alert(document.cookie)</script>"}
    if field == "action_plan":
        fields = {
            "response": "not_yet",
            "action_plan": "<img src=x onerror=alert(1)>",
            "target_date": ("1", "9", "2027"),
        }
    response = post_answers(owner_client, application, "pay", {"pay.contractors": fields})
    assert_refused(response, "Enter text without HTML tags or scripts (remove any &lt; or &gt; signs around words)")
    assert "<script>alert(document.cookie)</script>" not in body(response)


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("1", "1", "2027"), "The target date must be in the future"),
        (("31", "2", "2027"), "Target date must be a real date"),
        (("1", "13", "2027"), "Target date must be a real date"),
        (("1", "9", "27"), "Target date must be a real date"),
        (("one", "9", "2027"), "Target date must be a real date"),
        (("1", "", "2027"), "Target date must include a month"),
        (("", "", "2027"), "Target date must include a day and a month"),
        (("", "", ""), "Enter the date by which you will do this"),
        (("4", "3", "2029"), "The target date must be within 2 years, by 3 March 2029"),
    ],
)
def test_a_bad_target_date_is_refused(owner_client, application, parts, message):
    """Past, impossible, incomplete, missing or too far: each with the GOV.UK message; nothing saved."""
    item = criterion(application, "pay.contractors")
    response = post_answers(
        owner_client,
        application,
        "pay",
        {"pay.contractors": {"response": "not_yet", "action_plan": "Plan.", "target_date": parts}},
    )
    assert_refused(response, message, field_id=f"id_criterion-{item.pk}-target_date_0")
    assert "govuk-input--error" in body(response)


def test_a_date_given_with_a_month_name_is_understood(owner_client, application):
    """GOV.UK recommends accepting month names: "sept" is September."""
    post_answers(
        owner_client,
        application,
        "pay",
        {"pay.contractors": {"response": "not_yet", "action_plan": "Plan.", "target_date": ("1", "sept", "2027")}},
    )
    assert Answer.objects.get().target_date == datetime.date(2027, 9, 1)


def test_a_forged_not_yet_is_refused(owner_client, application):
    """'Not yet' posted for a criterion that does not allow it: a clear error, nothing saved."""
    response = post_answers(
        owner_client,
        application,
        "pay",
        {"pay.direct": {"response": "not_yet", "action_plan": "Plan.", "target_date": ("1", "9", "2027")}},
    )
    assert_refused(response, "This criterion does not accept &#x27;Not yet&#x27;. Select Yes or No")


def test_an_unknown_response_is_refused(owner_client, application):
    """A response that is not Yes, Not yet or No: refused."""
    response = post_answers(owner_client, application, "pay", {"pay.uplift": {"response": "maybe"}})
    assert_refused(response, "Select Yes or No")


def test_words_typed_without_choosing_an_answer_are_not_dropped(owner_client, application):
    """An explanation with no answer chosen asks for the answer instead of losing the words."""
    response = post_answers(owner_client, application, "pay", {"pay.uplift": {"explanation": "We raise pay each May."}})
    assert_refused(response, "Select Yes or No")
    assert "We raise pay each May." in body(response)


def test_answers_for_another_commitment_or_application_are_ignored(owner_client, application, outsider):
    """Fields for criteria not on this page (another commitment's, or another application's) are not saved."""
    other = start_application(organisation=outsider.organisations.get(), actor=outsider)
    response = post_answers(
        owner_client,
        application,
        "hours",
        {"pay.direct": {"response": "no"}, "hours.notice": {"response": "no"}},
    )
    assert response.status_code == 302
    assert list(Answer.objects.values_list("application", "criterion__code")) == [(application.pk, "hours.notice")]
    assert not other.answers.exists()


def test_one_bad_answer_saves_nothing_on_the_page(owner_client, application):
    """A page with a good and a bad answer saves neither, and keeps what was typed."""
    response = post_answers(
        owner_client,
        application,
        "pay",
        {
            "pay.uplift": {"response": "yes", "explanation": "Each May."},
            "pay.lwf": {"response": "yes", "explanation": ""},
        },
    )
    assert_refused(response, "Explain how your organisation does this")
    assert "Each May." in body(response)


def test_a_stale_save_is_refused_showing_the_colleagues_answer(owner_client, application, owner, member):
    """Two tabs: the second save is refused with who changed it and when, their answer shown, nothing lost."""
    answer(application, owner, "hours.notice", AnswerChoice.NO)
    answer(application, member, "hours.notice", AnswerChoice.YES, explanation="Sam's answer: four weeks.")
    item = criterion(application, "hours.notice")
    response = post_answers(
        owner_client,
        application,
        "hours",
        {"hours.notice": {"response": "yes", "explanation": "Bea's answer: two weeks."}},
        versions={"hours.notice": 1},
    )
    assert response.status_code == 200
    html = body(response)
    message = (
        "Sam Saunders changed this answer at 10:42 while you were editing. "
        "Check their answer below and save again if you still want to change it."
    )
    assert (message, f"#criterion-{item.pk}") in error_summary(response)
    assert "Sam&#x27;s answer: four weeks." in html  # what the colleague saved
    assert "Bea&#x27;s answer: two weeks." in html  # what this person typed, still in the form
    assert f'name="criterion-{item.pk}-version" value="2"' in html
    assert Answer.objects.get().explanation == "Sam's answer: four weeks."
    # Saving again, from the page as shown, replaces it; every version stays.
    post_answers(
        owner_client,
        application,
        "hours",
        {"hours.notice": {"response": "yes", "explanation": "Bea's answer: two weeks."}},
    )
    assert Answer.objects.get().explanation == "Bea's answer: two weeks."
    assert AnswerRevision.objects.count() == 3


# --- evidence -----------------------------------------------------------------------------------------


def upload(client, application, uploaded, *, description="Payroll summary for March", code="pay.direct"):
    url = reverse("applications:evidence", kwargs={"pk": application.pk, "code": code})
    return client.post(url, {"file": uploaded, "description": description})


def test_the_evidence_page_lists_files_and_what_is_asked(owner_client, application, evidence, urls):
    """The files with name, size, description, who and when; the evidence asked for; a remove link on a draft."""
    html = body(owner_client.get(urls["evidence"]))
    assert "A payroll summary showing your lowest hourly rate of pay" in html
    assert "payroll-summary.pdf" in html and "Payroll summary, March" in html
    assert "Added by Bea Baker on 3 March 2027" in html
    assert reverse("applications:evidence_remove", kwargs={"pk": application.pk, "evidence_pk": evidence.pk}) in html
    assert 'enctype="multipart/form-data"' in html
    assert 'accept=".pdf,' in html


def test_a_file_is_uploaded_through_the_real_checks(owner_client, application, evidence_storage):
    """A real PDF passes inspect_upload, is stored, and the page says so."""
    response = upload(owner_client, application, SimpleUploadedFile("March pay.pdf", pdf_bytes(), "application/pdf"))
    assert response.status_code == 302
    item = Evidence.objects.get()
    assert (item.original_name, item.content_type, item.uploaded_by.full_name) == (
        "March pay.pdf",
        "application/pdf",
        "Bea Baker",
    )
    assert "March pay.pdf has been added" in body(owner_client.get(response["Location"]))
    assert len(stored_files(evidence_storage)) == 1


def test_other_allowed_types_are_accepted(owner_client, application):
    """A Word document and a PNG are accepted by their content."""
    upload(owner_client, application, SimpleUploadedFile("policy.docx", docx_bytes(), "application/octet-stream"))
    upload(owner_client, application, SimpleUploadedFile("licence.png", png_bytes(), "image/png"), code="pay.lwf")
    assert sorted(Evidence.objects.values_list("content_type", flat=True)) == [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/png",
    ]


REFUSALS = [
    ("too_large", "big.pdf", None, "The selected file must be smaller than 1 KB"),
    ("wrong_type", "program.exe", b"MZ\x90\x00" + b"\x00" * 200, "The selected file must be a PDF, Word (DOCX)"),
    (
        "mismatch",
        "payroll.pdf",
        b"<html><body>not a pdf</body></html>",
        "The selected file&#x27;s content is not a PDF, although its name ends .pdf",
    ),
    ("eicar", "clean.csv", EICAR + b"\n", "The selected file contains a virus and cannot be uploaded"),
    ("empty", "empty.pdf", b"", "The selected file is empty"),
]


@pytest.mark.parametrize(("case", "name", "content", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_refused_upload_shows_why_and_leaves_nothing(
    owner_client, application, evidence_storage, settings, case, name, content, message
):
    """Each refusal from the real checks is shown at the field and in the error summary; no row, no bytes."""
    if case == "too_large":
        settings.EVIDENCE_MAX_BYTES = 1024
        content = pdf_bytes("x" * 2000)
    response = upload(owner_client, application, SimpleUploadedFile(name, content, "application/pdf"))
    assert response.status_code == 200
    html = body(response)
    assert "<title>Error: " in html
    assert 'class="govuk-error-summary"' in html
    assert html.count(message) == 2  # in the summary and at the field
    assert "govuk-file-upload--error" in html
    assert not Evidence.objects.exists()
    assert stored_files(evidence_storage) == []
    assert not AuditEvent.objects.filter(action="evidence.add").exists()


def test_no_file_selected_says_so(owner_client, application):
    """Submitting the form without a file asks for one."""
    response = owner_client.post(
        reverse("applications:evidence", kwargs={"pk": application.pk, "code": "pay.direct"}), {"description": "x"}
    )
    assert [text for text, _ in error_summary(response)] == ["Select a file"]


@pytest.mark.parametrize(
    ("description", "message"),
    [
        ("", "Enter a short description of the file"),
        ("x" * 201, "The description must be 200 characters or fewer"),
        (
            "<script>alert(1)</script>",
            "Enter text without HTML tags or scripts (remove any &lt; or &gt; signs around words)",
        ),
    ],
)
def test_a_bad_description_is_refused(owner_client, application, evidence_storage, description, message):
    """The description is required, short and plain; the file is not stored."""
    response = upload(owner_client, application, SimpleUploadedFile("a.pdf", pdf_bytes()), description=description)
    assert message in [text for text, _ in error_summary(response)]
    assert stored_files(evidence_storage) == []


def test_evidence_for_a_criterion_that_does_not_apply_is_a_404(owner_client, application):
    """The pay gap criterion's page does not exist for a 14-person organisation."""
    url = reverse("applications:evidence", kwargs={"pk": application.pk, "code": "inclusion.pay_gap"})
    assert owner_client.get(url).status_code == 404
    assert owner_client.post(url, {"description": "x"}).status_code == 404


def test_removing_a_file_asks_first_then_removes_it(
    owner_client, application, evidence, urls, evidence_storage, django_capture_on_commit_callbacks
):
    """A confirmation page, then the POST removes the row and (after commit) the bytes."""
    page = owner_client.get(urls["evidence_remove"])
    assert "Are you sure you want to remove payroll-summary.pdf?" in body(page)
    assert Evidence.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(urls["evidence_remove"])
    assert response["Location"] == urls["evidence"]
    assert not Evidence.objects.exists()
    assert stored_files(evidence_storage) == []
    assert "payroll-summary.pdf has been removed" in body(owner_client.get(urls["evidence"]))


def test_while_changes_are_requested_files_are_added_but_not_removed(
    owner_client, application, evidence, urls, evidence_storage
):
    """Changes requested: no Remove links, a removal is refused with the reason; a new file goes in beside it."""
    force_status(application, ApplicationStatus.CHANGES_REQUESTED)
    html = body(owner_client.get(urls["evidence"]))
    assert urls["evidence_remove"] not in html
    assert "Files sent with your application cannot be removed" in html
    response = owner_client.post(urls["evidence_remove"], follow=True)
    assert "Files cannot be removed once an application has been submitted" in body(response)
    assert Evidence.objects.count() == 1
    upload(owner_client, application, SimpleUploadedFile("newer.pdf", pdf_bytes()))
    assert Evidence.objects.count() == 2


def test_download_streams_the_file_with_safe_headers(member_client, evidence, urls):
    """Attachment with the sanitised name, the stored type, nosniff and no caching."""
    response = member_client.get(urls["evidence_download"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="payroll-summary.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_download_names_are_sanitised_again(member_client, evidence, urls):
    """Even a name that somehow got into the row unsanitised is cleaned on the way out."""
    Evidence.objects.filter(pk=evidence.pk).update(original_name='evil"\r\nSet-Cookie: x=1.pdf')
    response = member_client.get(urls["evidence_download"])
    assert response["Content-Disposition"] == 'attachment; filename="evil Set-Cookie x1.pdf"'


def test_a_file_missing_from_storage_is_a_404(member_client, evidence, urls):
    """If the bytes are gone, a plain 404 rather than an error."""
    evidence.file.storage.delete(evidence.file.name)
    assert member_client.get(urls["evidence_download"]).status_code == 404


def test_files_of_a_submitted_application_can_still_be_downloaded(owner_client, application, owner, urls):
    """Reading stays possible after submission."""
    complete(application, owner)
    submit(application, owner)
    assert owner_client.get(urls["evidence_download"]).status_code == 200


# --- check your answers and submit ----------------------------------------------------------------------


def test_check_your_answers_shows_everything_with_change_links(owner_client, application, owner, urls):
    """Every answer and file, change links, the provisional level with reasons, the declaration, the name filled in."""
    complete(application, owner, responses={"voice.unions": AnswerChoice.NOT_YET})
    html = body(owner_client.get(urls["check_answers"]))
    assert html.count('class="govuk-summary-card"') == 8
    assert "We do this, and check it every month." in html
    assert "We will renegotiate the contract at renewal." in html
    assert "payroll-summary.pdf" in html
    voice = criterion(application, "voice.unions")
    assert (
        f"{reverse('applications:commitment', kwargs={'pk': application.pk, 'code': 'voice'})}#criterion-{voice.pk}"
        in html
    )
    assert urls["evidence"] in html
    assert "Accredited Employer" in html
    assert "Not met: &#x27;You recognise an independent…&#x27; is &#x27;Not yet&#x27;" in html
    assert "I confirm that I am authorised to make this application" in html
    assert 'value="Bea Baker"' in html
    assert "Accept and submit" in html
    assert "You cannot submit your application yet" not in html


def test_submitting_with_gaps_lists_each_with_a_link_and_changes_nothing(owner_client, application, owner, urls):
    """The error summary lists every gap, each linking to the page that fixes it; the application stays a draft."""
    complete(application, owner, except_codes={"hours.notice"})
    Evidence.objects.filter(criterion__code="pay.lwf").delete()
    response = owner_client.post(urls["check_answers"], {"declaration_name": "Bea Baker", "declaration_role": ""})
    assert response.status_code == 200
    notice = criterion(application, "hours.notice")
    pk = application.pk
    assert error_summary(response) == [
        (
            "Add evidence for 1.4: Living Wage Foundation licence or application confirmation",
            f"/employer/applications/{pk}/criteria/pay.lwf/evidence/",
        ),
        (
            "Answer 2.2: Staff get at least four weeks&#x27; notice of shifts, and are paid if a shift is…",
            f"/employer/applications/{pk}/commitments/hours/#criterion-{notice.pk}",
        ),
        ("Enter your role in the organisation", "#id_declaration_role"),
    ]
    assert "<title>Error: " in body(response)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert mail.outbox == []


def test_submitting_below_supporter_says_why(owner_client, application, owner, urls):
    """A No on a mandatory commitment: refused, with the commitment to change."""
    complete(application, owner, responses={"pay.uplift": AnswerChoice.NO})
    response = owner_client.post(urls["check_answers"], {"declaration_name": "Bea Baker", "declaration_role": "Owner"})
    [(text, href)] = error_summary(response)
    assert text.startswith("&#x27;Pay the real Living Wage&#x27; is mandatory")
    assert href == reverse("applications:commitment", kwargs={"pk": application.pk, "code": "pay"})


def test_submitting_a_complete_application(
    owner_client, application, owner, member, urls, django_capture_on_commit_callbacks
):
    """Accept and submit: submitted, the confirmation page with the reference, emails to everyone after commit."""
    complete(application, owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            urls["check_answers"], {"declaration_name": "Bea Baker", "declaration_role": "Director"}
        )
    assert response["Location"] == urls["confirmation"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert (application.declaration_name, application.declaration_role) == ("Bea Baker", "Director")
    html = body(owner_client.get(urls["confirmation"]))
    assert '<h1 class="govuk-panel__title">Application submitted</h1>' in html
    assert application.reference in html and "What happens next" in html
    assert len(mail.outbox) == 2
    assert f"http://testserver/employer/applications/{application.pk}/your-application/" in mail.outbox[0].body


def test_markup_in_the_declaration_is_refused_on_the_page(owner_client, application, owner, urls):
    """A script as the declarer's name: a message, nothing submitted."""
    complete(application, owner)
    response = owner_client.post(
        urls["check_answers"], {"declaration_name": "<script>x</script>", "declaration_role": "Boss"}
    )
    assert "Enter text without HTML tags or scripts" in error_summary(response)[0][0]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_the_confirmation_page_is_only_for_submitted_applications(owner_client, urls):
    """Before submission the confirmation URL goes back to the task list."""
    assert owner_client.get(urls["confirmation"])["Location"] == urls["task_list"]


def test_check_your_answers_reads_a_fixed_number_of_queries(owner_client, application, owner, urls):
    """The number of queries does not grow with answers or files."""
    answer(application, owner, "pay.uplift")
    few = query_count(owner_client, urls["check_answers"])
    complete(application, owner)
    for _ in range(4):
        add_evidence(application, owner, "pay.direct")
    assert query_count(owner_client, urls["check_answers"]) == few
    assert few <= 15


def test_the_read_only_view_reads_a_fixed_number_of_queries(owner_client, application, owner, urls):
    """The application's own page, timeline included, does not grow with answers or files either."""
    answer(application, owner, "pay.uplift")
    few = query_count(owner_client, urls["detail"])
    complete(application, owner)
    submit(application, owner)
    assert query_count(owner_client, urls["detail"]) == few


# --- after submission: read, never change ------------------------------------------------------------


@pytest.fixture
def submitted(application, owner, urls):
    """The application, complete and submitted (after `urls` added its first file)."""
    complete(application, owner)
    return submit(application, owner)


def test_a_submitted_application_is_read_only(owner_client, submitted, urls):
    """The task list goes to the read-only view, without change links; each edit page says it has been submitted."""
    assert owner_client.get(urls["task_list"])["Location"] == urls["detail"]
    html = body(owner_client.get(urls["detail"]))
    assert "You can read this application, but not change it" in html
    assert ">Change<" not in html
    assert "Submitted by Bea Baker" in html
    for page in ["commitment", "evidence", "check_answers"]:
        response = owner_client.get(urls[page])
        assert response.status_code == 200
        assert "This application has been submitted" in body(response)


def test_changes_posted_to_a_submitted_application_are_refused(owner_client, submitted, owner, urls, evidence_storage):
    """Posting answers, a file, a removal or a second submission changes nothing."""
    before = stored_files(evidence_storage)
    answers_before = list(Answer.objects.values_list("response", "version"))
    response = post_answers(owner_client, submitted, "pay", {"pay.uplift": {"response": "no"}})
    assert response.status_code == 409
    assert "This application has been submitted" in body(response)
    assert upload(owner_client, submitted, SimpleUploadedFile("x.pdf", pdf_bytes())).status_code == 409
    assert (
        owner_client.post(urls["check_answers"], {"declaration_name": "x", "declaration_role": "y"}).status_code == 409
    )
    owner_client.post(urls["evidence_remove"])
    assert list(Answer.objects.values_list("response", "version")) == answers_before
    assert stored_files(evidence_storage) == before
    assert AuditEvent.objects.filter(action="application.submit").count() == 1


def test_the_read_only_view_shows_the_timeline(owner_client, submitted, urls):
    """Started and submitted, with who and when; every answer change behind a details element."""
    html = body(owner_client.get(urls["detail"]))
    assert "Application started by Bea Baker" in html
    assert "Submitted by Bea Baker" in html
    assert "Every change to answers and files" in html and "Answer saved by Bea Baker" in html


# --- withdrawing ----------------------------------------------------------------------------------------


def test_withdrawing_asks_then_withdraws_with_a_reason(
    member_client, application, urls, django_capture_on_commit_callbacks
):
    """A confirmation page with an optional reason; then withdrawn, back to the dashboard, everyone emailed."""
    page = body(member_client.get(urls["withdraw"]))
    assert f"Are you sure you want to withdraw application {application.reference}?" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(urls["withdraw"], {"reason": "We are merging with another bakery."})
    assert response["Location"] == reverse("employers:dashboard")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.withdrawal_reason == "We are merging with another bakery."
    assert len(mail.outbox) == 2
    dashboard = body(member_client.get(reverse("employers:dashboard")))
    assert "Withdrawn by Sam Saunders, 3 March 2027: We are merging with another bakery." in dashboard


def test_a_bad_reason_is_refused_on_the_page(owner_client, application, urls):
    """A script as the reason: a message at the field; nothing withdrawn."""
    response = owner_client.post(urls["withdraw"], {"reason": "<script>alert(1)</script>"})
    assert "Enter text without HTML tags or scripts" in error_summary(response)[0][0]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


@pytest.mark.parametrize(
    "status", [ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN]
)
def test_after_a_decision_withdrawal_is_refused(owner_client, application, urls, status):
    """Once decided (or already withdrawn), the page says it can no longer be withdrawn, and a POST changes nothing."""
    force_status(application, status)
    assert "This application can no longer be withdrawn" in body(owner_client.get(urls["withdraw"]))
    assert owner_client.post(urls["withdraw"], {"reason": ""}).status_code == 409
    application.refresh_from_db()
    assert application.status == status and application.withdrawn_at is None


def test_a_submitted_application_can_be_withdrawn(owner_client, submitted, urls):
    """Until a decision, a submitted application can be withdrawn from its read-only page."""
    assert urls["withdraw"] in body(owner_client.get(urls["detail"]))
    owner_client.post(urls["withdraw"], {"reason": ""})
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.WITHDRAWN


def test_an_organisation_of_several_sees_only_the_application_of_each(
    db, charter_edition, owner, organisation, application
):
    """Someone in two organisations reaches both organisations' applications, and nobody else's."""
    second = OrganisationFactory(legal_name="Second Shop Ltd")
    OwnerMembershipFactory(organisation=second, user=owner)
    theirs = start_application(organisation=second, actor=owner)
    client = signed_in(owner)
    for target in (application, theirs):
        assert client.get(reverse("applications:task_list", kwargs={"pk": target.pk})).status_code == 200


# --- changes requested: the council's queries beside the criteria (issue 4 point 4) -------------------

QUERY_NOTE = "Send payslips for the lowest-paid roles, not the policy."


@pytest.fixture
def olive(db):
    """The officer who reviews the case."""
    return make_officer("Olive Officer")


def send_back(application, officer, *, queries: dict, message: str = ""):
    """The officer takes the (re)submitted case, verifies all but `queries`, queries those and sends it back."""
    application.refresh_from_db()
    if application.status == ApplicationStatus.SUBMITTED:
        take(application, officer)
    verify_all(application, officer, except_codes=set(queries))
    for code, note in queries.items():
        query(application, officer, code, note=note)
    return services.application_request_changes(
        actor=officer, application=application, note=message, base_url="http://testserver/"
    )


@pytest.fixture
def sent_back(application, owner, olive, evidence):
    """The application, complete and submitted, sent back with a query on 1.1 (pay.direct) and a message."""
    complete(application, owner)
    submit(application, owner)
    return send_back(application, olive, queries={"pay.direct": QUERY_NOTE}, message="Nearly there: one thing to fix.")


def test_the_task_list_shows_the_queries_and_which_commitment_needs_changes(owner_client, sent_back, urls):
    """Needs changes on the queried commitment, its hint naming the criterion, and each query with its note and link."""
    html = body(owner_client.get(urls["task_list"]))
    assert "The council has asked for changes" in html
    assert re.search(r"Pay the real Living Wage</a>.*?The council asked about 1\.1</div>.*?Needs changes", html, re.S)
    assert re.search(r"Offer secure hours</a>.*?task-hours-status\">\s*Completed", html, re.S)
    assert html.count(">Needs changes</strong>") == 3  # the status line, the pay task and the query
    assert "What the council asked you to change" in html
    assert "Nearly there: one thing to fix." in html
    direct = criterion(sent_back, "pay.direct")
    queries = re.search(r'<dl class="govuk-summary-list[^"]*">.*?</dl>', html[html.index('id="queries"') :], re.S)
    assert "1.1 Every directly employed worker" in queries.group(0)
    assert QUERY_NOTE in queries.group(0)
    assert f'href="{urls["commitment"]}#criterion-{direct.pk}"' in queries.group(0)
    assert queries.group(0).count("govuk-summary-list__row") == 1


def test_the_commitment_page_shows_the_query_beside_its_criterion(owner_client, sent_back, urls):
    """The note sits inside the queried criterion's fieldset, read out with it; the other criteria have none."""
    html = body(owner_client.get(urls["commitment"]))
    direct, uplift = criterion(sent_back, "pay.direct"), criterion(sent_back, "pay.uplift")
    group = re.search(rf'<div class="govuk-form-group[^"]*" id="criterion-{direct.pk}">.*?</fieldset>', html, re.S)
    assert group, "no fieldset for 1.1"
    assert f'aria-describedby="criterion-{direct.pk}-query ' in group.group(0)
    assert f'id="criterion-{direct.pk}-query"' in group.group(0)
    assert "The council asked about 1.1" in group.group(0) and QUERY_NOTE in group.group(0)
    assert "Needs changes" in group.group(0)
    assert html.count("The council asked about") == 1
    assert f"criterion-{uplift.pk}-query" not in html


def test_a_query_note_is_shown_as_plain_text_everywhere(owner_client, sent_back, urls):
    """A note with markup in it (however it got there) is escaped on every page; a plain "<" and "&" read as typed."""
    CriterionReview.objects.filter(application=sent_back, criterion__code="pay.direct").update(
        note='<script>alert("x")</script> Pay < £12.60 & more\nSecond line'
    )
    for page in ["task_list", "commitment", "check_answers"]:
        html = body(owner_client.get(urls[page]))
        assert "<script>alert" not in html, page
        escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Pay &lt; £12.60 &amp; more<br>Second line"
        assert escaped in html, page


def test_a_query_in_progress_is_not_shown_before_the_case_is_sent_back(owner_client, application, owner, olive, urls):
    """While the officer is still checking, the employer sees neither the query nor its note."""
    complete(application, owner)
    submit(application, owner)
    take(application, olive)
    query(application, olive, "pay.direct", note=QUERY_NOTE)
    verify(application, olive, "pay.uplift", note="Checked against the payroll.")
    assert owner_client.get(urls["task_list"])["Location"] == urls["detail"]
    html = body(owner_client.get(urls["detail"]))
    assert QUERY_NOTE not in html and "The council asked" not in html
    assert "Criterion queried" not in html and "Criterion verified" not in html
    assert "Checked against the payroll." not in html
    assert "Taken for checking by Olive Officer" in html


def test_the_employer_s_timeline_leaves_out_the_officers_own_steps(owner_client, application, owner, olive, urls):
    """A recommendation (and its reason) waits for the second officer: the employer's page does not show it."""
    complete(application, owner)
    submit(application, owner)
    take(application, olive)
    recommend(application, olive, level_code="supporter", reason="Lower: the contractor evidence is thin.")
    html = body(owner_client.get(urls["detail"]))
    assert "Level recommended" not in html and "the contractor evidence is thin" not in html
    assert "Being checked" in html


def test_changing_the_queried_answer_marks_the_query_changed(owner_client, sent_back, urls):
    """After the employer saves a new answer, the task is complete again and the query reads "Changed"."""
    direct = criterion(sent_back, "pay.direct")
    response = post_answers(
        owner_client,
        sent_back,
        "pay",
        {"pay.direct": {"response": "yes", "explanation": "Payslips for our two lowest-paid roles attached."}},
        action="later",
    )
    assert response["Location"] == urls["task_list"]
    html = body(owner_client.get(urls["task_list"]))
    assert re.search(r"Pay the real Living Wage</a>.*?task-pay-status\">\s*Completed", html, re.S)
    assert QUERY_NOTE in html and ">Changed</strong>" in html
    page = body(owner_client.get(urls["commitment"]))
    assert "You have changed this answer or added a file since the council asked" in page
    assert f'id="criterion-{direct.pk}-query"' in page


def test_adding_a_file_answers_an_evidence_query(owner_client, sent_back, urls, evidence_storage):
    """A new file beside the old ones also counts as acting on the query; the earlier files stay."""
    before = set(Evidence.objects.filter(application=sent_back, criterion__code="pay.direct"))
    response = upload(owner_client, sent_back, SimpleUploadedFile("payslips-april.pdf", pdf_bytes()))
    assert response.status_code == 302
    after = set(Evidence.objects.filter(application=sent_back, criterion__code="pay.direct"))
    assert before < after and len(after - before) == 1
    html = body(owner_client.get(urls["task_list"]))
    assert re.search(r"Pay the real Living Wage</a>.*?task-pay-status\">\s*Completed", html, re.S)
    assert ">Changed</strong>" in html


def test_check_your_answers_lists_the_queries_before_resubmitting(owner_client, sent_back, urls):
    """Check your answers repeats what the council asked, each with a Change link, above every answer."""
    html = body(owner_client.get(urls["check_answers"]))
    direct = criterion(sent_back, "pay.direct")
    assert "What the council asked you to change" in html
    assert html.index(QUERY_NOTE) < html.index('class="govuk-summary-card"')
    assert f'href="{urls["commitment"]}#criterion-{direct.pk}">Change<span class="govuk-visually-hidden"> your' in html
    assert "Nearly there: one thing to fix." in html


def test_resubmitting_sends_the_case_back_to_its_officer(
    owner_client, sent_back, owner, olive, urls, django_capture_on_commit_callbacks
):
    """Accept and submit again: round 2, still with the officer (who is emailed), and the queries are gone."""
    post_answers(owner_client, sent_back, "pay", {"pay.direct": {"response": "yes", "explanation": "Payslips sent."}})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            urls["check_answers"], {"declaration_name": "Bea Baker", "declaration_role": "Director"}
        )
    assert response["Location"] == urls["confirmation"]
    sent_back.refresh_from_db()
    assert (sent_back.status, sent_back.submission_round, sent_back.assigned_to) == (
        ApplicationStatus.SUBMITTED,
        2,
        olive,
    )
    assert [m for m in mail.outbox if m.to == [olive.email]]
    assert owner_client.get(urls["task_list"])["Location"] == urls["detail"]
    html = body(owner_client.get(urls["detail"]))
    assert "What the council asked you to change" not in html
    assert "Changes requested by Olive Officer" in html


def test_the_loop_repeats_with_the_new_round_s_queries_only(owner_client, sent_back, owner, olive, urls):
    """A second round of changes shows the second round's query, not the first's."""
    answer(sent_back, owner, "pay.direct", explanation="Payslips sent.")
    submit(sent_back, owner)
    send_back(sent_back, olive, queries={"hours.notice": "Send this year's rota policy."})
    html = body(owner_client.get(urls["task_list"]))
    assert "Send this year&#x27;s rota policy." in html
    assert QUERY_NOTE not in html
    assert re.search(r"Offer secure hours</a>.*?The council asked about 2\.2</div>.*?Needs changes", html, re.S)
    assert re.search(r"Pay the real Living Wage</a>.*?task-pay-status\">\s*Completed", html, re.S)
    pay = body(owner_client.get(urls["commitment"]))
    assert "The council asked about" not in pay


def test_another_organisation_never_sees_the_queries(outsider_client, sent_back, urls):
    """The queried application's pages are a 404 for anyone outside the organisation."""
    for page in ["task_list", "commitment", "check_answers"]:
        response = outsider_client.get(urls[page])
        assert response.status_code == 404
        assert QUERY_NOTE not in body(response)


def test_the_task_list_with_queries_reads_a_fixed_number_of_queries(owner_client, application, owner, olive, urls):
    """The queries add a fixed number of database queries, however many criteria are queried."""
    complete(application, owner)
    submit(application, owner)
    send_back(application, olive, queries={"pay.direct": "One."})
    one = query_count(owner_client, urls["task_list"])
    answer(application, owner, "pay.direct", explanation="Changed.")
    submit(application, owner)
    send_back(
        application, olive, queries=dict.fromkeys(["pay.direct", "hours.notice", "fair.no_fire_rehire"], "Again.")
    )
    assert query_count(owner_client, urls["task_list"]) == one
    assert one <= 18


# --- officers opening files are audited -------------------------------------------------------------


def test_an_officer_opening_a_file_is_audited(officer_client, officer, evidence, urls):
    """Each download by an officer writes an audit row on the file, naming it; the employer's timeline is untouched."""
    for _ in range(2):
        assert officer_client.get(urls["evidence_download"]).status_code == 200
    events = list(AuditEvent.objects.filter(action="evidence.download").order_by("pk"))
    assert len(events) == 2
    event = events[0]
    assert event.actor == officer and event.actor_label == officer.email
    assert event.object_id == str(evidence.pk) and event.content_type.model == "evidence"
    assert event.note == f"Opened payroll-summary.pdf (pay.direct) of application {evidence.application.reference}."
    assert not AuditEvent.objects.for_object(evidence.application).filter(action="evidence.download").exists()


def test_members_downloading_their_own_files_are_not_audited(member_client, owner_client, evidence, urls):
    """The organisation's own people open their files without an audit row."""
    assert member_client.get(urls["evidence_download"]).status_code == 200
    assert owner_client.get(urls["evidence_download"]).status_code == 200
    assert not AuditEvent.objects.filter(action="evidence.download").exists()


def test_a_refused_or_missing_download_is_not_audited(officer_client, outsider_client, evidence, urls):
    """Nothing is recorded for a file that was not served: missing from storage, or not the person's."""
    assert outsider_client.get(urls["evidence_download"]).status_code == 404
    evidence.file.storage.delete(evidence.file.name)
    assert officer_client.get(urls["evidence_download"]).status_code == 404
    assert not AuditEvent.objects.filter(action="evidence.download").exists()


# --- the decision on the application's page ------------------------------------------------------------------


def _decided(organisation, owner, *, approve: bool):
    from tests.accreditation.fee_helpers import ensure_default_fees
    from tests.accreditation.helpers import submitted_application

    ensure_default_fees()
    olive, oscar = make_officer("Olive Officer"), make_officer("Oscar Officer")
    application = submitted_application(organisation=organisation, actor=owner)
    take(application, olive)
    if approve:
        recommend(application, olive)
        services.application_approve(actor=oscar, application=application)
    else:
        verify_all(application, olive)
        services.application_recommend_rejection(actor=olive, application=application, reason="Not enough.")
        services.application_reject(
            actor=oscar,
            application=application,
            reason="Contractors are paid under £12.60 & there's no plan.",
            next_steps="Apply again once cleaners are paid the Living Wage.",
        )
    application.refresh_from_db()
    return application


def test_an_approved_application_shows_the_level_awarded_and_the_way_to_pay(charter_edition, organisation, owner):
    """The employer's page of an approved application: the awarded level, and a link to pay the fee."""
    application = _decided(organisation, owner, approve=True)
    client = Client()
    client.force_login(owner)
    html = client.get(reverse("applications:detail", kwargs={"pk": application.pk})).content.decode()
    assert f"Level awarded: <strong>{application.accreditation.level_name}</strong>" in html
    link = reverse("fees:accreditation", kwargs={"pk": application.accreditation.pk})
    assert f'href="{link}">View your accreditation and pay the fee</a>' in html
    assert "Your provisional level" not in html


def test_a_rejected_application_shows_why_and_what_next_escaped(charter_edition, organisation, owner):
    """The reason and the next steps, as the officer wrote them, shown as text."""
    application = _decided(organisation, owner, approve=False)
    client = Client()
    client.force_login(owner)
    html = client.get(reverse("applications:detail", kwargs={"pk": application.pk})).content.decode()
    assert "Why the application was not approved" in html
    assert "Contractors are paid under £12.60 &amp; there&#x27;s no plan." in html
    assert "Apply again once cleaners are paid the Living Wage." in html
