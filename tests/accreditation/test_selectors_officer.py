"""accreditation.selectors for officers: working days, the queue, one case, the dashboard figures (issue 4)."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone
from time_machine import travel

from accreditation import services
from accreditation.models import Accreditation, AccreditationStatus, Application
from accreditation.selectors import (
    case_for_officer,
    days_waiting,
    england_bank_holidays,
    officer_dashboard_figures,
    officer_queue,
    past_target,
    working_days_before,
    working_days_between,
)
from employers.models import Sector
from tests.accreditation.helpers import add_evidence, answer, start_application, submitted_application
from tests.accreditation.review_helpers import make_officer, query, recommend, take
from tests.factories import OrganisationFactory, OwnerMembershipFactory

D = datetime.date


def at(year, month, day, hour=10):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


# --- working days ----------------------------------------------------------------------------------


def test_england_bank_holidays_with_weekend_substitutes():
    """2026 and 2027 as GOV.UK lists them (Christmas and Boxing Day on a weekend move to the next weekdays)."""
    assert england_bank_holidays(2026) == {
        D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25), D(2026, 8, 31),
        D(2026, 12, 25), D(2026, 12, 28),
    }  # fmt: skip
    assert england_bank_holidays(2027) == {
        D(2027, 1, 1), D(2027, 3, 26), D(2027, 3, 29), D(2027, 5, 3), D(2027, 5, 31), D(2027, 8, 30),
        D(2027, 12, 27), D(2027, 12, 28),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2027, 3, 1), D(2027, 3, 1), 0),  # same day
        (D(2027, 3, 1), D(2027, 3, 5), 4),  # Monday to Friday
        (D(2027, 3, 5), D(2027, 3, 8), 1),  # Friday to Monday
        (D(2027, 3, 6), D(2027, 3, 8), 1),  # submitted on a Saturday
        (D(2027, 3, 1), D(2027, 3, 15), 10),  # two weeks
        (D(2027, 3, 25), D(2027, 3, 30), 1),  # over Easter: Good Friday and Easter Monday
        (D(2027, 12, 24), D(2028, 1, 4), 4),  # over Christmas and New Year
        (D(2027, 3, 8), D(2027, 3, 1), 0),  # backwards
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


@pytest.mark.parametrize("days", [1, 5, 10, 11, 30])
def test_working_days_before_is_the_inverse(days):
    for end in (D(2027, 3, 30), D(2027, 1, 4), D(2027, 6, 9)):
        assert working_days_between(working_days_before(end, days), end) == days


# --- the queue -----------------------------------------------------------------------------------------


@pytest.fixture
def olive(db):
    return make_officer("Olive Officer")


@pytest.fixture
def oscar(db):
    return make_officer("Oscar Second")


def new_case(name, *, employees=12, sector=Sector.G, submitted_on=None):
    organisation = OrganisationFactory(legal_name=name, employee_count=employees, sector=sector)
    owner = OwnerMembershipFactory(organisation=organisation).user
    application = submitted_application(organisation=organisation, actor=owner)
    if submitted_on:
        Application.objects.filter(pk=application.pk).update(submitted_at=at(*submitted_on))
        application.refresh_from_db()
    application.owner = owner
    return application


@pytest.fixture
def cases(charter_edition, olive):
    """A draft, an old unassigned submission, a newer one taken by Olive, and a care home of 60."""
    organisation = OrganisationFactory(legal_name="Draft Ltd")
    draft = start_application(organisation=organisation, actor=OwnerMembershipFactory(organisation=organisation).user)
    old = new_case("Old Bakery Ltd", submitted_on=(2027, 3, 1))
    taken = take(new_case("Taken Cafe Ltd", submitted_on=(2027, 3, 10)), olive)
    care = new_case("Care Home Ltd", employees=60, sector=Sector.Q, submitted_on=(2027, 3, 12))
    return {"draft": draft, "old": old, "taken": taken, "care": care}


def names(queryset):
    return [application.organisation.legal_name for application in queryset]


def test_the_queue_has_no_drafts_and_the_oldest_first(cases):
    assert names(officer_queue()) == ["Old Bakery Ltd", "Taken Cafe Ltd", "Care Home Ltd"]


def test_the_queue_filters(cases, olive, oscar):
    today = D(2027, 3, 16)
    assert names(officer_queue(filters={"mine": True}, officer=olive)) == ["Taken Cafe Ltd"]
    assert names(officer_queue(filters={"mine": True}, officer=oscar)) == []
    assert names(officer_queue(filters={"unassigned": True})) == ["Old Bakery Ltd", "Care Home Ltd"]
    assert names(officer_queue(filters={"assigned_to": olive})) == ["Taken Cafe Ltd"]
    assert names(officer_queue(filters={"status": "in_review"})) == ["Taken Cafe Ltd"]
    assert names(officer_queue(filters={"status": ["submitted", "in_review"]})) == [
        "Old Bakery Ltd",
        "Taken Cafe Ltd",
        "Care Home Ltd",
    ]
    assert names(officer_queue(filters={"sector": Sector.Q})) == ["Care Home Ltd"]
    assert names(officer_queue(filters={"size": "51-250"})) == ["Care Home Ltd"]
    assert names(officer_queue(filters={"size": "11-50"})) == ["Old Bakery Ltd", "Taken Cafe Ltd"]
    assert names(officer_queue(filters={"level": "champion"})) == names(officer_queue())
    assert names(officer_queue(filters={"level": "supporter"})) == []
    # 16 March 2027: Old Bakery has waited 11 working days, Taken Cafe 4, Care Home 2.
    assert names(officer_queue(filters={"past_target": True}, today=today)) == ["Old Bakery Ltd"]
    assert names(officer_queue(filters={"min_days_waiting": 4}, today=today)) == ["Old Bakery Ltd", "Taken Cafe Ltd"]


def test_days_waiting_counts_working_days_since_the_latest_submission(cases):
    old = cases["old"]
    assert days_waiting(old, D(2027, 3, 15)) == 10 and not past_target(old, D(2027, 3, 15))
    assert days_waiting(old, D(2027, 3, 16)) == 11 and past_target(old, D(2027, 3, 16))
    assert days_waiting(cases["draft"], D(2027, 3, 16)) is None


def test_a_case_waiting_on_the_employer_is_not_waiting_on_the_council(cases, olive):
    taken = cases["taken"]
    query(taken, olive, "pay.direct")
    services.application_request_changes(actor=olive, application=taken)
    taken.refresh_from_db()
    assert days_waiting(taken, D(2027, 3, 30)) is None
    assert names(officer_queue(filters={"min_days_waiting": 1}, today=D(2027, 3, 30))) == [
        "Old Bakery Ltd",
        "Care Home Ltd",
    ]


def test_the_queue_reads_one_query_whatever_its_length(cases, django_assert_num_queries):
    """Organisation, edition and officer come with each row."""
    with django_assert_num_queries(1):
        rows = [
            (a.organisation.legal_name, a.assigned_to and a.assigned_to.full_name, a.edition.code)
            for a in officer_queue()
        ]
    assert len(rows) == 3


# --- one case -----------------------------------------------------------------------------------------


@pytest.fixture
def second_round(charter_edition, organisation, owner, olive):
    """A case sent back once, changed (an answer and a new file) and resubmitted, then taken again."""
    application = submitted_application(organisation=organisation, actor=owner)
    take(application, olive)
    query(application, olive, "pay.direct", note="Send payslips.")
    services.application_request_changes(actor=olive, application=application)
    answer(application, owner, "pay.direct", explanation="Payslips attached.")
    add_evidence(application, owner, "pay.direct", name="payslips.pdf", description="Payslips")
    services.application_submit(
        actor=owner, application=application, declaration_name="Bea Baker", declaration_role="Owner"
    )
    return take(application, olive)


def test_the_case_has_every_round_of_answers_files_and_reviews(second_round):
    case = case_for_officer(second_round.pk)
    assert case.application.assigned_to.full_name == "Olive Officer"
    pay = next(item for item in case.criteria if item.code == "pay.direct")
    assert pay.number == "1.1"
    assert [revision.explanation for revision in pay.revisions] == [
        "We do this, and check it every month.",
        "Payslips attached.",
    ]
    assert [revision.submission_round for revision in pay.revisions] == [0, 1]
    assert sorted(pay.files_by_round) == [0, 1]
    assert [f.original_name for f in pay.files_by_round[1]] == ["payslips.pdf"]
    assert pay.review is None  # round 2 is not marked yet
    assert [(r.submission_round, r.outcome, r.note) for r in pay.earlier_reviews] == [(1, "query", "Send payslips.")]
    assert "inclusion.pay_gap" not in [item.code for item in case.criteria]  # 14 employees
    assert case.progress.unreviewed == case.progress.applicable
    assert case.queries == {}
    assert any(entry.action == "application.request_changes" for entry in case.timeline)


def test_the_case_shows_the_organisation_s_earlier_applications_and_accreditations(
    charter_edition, organisation, owner, olive, oscar
):
    first = submitted_application(organisation=organisation, actor=owner)
    take(first, olive)
    recommend(first, olive)
    services.application_approve(actor=oscar, application=first)
    # The next year's application, once that accreditation has expired.
    Accreditation.objects.filter(application=first).update(status=AccreditationStatus.EXPIRED)
    second = submitted_application(organisation=organisation, actor=owner)
    case = case_for_officer(second.pk)
    assert [a.pk for a in case.earlier_applications] == [first.pk]
    assert case.earlier_applications[0].accreditation.level_name == "Champion"
    assert [a.level_code for a in case.accreditations] == ["champion"]


def test_the_case_reads_a_fixed_number_of_queries(second_round, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        case_for_officer(second_round.pk)


def test_drafts_and_missing_cases_are_not_found(application):
    with pytest.raises(Http404):
        case_for_officer(application.pk)
    with pytest.raises(Http404):
        case_for_officer(999_999)


# --- the dashboard --------------------------------------------------------------------------------------


def test_the_dashboard_figures(charter_edition, olive, oscar):
    """Counts by state, cases past the target, the median working days to a decision and decisions by level."""
    with travel(at(2027, 3, 1)):
        new_case("Old Bakery Ltd")
    with travel(at(2027, 3, 10)):
        approved = new_case("Approved Ltd")
        take(approved, olive)
    with travel(at(2027, 3, 11)):
        query(approved, olive, "pay.direct")
        services.application_request_changes(actor=olive, application=approved)
    with travel(at(2027, 3, 12)):
        services.application_submit(
            actor=approved.owner, application=approved, declaration_name="A", declaration_role="B"
        )
    with travel(at(2027, 3, 24)):
        take(approved, olive)
        recommend(approved, olive)
        services.application_approve(actor=oscar, application=approved)
    with travel(at(2027, 3, 11)):
        rejected = take(new_case("Rejected Ltd"), olive)
        services.application_recommend_rejection(actor=olive, application=rejected, reason="No evidence.")
    with travel(at(2027, 3, 18)):
        services.application_reject(actor=oscar, application=rejected, reason="No evidence.")

    figures = officer_dashboard_figures(D(2027, 3, 25))
    assert figures.counts_by_status == {
        "draft": 0, "submitted": 1, "in_review": 0, "changes_requested": 0, "recommended": 0,
        "approved": 1, "rejected": 1, "withdrawn": 0,
    }  # fmt: skip
    assert figures.waiting == 1 and figures.past_target == 1  # Old Bakery: 18 working days
    assert figures.decisions_this_year == 2 and figures.rejected_this_year == 1
    assert figures.approved_by_level == [("champion", "Champion", 1)]
    # From the first submission: 10 March to 24 March is 10 working days; 11 to 18 March is 5.
    assert figures.median_working_days_to_decision == 7.5
    assert officer_dashboard_figures(D(2028, 1, 5)).decisions_this_year == 0


def test_the_dashboard_reads_a_fixed_number_of_queries(cases, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        officer_dashboard_figures(D(2027, 3, 25))
