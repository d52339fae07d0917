"""charter.levels: the level an employer reaches, and why, against every rule of the charter file.

These tests use no database: the level function is pure (pytest-django refuses any query here).
"""

import dataclasses
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charter.content import CommitmentContent, CriterionContent, EditionContent, LevelContent, LevelRule
from charter.levels import AnswerChoice, applicable_criteria, compute_level, level_requirement

MANDATORY = ["pay", "hours", "fair"]
OPTIONAL = ["voice", "skills", "inclusion", "wellbeing", "local"]
SMALL = 10  # employees: the pay-gap criterion (250+) is not asked


def answers_meeting(content: EditionContent, commitments, employees: int = SMALL) -> dict[str, str]:
    """Yes to every applicable criterion of `commitments`, No to the others."""
    return {
        criterion.code: "yes" if commitment.code in commitments else "no"
        for commitment in content.commitments
        for criterion in commitment.applicable_criteria(employees)
    }


def all_yes(content: EditionContent, employees: int = SMALL) -> dict[str, str]:
    return answers_meeting(content, [c.code for c in content.commitments], employees)


# --- which criteria apply ---------------------------------------------------------------------------


def test_applicable_criteria_leave_out_pay_gap_below_250_employees(charter_content):
    """At 249 employees 17 criteria are asked, without the gender pay gap; at 250 all 18."""
    at_249 = [criterion.code for criterion in applicable_criteria(charter_content, 249)]
    at_250 = [criterion.code for criterion in applicable_criteria(charter_content, 250)]
    assert len(at_249) == 17
    assert "inclusion.pay_gap" not in at_249
    assert at_250 == [criterion.code for criterion in charter_content.criteria]
    assert at_250.index("inclusion.pay_gap") == at_250.index("inclusion.recruitment") + 1


def test_applicable_criteria_refuse_a_nonsense_headcount(charter_content):
    """A negative or non-whole headcount is a programming error, not zero criteria."""
    for employees in (-1, 2.5, "10", True):
        with pytest.raises(ValueError):
            applicable_criteria(charter_content, employees)


# --- the levels, from the file's rules -----------------------------------------------------------------


def test_every_commitment_met_is_champion(charter_content):
    """Yes to every applicable criterion reaches the highest level, Champion."""
    result = compute_level(charter_content, employees=SMALL, answers=all_yes(charter_content))
    assert result.level_code == "champion"
    assert result.label == "Champion"
    assert all(outcome.met and outcome.reason == "Met" for outcome in result.commitments)
    assert result.levels[0].reason == "Reached: every commitment is met"


@pytest.mark.parametrize(
    ("optional_met", "level"),
    [(5, "champion"), (4, "accredited"), (3, "accredited"), (2, "supporter"), (1, "supporter"), (0, "supporter")],
)
def test_optional_commitments_met_decide_between_supporter_accredited_and_champion(
    charter_content, optional_met, level
):
    """With every mandatory commitment met: all 5 optional is Champion, 3 or 4 Accredited, 2 or fewer Supporter."""
    answers = answers_meeting(charter_content, MANDATORY + OPTIONAL[:optional_met])
    result = compute_level(charter_content, employees=SMALL, answers=answers)
    assert result.level_code == level
    assert result.optional_met_count == optional_met


def test_min_optional_boundary_explains_the_shortfall(charter_content):
    """With 2 optional commitments met, Accredited is not reached because it needs 3 (min_optional)."""
    answers = answers_meeting(charter_content, MANDATORY + ["voice", "local"])
    result = compute_level(charter_content, employees=SMALL, answers=answers)
    champion, accredited, supporter = result.levels
    assert not accredited.rule_holds
    assert accredited.reason == "Not reached: 2 optional commitments are met, and it needs at least 3"
    assert champion.reason == (
        "Not reached: 'Help people grow', 'Be fair and inclusive' and 'Look after health and wellbeing' are not met"
    )
    assert supporter.reason == "Reached: every mandatory commitment is met"


def test_accredited_reason_counts_the_optional_commitments(charter_content):
    """The reached Accredited level says how many optional commitments are met, against how many needed."""
    answers = answers_meeting(charter_content, MANDATORY + OPTIONAL[:4])
    result = compute_level(charter_content, employees=SMALL, answers=answers)
    assert result.levels[1].reason == "Reached: every mandatory commitment is met, and 4 optional ones (at least 3)"
    assert result.levels[0].reason == "Not reached: 'Build a good local economy' is not met"


@pytest.mark.parametrize("mandatory", MANDATORY)
def test_a_mandatory_commitment_not_met_is_below_every_level(charter_content, mandatory):
    """Missing any one mandatory commitment reaches no level, even with every optional one met."""
    answers = answers_meeting(charter_content, [code for code in MANDATORY if code != mandatory] + OPTIONAL)
    result = compute_level(charter_content, employees=SMALL, answers=answers)
    assert result.level is None
    assert result.level_code is None
    assert result.label == "Below Supporter"
    assert not result.all_mandatory_met
    title = result.commitment(mandatory).title
    assert all(not outcome.rule_holds for outcome in result.levels)
    assert result.levels[2].reason == f"Not reached: mandatory '{title}' is not met"
    assert result.levels[1].reason == f"Not reached: mandatory '{title}' is not met"


def test_several_mandatory_commitments_not_met_are_all_named(charter_content):
    """The lowest level's reason names every mandatory commitment that is not met."""
    result = compute_level(charter_content, employees=SMALL, answers=answers_meeting(charter_content, ["hours"]))
    assert result.levels[2].reason == (
        "Not reached: mandatory 'Pay the real Living Wage' and 'Treat people fairly' are not met"
    )


def test_one_no_is_enough_to_miss_a_commitment(charter_content):
    """A commitment is met only when every applicable criterion is Yes: one No and it is not met."""
    answers = all_yes(charter_content) | {"pay.direct": "no"}
    result = compute_level(charter_content, employees=SMALL, answers=answers)
    pay = result.commitment("pay")
    assert not pay.met
    assert pay.reason == "Not met: 'Every directly employed worker…' is answered No"
    assert pay.answered_no == ("pay.direct",)
    assert result.level is None


# --- min_employees ------------------------------------------------------------------------------------


def test_pay_gap_is_not_required_at_249_employees(charter_content):
    """At 249 employees the pay-gap criterion does not apply: Be fair and inclusive is met without it."""
    answers = all_yes(charter_content, 249)
    assert "inclusion.pay_gap" not in answers
    result = compute_level(charter_content, employees=249, answers=answers)
    assert result.commitment("inclusion").met
    assert [c.code for c in result.commitment("inclusion").applicable] == ["inclusion.recruitment"]
    assert result.level_code == "champion"


def test_pay_gap_is_required_from_250_employees(charter_content):
    """At 250 employees the same answers leave the pay gap unanswered: not Champion, but Accredited."""
    result = compute_level(charter_content, employees=250, answers=all_yes(charter_content, 249))
    inclusion = result.commitment("inclusion")
    assert not inclusion.met
    assert inclusion.reason == "Not met: 'You publish your gender pay gap…' is not answered yet"
    assert inclusion.unanswered == ("inclusion.pay_gap",)
    assert result.level_code == "accredited"


def test_pay_gap_answered_yes_at_250_employees_is_champion(charter_content):
    """At 250 employees, Yes to the pay gap as well reaches Champion."""
    result = compute_level(charter_content, employees=250, answers=all_yes(charter_content, 250))
    assert result.level_code == "champion"


def test_an_answer_to_a_criterion_that_does_not_apply_is_ignored(charter_content):
    """A No to the pay gap from a 249-person organisation (say, after its headcount fell) changes nothing."""
    answers = all_yes(charter_content, 249) | {"inclusion.pay_gap": "no"}
    assert compute_level(charter_content, employees=249, answers=answers).level_code == "champion"


# --- Not yet, missing answers -------------------------------------------------------------------------


def test_not_yet_does_not_meet_a_commitment(charter_content):
    """'Not yet' (with an action plan) is not doing it: the commitment is not met."""
    answers = all_yes(charter_content) | {"pay.contractors": "not_yet"}
    result = compute_level(charter_content, employees=SMALL, answers=answers)
    pay = result.commitment("pay")
    assert not pay.met
    assert pay.reason == (
        "Not met: 'Regular third-party contracted…' is 'Not yet' (an action plan is not the same as doing it)"
    )
    assert pay.answered_not_yet == ("pay.contractors",)
    assert result.level is None


def test_not_yet_on_an_optional_commitment_lowers_champion_to_accredited(charter_content):
    """'Not yet' on one optional criterion leaves 4 optional commitments met: Accredited."""
    answers = all_yes(charter_content) | {"voice.forum": AnswerChoice.NOT_YET}
    assert compute_level(charter_content, employees=SMALL, answers=answers).level_code == "accredited"


def test_no_answers_at_all_is_below_every_level(charter_content):
    """An empty self-assessment reaches no level, and each commitment says how many criteria are unanswered."""
    result = compute_level(charter_content, employees=SMALL, answers={})
    assert result.level is None
    assert result.commitment("pay").reason == "Not met: 4 criteria are not answered yet"
    assert result.commitment("hours").reason == "Not met: 2 criteria are not answered yet"
    assert result.commitment("pay").unanswered == ("pay.direct", "pay.contractors", "pay.uplift", "pay.lwf")


@pytest.mark.parametrize("blank", [None, ""])
def test_a_blank_answer_counts_as_not_answered(charter_content, blank):
    """None or an empty string is the same as no answer."""
    answers = all_yes(charter_content) | {"fair.no_blacklisting": blank}
    fair = compute_level(charter_content, employees=SMALL, answers=answers).commitment("fair")
    assert fair.reason == "Not met: 'Your organisation, and anyone…' is not answered yet"


def test_reasons_list_every_cause_in_one_sentence(charter_content):
    """A No, a Not yet and unanswered criteria in one commitment are all given, No first."""
    answers = {"pay.direct": "no", "pay.contractors": "not_yet"}
    pay = compute_level(charter_content, employees=SMALL, answers=answers).commitment("pay")
    assert pay.reason == (
        "Not met: 'Every directly employed worker…' is answered No; 'Regular third-party contracted…' is "
        "'Not yet' (an action plan is not the same as doing it); 2 criteria are not answered yet"
    )


def test_an_unknown_answer_is_refused(charter_content):
    """An answer that is not yes, not_yet or no is a programming error."""
    with pytest.raises(ValueError, match="Unknown answer 'maybe' to 'pay.direct'"):
        compute_level(charter_content, employees=SMALL, answers={"pay.direct": "maybe"})


# --- verification -------------------------------------------------------------------------------------


def test_without_verifications_the_level_is_provisional(charter_content):
    """With no verifications given, Yes answers count as they stand (the provisional level)."""
    result = compute_level(charter_content, employees=SMALL, answers=all_yes(charter_content))
    assert result.level_code == "champion"
    assert not result.verifications_applied


def test_every_yes_verified_keeps_the_level(charter_content):
    """When the officer verifies every applicable criterion, the level stands."""
    answers = all_yes(charter_content)
    verifications = dict.fromkeys(answers, True)
    result = compute_level(charter_content, employees=SMALL, answers=answers, verifications=verifications)
    assert result.level_code == "champion"
    assert result.verifications_applied


def test_a_queried_criterion_does_not_count(charter_content):
    """A Yes the officer did not verify (queried) leaves its commitment not met."""
    answers = all_yes(charter_content)
    verifications = dict.fromkeys(answers, True) | {"voice.unions": False}
    result = compute_level(charter_content, employees=SMALL, answers=answers, verifications=verifications)
    voice = result.commitment("voice")
    assert voice.reason == "Not met: 'You recognise an independent…' is not verified by the officer"
    assert voice.not_verified == ("voice.unions",)
    assert result.level_code == "accredited"


def test_a_criterion_not_yet_reviewed_does_not_count(charter_content):
    """Once verifications are given, a Yes the officer has not reviewed yet does not count either."""
    answers = all_yes(charter_content)
    verifications = dict.fromkeys(answers, True)
    del verifications["pay.uplift"]
    result = compute_level(charter_content, employees=SMALL, answers=answers, verifications=verifications)
    assert result.commitment("pay").reason == (
        "Not met: 'You raise pay to each new real…' has not been checked by the officer yet"
    )
    assert result.level is None


def test_verifying_a_no_does_not_make_it_met(charter_content):
    """A verification cannot turn a No into a met criterion."""
    answers = all_yes(charter_content) | {"pay.direct": "no"}
    verifications = dict.fromkeys(answers, True)
    result = compute_level(charter_content, employees=SMALL, answers=answers, verifications=verifications)
    assert result.commitment("pay").reason == "Not met: 'Every directly employed worker…' is answered No"
    assert result.level is None


def test_empty_verifications_meet_nothing(charter_content):
    """An empty verification mapping (review started, nothing verified) meets no commitment."""
    result = compute_level(charter_content, employees=SMALL, answers=all_yes(charter_content), verifications={})
    assert result.met == ()
    assert result.level is None


# --- levels come from the file, not from names ------------------------------------------------------------


def test_levels_follow_the_rules_in_the_file_not_their_names(charter_content):
    """Renamed levels with another min_optional are reached by their rules."""
    edition = dataclasses.replace(
        charter_content,
        levels=(
            LevelContent("gold", "Gold", LevelRule.ALL_COMMITMENTS),
            LevelContent("silver", "Silver", LevelRule.MANDATORY_PLUS, 1),
        ),
    )
    one_optional = answers_meeting(edition, MANDATORY + ["local"])
    assert compute_level(edition, employees=SMALL, answers=one_optional).level_code == "silver"
    mandatory_only = answers_meeting(edition, MANDATORY)
    result = compute_level(edition, employees=SMALL, answers=mandatory_only)
    assert result.level is None
    assert result.label == "Below Silver"
    assert result.levels[1].reason == "Not reached: no optional commitment is met, and it needs at least 1"


def test_a_commitment_with_no_applicable_criteria_is_met(charter_content):
    """A commitment none of whose criteria apply (the loader refuses such files) is met: nothing is asked."""
    only_big = CommitmentContent(
        "big", "Big employers only", "Summary", False, (CriterionContent("big.one", "Text", min_employees=500),)
    )
    edition = dataclasses.replace(charter_content, commitments=(*charter_content.commitments, only_big))
    result = compute_level(edition, employees=SMALL, answers=all_yes(charter_content))
    assert result.commitment("big").reason == "Met: none of its criteria apply to an organisation of 10"


def test_result_lookups(charter_content):
    """`commitment(code)` finds an outcome; an unknown code is a KeyError; outcomes keep the edition's order."""
    result = compute_level(charter_content, employees=SMALL, answers={})
    assert [outcome.code for outcome in result.commitments] == MANDATORY + OPTIONAL
    assert result.commitment("fair").mandatory
    with pytest.raises(KeyError):
        result.commitment("nothing")


def test_the_function_does_not_change_its_inputs(charter_content):
    """The answers and verifications passed in are left as they were."""
    answers = all_yes(charter_content)
    verifications = {"pay.direct": True}
    before = (dict(answers), dict(verifications))
    compute_level(charter_content, employees=SMALL, answers=answers, verifications=verifications)
    assert (answers, verifications) == before


# --- level_requirement: the levels in plain words -------------------------------------------------------


def test_level_requirements_for_the_first_edition(charter_content):
    """The charter page's words for each level come from its rule and the edition's counts."""
    words = [level_requirement(level, mandatory=3, optional=5) for level in charter_content.levels]
    assert words == [
        "Meet all 8 commitments.",
        "Meet all 3 mandatory commitments and at least 3 of the other 5.",
        "Meet all 3 mandatory commitments.",
    ]


@pytest.mark.parametrize(
    ("level", "mandatory", "optional", "words"),
    [
        (LevelContent("a", "A", LevelRule.MANDATORY_ONLY), 1, 2, "Meet the mandatory commitment."),
        (
            LevelContent("a", "A", LevelRule.MANDATORY_PLUS, 1),
            1,
            1,
            "Meet the mandatory commitment and the other one.",
        ),
        (
            LevelContent("a", "A", LevelRule.MANDATORY_PLUS, 1),
            2,
            4,
            "Meet all 2 mandatory commitments and at least one of the other 4.",
        ),
        (LevelContent("a", "A", LevelRule.MANDATORY_PLUS, 2), 0, 4, "Meet at least 2 of the 4 commitments."),
        (
            LevelContent("a", "A", LevelRule.MANDATORY_PLUS, 3),
            2,
            3,
            "Meet all 2 mandatory commitments and all 3 others.",
        ),
        (LevelContent("a", "A", LevelRule.ALL_COMMITMENTS), 1, 0, "Meet the charter's commitment."),
    ],
)
def test_level_requirement_wording(level, mandatory, optional, words):
    """Singulars, 'one', all of the optional ones, and no mandatory commitments read naturally."""
    assert level_requirement(level, mandatory=mandatory, optional=optional) == words


# --- properties, over editions of any shape -----------------------------------------------------------------

ANSWERS = st.sampled_from(["yes", "not_yet", "no", None])


@st.composite
def editions(draw):
    """Valid editions: 1-3 mandatory and 0-5 optional commitments, levels strictly easier going down."""
    mandatory = draw(st.integers(1, 3))
    optional = draw(st.integers(0, 5))
    commitments = tuple(
        CommitmentContent(
            code=f"c{i}",
            title=f"Commitment {i}",
            summary="Summary",
            mandatory=i < mandatory,
            criteria=tuple(
                CriterionContent(
                    code=f"c{i}.k{j}",
                    text=f"Criterion {i}.{j}",
                    allows_not_yet=draw(st.booleans()),
                    min_employees=None if j == 0 else draw(st.one_of(st.none(), st.integers(1, 300))),
                )
                for j in range(draw(st.integers(1, 3)))
            ),
        )
        for i in range(mandatory + optional)
    )
    levels = [LevelContent("top", "Top", LevelRule.ALL_COMMITMENTS)]
    if optional >= 2:
        levels.append(LevelContent("middle", "Middle", LevelRule.MANDATORY_PLUS, draw(st.integers(1, optional - 1))))
    if optional >= 1 and draw(st.booleans()):
        levels.append(LevelContent("bottom", "Bottom", LevelRule.MANDATORY_ONLY))
    return EditionContent(
        "x", "Name", "Council", date(2027, 1, 1), "Summary", "Declaration", tuple(levels), commitments
    )


@st.composite
def cases(draw):
    """An edition, a headcount, answers (to every criterion, applicable or not) and maybe verifications."""
    edition = draw(editions())
    employees = draw(st.integers(0, 400))
    answers = {criterion.code: draw(ANSWERS) for criterion in edition.criteria}
    verifications = draw(
        st.one_of(st.none(), st.fixed_dictionaries({}, optional={c.code: st.booleans() for c in edition.criteria}))
    )
    return edition, employees, answers, verifications


def rank(result) -> int:
    """0 for the highest level; one past the lowest for no level."""
    codes = [outcome.level.code for outcome in result.levels]
    return codes.index(result.level_code) if result.level else len(codes)


def rule_holds(level: LevelContent, met: dict[str, bool], edition: EditionContent) -> bool:
    """The rule, written out again independently of charter.levels."""
    mandatory_met = all(met[c.code] for c in edition.commitments if c.mandatory)
    optional_met = sum(met[c.code] for c in edition.commitments if not c.mandatory)
    if level.rule == LevelRule.ALL_COMMITMENTS:
        return all(met.values())
    if level.rule == LevelRule.MANDATORY_PLUS:
        return mandatory_met and optional_met >= level.min_optional
    return mandatory_met


PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(cases())
def test_property_the_level_is_the_highest_whose_rule_holds(case):
    """The level reached is the first, highest first, whose rule holds; none above it holds."""
    edition, employees, answers, verifications = case
    result = compute_level(edition, employees=employees, answers=answers, verifications=verifications)
    met = {
        c.code: all(
            answers[k.code] == "yes" and (verifications is None or verifications.get(k.code) is True)
            for k in c.criteria
            if k.min_employees is None or employees >= k.min_employees
        )
        for c in edition.commitments
    }
    assert {outcome.code: outcome.met for outcome in result.commitments} == met
    holds = [rule_holds(level, met, edition) for level in edition.levels]
    assert [outcome.rule_holds for outcome in result.levels] == holds
    expected = next((level for level, ok in zip(edition.levels, holds, strict=True) if ok), None)
    assert result.level == expected
    assert all(outcome.reason.startswith("Met") == outcome.met for outcome in result.commitments)


@PROPERTY_SETTINGS
@given(cases(), st.data())
def test_property_adding_a_yes_never_lowers_the_level(case, data):
    """Changing any answer to Yes never gives a lower level."""
    edition, employees, answers, verifications = case
    code = data.draw(st.sampled_from([criterion.code for criterion in edition.criteria]))
    before = compute_level(edition, employees=employees, answers=answers, verifications=verifications)
    after = compute_level(edition, employees=employees, answers=answers | {code: "yes"}, verifications=verifications)
    assert rank(after) <= rank(before)
    assert len(after.met) >= len(before.met)


@PROPERTY_SETTINGS
@given(cases())
def test_property_verifications_never_raise_the_level(case):
    """The level after review is never higher than the provisional one, and equal when all is verified."""
    edition, employees, answers, verifications = case
    provisional = compute_level(edition, employees=employees, answers=answers)
    reviewed = compute_level(edition, employees=employees, answers=answers, verifications=verifications or {})
    assert rank(reviewed) >= rank(provisional)
    everything = dict.fromkeys(answers, True)
    assert compute_level(
        edition, employees=employees, answers=answers, verifications=everything
    ) == dataclasses.replace(provisional, verifications_applied=True)


@PROPERTY_SETTINGS
@given(cases(), st.data())
def test_property_answers_to_criteria_that_do_not_apply_change_nothing(case, data):
    """Whatever is answered to a criterion that does not apply, the result is the same."""
    edition, employees, answers, verifications = case
    not_applicable = [c.code for c in edition.criteria if not c.applies_to(employees)]
    changed = answers | {code: data.draw(ANSWERS) for code in not_applicable}
    assert compute_level(edition, employees=employees, answers=changed, verifications=verifications) == compute_level(
        edition, employees=employees, answers=answers, verifications=verifications
    )
