"""The officers' pages (issue 4 points 1-5): the queue, the case view and each action on a case."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accreditation import services
from accreditation.models import Accreditation, AccreditationStatus, Application, ApplicationStatus, CriterionReview
from accreditation.selectors import review_progress
from tests.accreditation.helpers import complete, start_application, submit
from tests.accreditation.review_helpers import make_officer, query, recommend, take, verify_all
from tests.conftest import give_totp
from tests.factories import OrganisationFactory, OwnerMembershipFactory


def _officer(name, *, lead=False):
    user = make_officer(name, lead=lead)
    give_totp(user)
    return user


@pytest.fixture
def olive(db):
    return _officer("Olive Officer")


@pytest.fixture
def oscar(db):
    return _officer("Oscar Second")


@pytest.fixture
def submitted(charter_edition, organisation, owner):
    application = start_application(organisation=organisation, actor=owner)
    complete(application, owner)
    return submit(application, owner)


@pytest.fixture
def in_review(submitted, olive):
    return take(submitted, olive)


def login(client, user):
    client.force_login(user)
    return client


def case_url(application, name="case", **kwargs):
    return reverse(f"officer:{name}", kwargs={"pk": application.pk, **kwargs})


def page_messages(response):
    return [str(message) for message in response.context["messages"]]


def queue_rows(count, edition, *, owner_prefix="q"):
    """`count` submitted applications from different organisations, written directly for speed."""
    now = timezone.now()
    for number in range(count):
        organisation = OrganisationFactory(legal_name=f"Org {number:03d}", employee_count=5 + number)
        owner = OwnerMembershipFactory(organisation=organisation).user
        Application.objects.create(
            organisation=organisation,
            edition=edition,
            status=ApplicationStatus.SUBMITTED,
            employee_count=organisation.employee_count,
            created_by=owner,
            submitted_by=owner,
            submitted_at=now - datetime.timedelta(days=number),
            submission_round=1,
        )


# --- who may use the pages --------------------------------------------------------------------------


def all_urls(application):
    code = review_progress(application).applicable[0]
    return [
        reverse("officer:home"),
        case_url(application),
        case_url(application, "case_take"),
        case_url(application, "case_reassign"),
        case_url(application, "case_review", code=code),
        case_url(application, "case_request_changes"),
        case_url(application, "case_recommend"),
        case_url(application, "case_approve"),
        case_url(application, "case_reject"),
    ]


def test_an_employer_user_is_refused_every_officer_url(client, submitted, owner):
    """An employer's user gets 403 from the queue, the case and every action, and nothing changes."""
    login(client, owner)
    for url in all_urls(submitted):
        assert client.get(url).status_code == 403, url
        assert client.post(url).status_code == 403, url
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_officer_url(client, submitted):
    """Someone not signed in is redirected to the login page from every officer URL, GET or POST."""
    for url in all_urls(submitted):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert "/accounts/login/" in response["Location"], url


def test_an_officer_without_two_factor_is_sent_to_set_it_up(officer_without_2fa_client, submitted):
    """An officer without two-factor reaches neither the queue nor a case nor an action."""
    for url in all_urls(submitted):
        response = officer_without_2fa_client.post(url)
        assert response.status_code == 302
        assert "/2fa/" in response["Location"]


def test_actions_refuse_get(client, in_review, olive):
    """The action URLs only take POST (a link cannot change a case)."""
    login(client, olive)
    assert client.get(case_url(in_review, "case_take")).status_code == 405


# --- the queue --------------------------------------------------------------------------------------


def test_the_queue_lists_cases_with_their_state_and_who_has_it(client, in_review, olive):
    """The queue shows the organisation, the officer's state label, who has it and a link to the case."""
    login(client, olive)
    response = client.get(reverse("officer:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="govuk-table"' in html
    assert "Golden Crust Bakery Ltd" in html
    assert "In review" in html
    assert "Olive Officer" in html
    assert case_url(in_review) in html


def test_the_queue_highlights_cases_past_the_target(client, submitted, olive):
    """A case waiting more than ten working days has a red "past target" tag."""
    Application.objects.filter(pk=submitted.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=30))
    login(client, olive)
    html = client.get(reverse("officer:home")).content.decode()
    assert "govuk-tag--red" in html
    assert "(past target)" in html


def test_the_queue_filters_by_state_mine_and_unassigned(client, charter_edition, in_review, olive):
    """State, "only mine" and "only unassigned" filters narrow the rows through the selector."""
    queue_rows(2, charter_edition)
    login(client, olive)
    url = reverse("officer:home")
    assert list(client.get(url).context["table"].data) and len(client.get(url).context["table"].rows) == 3
    assert [row.record for row in client.get(url, {"status": "in_review"}).context["table"].rows] == [in_review]
    assert [row.record for row in client.get(url, {"mine": "on"}).context["table"].rows] == [in_review]
    assert len(client.get(url, {"unassigned": "on"}).context["table"].rows) == 2


def test_the_queue_filters_by_days_waiting_and_past_target(client, charter_edition, olive):
    """Days waiting at least N and past target leave only the old cases."""
    queue_rows(1, charter_edition)
    old = Application.objects.get()
    Application.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=40))
    queue_rows(1, charter_edition)
    login(client, olive)
    url = reverse("officer:home")
    assert [row.record.pk for row in client.get(url, {"past_target": "on"}).context["table"].rows] == [old.pk]
    assert [row.record.pk for row in client.get(url, {"min_days_waiting": "15"}).context["table"].rows] == [old.pk]


def test_the_queue_sorts_by_organisation_both_ways(client, charter_edition, olive):
    """The organisation header links sort by name, ascending then descending."""
    queue_rows(3, charter_edition)
    login(client, olive)
    url = reverse("officer:home")
    names = [
        row.record.organisation.legal_name for row in client.get(url, {"sort": "organisation"}).context["table"].rows
    ]
    assert names == ["Org 000", "Org 001", "Org 002"]
    names = [
        row.record.organisation.legal_name for row in client.get(url, {"sort": "-organisation"}).context["table"].rows
    ]
    assert names == ["Org 002", "Org 001", "Org 000"]
    assert "?sort=organisation" in client.get(url).content.decode()


def test_the_queue_paginates_at_25(client, charter_edition, olive):
    """Thirty cases make two pages, with GOV.UK pagination links."""
    queue_rows(30, charter_edition)
    login(client, olive)
    response = client.get(reverse("officer:home"))
    assert len(response.context["table"].page.object_list) == 25
    assert "govuk-pagination" in response.content.decode()
    assert len(client.get(reverse("officer:home"), {"page": 2}).context["table"].page.object_list) == 5


@pytest.mark.parametrize("rows", [5, 40])
def test_the_queue_query_count_does_not_grow_with_rows(
    client, charter_edition, olive, rows, django_assert_max_num_queries
):
    """Five rows or forty (25 shown), the queue page runs the same bounded number of queries."""
    queue_rows(rows, charter_edition)
    login(client, olive)
    client.get(reverse("officer:home"))  # warm caches (the edition content, the session)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("officer:home")).status_code == 200


# --- the case view and taking a case ----------------------------------------------------------------


def test_the_case_view_shows_the_organisation_answers_and_files(client, submitted, olive):
    """The case view shows the organisation, each answer and the evidence files with download links."""
    login(client, olive)
    response = client.get(case_url(submitted))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Golden Crust Bakery Ltd" in html
    assert "Take this case" in html
    assert "Added in submission 1" in html
    evidence = submitted.evidence.first()
    assert reverse("applications:evidence_download", args=[submitted.pk, evidence.pk]) in html
    assert "What has happened" in html


def test_an_officer_takes_a_case(client, submitted, olive):
    """Take this case assigns the case to the officer and moves it to in review."""
    login(client, olive)
    response = client.post(case_url(submitted, "case_take"), follow=True)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.assigned_to) == (ApplicationStatus.IN_REVIEW, olive)
    assert "You have taken this case." in page_messages(response)


def test_taking_a_case_someone_else_took_first_names_them(client, submitted, olive, oscar):
    """When another officer took it first, the page says who has it and nothing changes."""
    take(submitted, oscar)
    login(client, olive)
    response = client.post(case_url(submitted, "case_take"), follow=True)
    assert any("Oscar Second has already taken this case" in message for message in page_messages(response))
    submitted.refresh_from_db()
    assert submitted.assigned_to == oscar


def test_a_lead_officer_reassigns_a_case(client, in_review, oscar):
    """A lead officer gives the case to another officer from the case view."""
    lead = _officer("Lena Lead", lead=True)
    login(client, lead)
    assert "Give this case to another officer" in client.get(case_url(in_review)).content.decode()
    client.post(case_url(in_review, "case_reassign"), {"officer": oscar.pk})
    in_review.refresh_from_db()
    assert in_review.assigned_to == oscar


def test_an_officer_who_is_not_a_lead_cannot_reassign(client, in_review, olive, oscar):
    """An ordinary officer's reassignment is refused with the service's message."""
    login(client, oscar)
    response = client.post(case_url(in_review, "case_reassign"), {"officer": oscar.pk}, follow=True)
    assert "Only a lead officer can reassign a case." in page_messages(response)
    in_review.refresh_from_db()
    assert in_review.assigned_to == olive


# --- verify, query and request changes --------------------------------------------------------------


def test_verifying_a_criterion_returns_to_it(client, in_review, olive):
    """Verified saves the outcome and redirects to that criterion's anchor on the case view."""
    code = review_progress(in_review).applicable[0]
    login(client, olive)
    response = client.post(case_url(in_review, "case_review", code=code), {f"{code}-outcome": "verified"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#criterion-{code}")
    assert CriterionReview.objects.get(application=in_review, criterion__code=code).outcome == "verified"


def test_a_query_needs_a_note(client, in_review, olive):
    """A query without a note is refused on the page with a field error, and nothing is saved."""
    code = review_progress(in_review).applicable[0]
    login(client, olive)
    response = client.post(
        case_url(in_review, "case_review", code=code), {f"{code}-outcome": "query", f"{code}-note": ""}
    )
    assert response.status_code == 200
    assert "Say what the employer needs to change or send" in response.content.decode()
    assert not CriterionReview.objects.filter(application=in_review).exists()


def test_a_script_in_a_query_note_is_refused_and_shown_escaped(client, in_review, olive):
    """A note with <script> is refused on the page, echoed back escaped, and nothing is saved."""
    code = review_progress(in_review).applicable[0]
    login(client, olive)
    response = client.post(
        case_url(in_review, "case_review", code=code),
        {f"{code}-outcome": "query", f"{code}-note": "<script>alert(1)</script>"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not CriterionReview.objects.filter(application=in_review).exists()


def test_a_note_with_angle_brackets_saved_elsewhere_is_shown_escaped(client, in_review, olive):
    """A query note stored with markup (say, by an older import) is shown as text, never as HTML."""
    code = review_progress(in_review).applicable[0]
    query(in_review, olive, code, note="Send payslips")
    CriterionReview.objects.filter(application=in_review).update(note="<b>bold</b> payslips")
    login(client, olive)
    html = client.get(case_url(in_review)).content.decode()
    assert "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; payslips" in html


def test_request_changes_with_a_query_sends_the_case_back(client, in_review, olive):
    """With a query raised, Request changes moves the case to changes requested."""
    query(in_review, olive, review_progress(in_review).applicable[0])
    login(client, olive)
    response = client.post(
        case_url(in_review, "case_request_changes"), {"note": "Please see the queries."}, follow=True
    )
    in_review.refresh_from_db()
    assert in_review.status == ApplicationStatus.CHANGES_REQUESTED
    assert any("Changes requested" in message for message in page_messages(response))


def test_request_changes_without_a_query_is_refused(client, in_review, olive):
    """Without any query the page explains why, and the case stays in review."""
    login(client, olive)
    response = client.post(case_url(in_review, "case_request_changes"), {"note": ""}, follow=True)
    assert any("Raise a query on at least one criterion" in message for message in page_messages(response))
    in_review.refresh_from_db()
    assert in_review.status == ApplicationStatus.IN_REVIEW


def test_a_wrong_state_post_gives_a_clear_message_and_changes_nothing(client, submitted, olive):
    """Approving a case that has not been recommended is refused with a message; nothing changes."""
    login(client, olive)
    response = client.post(case_url(submitted, "case_approve"), {"note": ""}, follow=True)
    assert response.status_code == 200
    assert page_messages(response)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert not Accreditation.objects.exists()


# --- recommend and decide ---------------------------------------------------------------------------


def test_the_recommend_form_defaults_to_the_verified_level(client, in_review, olive):
    """With everything verified, the recommend form has the verified level chosen."""
    verify_all(in_review, olive)
    login(client, olive)
    form = client.get(case_url(in_review)).context["recommend_form"]
    assert form.initial["decision"] == review_progress(in_review).level.level_code


def test_recommending_a_lower_level_needs_a_reason(client, in_review, olive):
    """A level lower than the verified one without a reason is a field error; the case stays in review."""
    verify_all(in_review, olive)
    levels = list(review_progress(in_review).content.levels)
    login(client, olive)
    response = client.post(case_url(in_review, "case_recommend"), {"decision": levels[-1].code, "reason": ""})
    assert response.status_code == 200
    assert "Give your reason for recommending" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == ApplicationStatus.IN_REVIEW


def test_recommending_rejection_needs_a_reason(client, in_review, olive):
    """Recommend rejection without a reason is refused on the page."""
    login(client, olive)
    response = client.post(case_url(in_review, "case_recommend"), {"decision": "reject", "reason": ""})
    assert response.status_code == 200
    assert "Give your reason for recommending rejection" in response.content.decode()


def test_the_recommender_is_told_about_four_eyes(client, in_review, olive):
    """The officer who recommended sees the four-eyes rule, and their approval is refused."""
    recommend(in_review, olive)
    login(client, olive)
    assert "another officer must approve or reject it (four eyes)" in client.get(case_url(in_review)).content.decode()
    response = client.post(case_url(in_review, "case_approve"), {"note": ""}, follow=True)
    assert any("four eyes" in message for message in page_messages(response))
    in_review.refresh_from_db()
    assert in_review.status == ApplicationStatus.RECOMMENDED


def test_a_second_officer_rejects_with_reason_and_next_steps(client, in_review, olive, oscar):
    """Reject records the reason and next steps, from a different officer."""
    recommend(in_review, olive)
    login(client, oscar)
    client.post(
        case_url(in_review, "case_reject"), {"reason": "Payslips do not show the rate.", "next_steps": "Apply again."}
    )
    in_review.refresh_from_db()
    assert in_review.status == ApplicationStatus.REJECTED
    assert in_review.rejection_next_steps == "Apply again."


def test_the_whole_journey_through_the_pages(client, submitted, olive, oscar):
    """Take, verify every criterion, recommend, and a second officer approves: an accreditation awaits its fee."""
    login(client, olive)
    client.post(case_url(submitted, "case_take"))
    submitted.refresh_from_db()
    for code in review_progress(submitted).applicable:
        response = client.post(case_url(submitted, "case_review", code=code), {f"{code}-outcome": "verified"})
        assert response.status_code == 302
    level = review_progress(submitted).level.level_code
    client.post(case_url(submitted, "case_recommend"), {"decision": level, "reason": ""})
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.RECOMMENDED
    login(client, oscar)
    response = client.post(case_url(submitted, "case_approve"), {"note": "Good evidence."}, follow=True)
    assert "Approved. The accreditation is waiting for its fee." in page_messages(response)
    accreditation = Accreditation.objects.get(application=submitted)
    assert accreditation.status == AccreditationStatus.AWAITING_FEE
    assert accreditation.level_code == level


def test_a_draft_is_not_a_case(client, application, olive):
    """A draft application has no case view for officers (404)."""
    login(client, olive)
    assert client.get(case_url(application)).status_code == 404


def test_reassigning_to_the_officer_who_has_it_is_a_field_error(client, in_review, olive):
    """The service's field error (already has this case) shows on the reassign form, and nothing changes."""
    lead = _officer("Lena Lead", lead=True)
    login(client, lead)
    response = client.post(case_url(in_review, "case_reassign"), {"officer": olive.pk})
    assert response.status_code == 200
    assert "Olive Officer already has this case" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.assigned_to == olive


def test_a_resubmitted_case_shows_its_officer_and_no_take_button_to_others(client, in_review, olive, oscar, owner):
    """After a changes loop the case stays with its officer; another officer is not offered "Take this case"."""
    query(in_review, olive, review_progress(in_review).applicable[0])
    services.application_request_changes(actor=olive, application=in_review)
    submit(in_review, owner)
    in_review.refresh_from_db()
    assert (in_review.status, in_review.assigned_to, in_review.submission_round) == ("submitted", olive, 2)
    login(client, oscar)
    html = client.get(case_url(in_review)).content.decode()
    assert "Take this case" not in html
    assert "Olive Officer" in html
    login(client, olive)
    assert "Take this case" in client.get(case_url(in_review)).content.decode()
