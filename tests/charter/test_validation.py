"""charter.validation: reading a charter file and reporting every problem with its place."""

import string
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charter.content import CommitmentContent, CriterionContent, EditionContent, LevelContent, LevelRule
from charter.validation import MAX_SOURCE_CHARS, CharterFileInvalid, Problem, parse_charter
from tests.charter.helpers import SHIPPED_TEXT, content_to_yaml, dump, shipped_data, variant


def problems_of(source: str) -> list[str]:
    with pytest.raises(CharterFileInvalid) as caught:
        parse_charter(source)
    return [str(problem) for problem in caught.value.problems]


def without_lines(problems: list[str]) -> list[str]:
    return [problem.rsplit(" (line ", 1)[0] for problem in problems]


def set_in(path, value):
    """A change that sets data[path...] = value (path: keys and indexes)."""

    def change(data):
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def delete(path):
    def change(data):
        target = data
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return change


def test_the_shipped_file_reads_as_the_first_edition():
    """The shipped file is edition 2027: 8 commitments (3 mandatory), 18 criteria, 3 levels highest first."""
    content = parse_charter(SHIPPED_TEXT)
    assert content.code == "2027"
    assert content.name == "Fine City Employers Charter"
    assert content.council == "Norwich City Council"
    assert content.published == date(2026, 12, 1)
    assert content.summary.startswith("A promise by Norwich employers to pay the real Living Wage")
    assert content.declaration.endswith("can be withdrawn and recovered if the information given is false.")
    assert [c.code for c in content.commitments] == [
        "pay",
        "hours",
        "fair",
        "voice",
        "skills",
        "inclusion",
        "wellbeing",
        "local",
    ]
    assert [c.code for c in content.mandatory_commitments] == ["pay", "hours", "fair"]
    assert len(content.criteria) == 18
    assert content.levels == (
        LevelContent("champion", "Champion", LevelRule.ALL_COMMITMENTS),
        LevelContent("accredited", "Accredited Employer", LevelRule.MANDATORY_PLUS, 3),
        LevelContent("supporter", "Supporter", LevelRule.MANDATORY_ONLY),
    )


def test_the_shipped_file_keeps_each_criterions_details():
    """Guidance, evidence, 'Not yet' and min_employees are read as the file says, texts without trailing space."""
    criteria = {criterion.code: criterion for criterion in parse_charter(SHIPPED_TEXT).criteria}
    pay_gap = criteria["inclusion.pay_gap"]
    assert pay_gap.min_employees == 250
    assert pay_gap.allows_not_yet is True
    assert pay_gap.evidence == ("A link to or copy of your latest pay gap report",)
    assert criteria["pay.direct"].allows_not_yet is False
    assert criteria["pay.direct"].guidance == (
        "Include part-time, temporary and seasonal staff and overtime hours. Apprentices, "
        "interns and volunteers are outside this criterion."
    )
    assert criteria["pay.uplift"].evidence == ()
    assert criteria["voice.forum"].guidance == ""
    assert [code for code, criterion in criteria.items() if criterion.min_employees] == ["inclusion.pay_gap"]


def test_evidence_descriptions_with_commas_stay_whole():
    """Each evidence description with a comma is one item (the shipped file quotes them)."""
    criteria = {criterion.code: criterion for criterion in parse_charter(SHIPPED_TEXT).criteria}
    assert criteria["pay.direct"].evidence == (
        "A payroll summary showing your lowest hourly rate of pay, with names removed",
    )
    assert criteria["hours.no_zero_hours"].evidence == ("Your policy on contracts and hours, or a template contract",)


def test_an_unquoted_comma_in_an_evidence_list_is_reported():
    """`[A payroll summary, with names removed]` (two items to YAML) is refused with a hint to quote it."""
    source = SHIPPED_TEXT.replace(
        '["A payroll summary showing your lowest hourly rate of pay, with names removed"]',
        "[A payroll summary showing your lowest hourly rate of pay, with names removed]",
    )
    assert problems_of(source) == [
        "commitments[0].criteria[0].evidence[1]: 'with names removed' starts with a lower-case letter: in a [...] "
        'list a comma starts a new item, so put a description containing a comma in quotes ("..., ...") (line 46)'
    ]


# (change to the shipped file, the problem reported without its line number)
BROKEN = {
    "unknown criterion key": (
        set_in(["commitments", 3, "criteria", 1, "evidnce"], []),
        "commitments[3].criteria[1]: unknown key 'evidnce' (did you mean 'evidence'?)",
    ),
    "unknown top-level key": (
        set_in(["edtion"], "2028"),
        "(top level): unknown key 'edtion' (did you mean 'edition'?)",
    ),
    "unknown commitment key": (
        set_in(["commitments", 0, "colour"], "red"),
        "commitments[0]: unknown key 'colour'",
    ),
    "missing criterion text": (
        delete(["commitments", 0, "criteria", 2, "text"]),
        "commitments[0].criteria[2].text: missing",
    ),
    "empty criterion text": (
        set_in(["commitments", 0, "criteria", 2, "text"], "   "),
        "commitments[0].criteria[2].text: is empty",
    ),
    "criterion text not text": (
        set_in(["commitments", 0, "criteria", 2, "text"], ["a", "list"]),
        "commitments[0].criteria[2].text: must be text, not a list",
    ),
    "missing commitment title": (
        delete(["commitments", 2, "title"]),
        "commitments[2].title: missing",
    ),
    "missing commitment summary": (
        delete(["commitments", 2, "summary"]),
        "commitments[2].summary: missing",
    ),
    "title too long": (
        set_in(["commitments", 2, "title"], "A" * 201),
        "commitments[2].title: is longer than 200 characters",
    ),
    "missing declaration": (delete(["declaration"]), "declaration: missing"),
    "empty name": (set_in(["name"], ""), "name: is empty"),
    "duplicate criterion code": (
        set_in(["commitments", 0, "criteria", 1, "code"], "pay.direct"),
        "commitments[0].criteria[1].code: duplicate code 'pay.direct' (first at commitments[0].criteria[0])",
    ),
    "duplicate commitment code": (
        set_in(["commitments", 4, "code"], "voice"),
        "commitments[4].code: duplicate code 'voice' (first at commitments[3])",
    ),
    "duplicate level code": (
        set_in(["levels", 2, "code"], "champion"),
        "levels[2].code: duplicate code 'champion' (first at levels[0])",
    ),
    "criterion code not prefixed by its commitment's": (
        set_in(["commitments", 1, "criteria", 0, "code"], "pay.zero_hours"),
        "commitments[1].criteria[0].code: 'pay.zero_hours' must start with its commitment's code: 'hours.'",
    ),
    "criterion code without a dot": (
        set_in(["commitments", 1, "criteria", 0, "code"], "zero_hours"),
        "commitments[1].criteria[0].code: 'zero_hours' is not a valid code (like 'pay.direct')",
    ),
    "commitment code with capitals and spaces": (
        set_in(["commitments", 7, "code"], "Local Economy"),
        "commitments[7].code: 'Local Economy' is not a valid code (like 'pay')",
    ),
    "unknown level rule": (
        set_in(["levels", 1, "rule"], "mandatory_plu"),
        "levels[1].rule: unknown rule 'mandatory_plu' (did you mean 'mandatory_plus'? the rules are "
        "all_commitments, mandatory_plus, mandatory_only)",
    ),
    "mandatory_plus without min_optional": (
        delete(["levels", 1, "min_optional"]),
        "levels[1].min_optional: missing: a 'mandatory_plus' level needs min_optional, how many optional "
        "commitments it asks for",
    ),
    "min_optional above the optional commitments": (
        set_in(["levels", 1, "min_optional"], 6),
        "levels[1].min_optional: 6 is more than the 5 optional commitments in this edition, so the level could "
        "never be reached",
    ),
    "min_optional zero": (
        set_in(["levels", 1, "min_optional"], 0),
        "levels[1].min_optional: must be a whole number of at least 1, not 0",
    ),
    "min_optional as text": (
        set_in(["levels", 1, "min_optional"], "3"),
        "levels[1].min_optional: must be a whole number of at least 1, not '3'",
    ),
    "min_optional on another rule": (
        set_in(["levels", 2, "min_optional"], 1),
        "levels[2].min_optional: only a 'mandatory_plus' level takes min_optional, not 'mandatory_only'",
    ),
    "levels not highest first": (
        lambda data: data["levels"].reverse(),
        "levels[1]: 'accredited' is listed below 'supporter' but is not easier to reach: list the levels highest "
        "first, each asking for less than the one above",
    ),
    "two levels asking the same": (
        set_in(["levels", 1, "min_optional"], 5),
        "levels[1]: 'accredited' is listed below 'champion' but is not easier to reach: list the levels highest "
        "first, each asking for less than the one above",
    ),
    "no levels": (set_in(["levels"], []), "levels: is empty: a charter needs at least one level"),
    "levels not a list": (set_in(["levels"], "champion"), "levels: must be a list of levels, highest first, not text"),
    "level not a mapping": (
        set_in(["levels", 0], "champion"),
        "levels[0]: must be a level (a mapping of code, name, rule, min_optional), not text",
    ),
    "mandatory_only with nothing mandatory": (
        lambda data: [commitment.update(mandatory=False) for commitment in data["commitments"]],
        "levels[2].rule: 'mandatory_only' needs at least one mandatory commitment: with none, this level would be "
        "reached without meeting anything",
    ),
    "min_employees zero": (
        set_in(["commitments", 5, "criteria", 1, "min_employees"], 0),
        "commitments[5].criteria[1].min_employees: must be a whole number of at least 1, not 0 (leave it out to "
        "ask every employer)",
    ),
    "min_employees negative": (
        set_in(["commitments", 5, "criteria", 1, "min_employees"], -250),
        "commitments[5].criteria[1].min_employees: must be a whole number of at least 1, not -250",
    ),
    "min_employees a fraction": (
        set_in(["commitments", 5, "criteria", 1, "min_employees"], 249.5),
        "commitments[5].criteria[1].min_employees: must be a whole number of at least 1, not 249.5",
    ),
    "min_employees as text": (
        set_in(["commitments", 5, "criteria", 1, "min_employees"], "250"),
        "commitments[5].criteria[1].min_employees: must be a whole number of at least 1, not '250'",
    ),
    "min_employees true": (
        set_in(["commitments", 5, "criteria", 1, "min_employees"], True),
        "commitments[5].criteria[1].min_employees: must be a whole number of at least 1, not True",
    ),
    "every criterion of a commitment behind min_employees": (
        set_in(["commitments", 5, "criteria", 0, "min_employees"], 50),
        "commitments[5].criteria: every criterion applies only from a number of employees: at least one must "
        "apply to every employer, or a small employer would meet this commitment without doing anything",
    ),
    "published not a date": (
        set_in(["published"], "1 December 2026"),
        "published: '1 December 2026' is not a date: write it as YYYY-MM-DD, like 2026-12-01",
    ),
    "published an impossible date": (
        set_in(["published"], "2026-02-30"),
        "published: '2026-02-30' is not a date: write it as YYYY-MM-DD, like 2026-12-01",
    ),
    "published missing": (delete(["published"]), "published: missing (a date, YYYY-MM-DD)"),
    "edition a number": (set_in(["edition"], 2027), 'edition: must be text, not a number: put it in quotes ("2027")'),
    "edition with spaces": (
        set_in(["edition"], "edition 2027"),
        "edition: 'edition 2027' must be up to 20 letters, digits, '.', '-' or '_', like \"2027\"",
    ),
    "no commitments": (set_in(["commitments"], []), "commitments: is empty: a charter needs at least one commitment"),
    "commitments missing": (delete(["commitments"]), "commitments: missing"),
    "commitment not a mapping": (
        set_in(["commitments", 2], "Treat people fairly"),
        "commitments[2]: must be a commitment (a mapping of code, title, summary, mandatory, criteria), not text",
    ),
    "commitment without criteria": (
        set_in(["commitments", 2, "criteria"], []),
        "commitments[2].criteria: is empty: a commitment needs at least one criterion",
    ),
    "mandatory not true or false": (
        set_in(["commitments", 0, "mandatory"], "yes"),
        "commitments[0].mandatory: must be true or false, not text",
    ),
    "allows_not_yet missing": (
        delete(["commitments", 0, "criteria", 0, "allows_not_yet"]),
        "commitments[0].criteria[0].allows_not_yet: missing (true or false)",
    ),
    "evidence not a list": (
        set_in(["commitments", 0, "criteria", 0, "evidence"], "A payroll summary"),
        "commitments[0].criteria[0].evidence: must be a list of descriptions ([] for none), not text",
    ),
    "evidence description empty": (
        set_in(["commitments", 0, "criteria", 0, "evidence"], [""]),
        "commitments[0].criteria[0].evidence[0]: must be a description of the evidence asked for (text)",
    ),
    "guidance not text": (
        set_in(["commitments", 0, "criteria", 0, "guidance"], None),
        "commitments[0].criteria[0].guidance: must be text, not nothing",
    ),
}


@pytest.mark.parametrize(("change", "expected"), BROKEN.values(), ids=BROKEN.keys())
def test_each_kind_of_problem_is_reported_with_its_place(change, expected):
    """Each kind of mistake in a charter file is reported, naming its place in the file."""
    problems = without_lines(problems_of(variant(change)))
    assert any(problem.startswith(expected) for problem in problems), problems


def test_every_problem_is_reported_at_once_in_the_files_order_with_lines():
    """Several mistakes give one list, in the order of the file, each with its line number."""
    source = (
        SHIPPED_TEXT.replace("rule: mandatory_plus", "rule: mandatory_plu")
        .replace("published: 2026-12-01", "published: 2026-13-01")
        .replace("      - code: pay.uplift\n", "      - code: pay.uplift\n        evidnce: []\n")
        .replace("        text: Staff can ask for flexible working from their first day.\n", "")
    )
    assert problems_of(source) == [
        "published: '2026-13-01' is not a date: write it as YYYY-MM-DD, like 2026-12-01 (line 11)",
        "levels[1].rule: unknown rule 'mandatory_plu' (did you mean 'mandatory_plus'? the rules are "
        "all_commitments, mandatory_plus, mandatory_only) (line 29)",
        "commitments[0].criteria[2]: unknown key 'evidnce' (did you mean 'evidence'?) (line 57)",
        "commitments[6].criteria[0].text: missing (line 154)",
    ]


def test_a_problem_reads_as_place_message_and_line():
    """A problem prints as `place: message (line N)`; without a place it says so."""
    assert str(Problem("levels[1].rule", "unknown rule 'x'", 29)) == "levels[1].rule: unknown rule 'x' (line 29)"
    assert str(Problem("", "the file is empty")) == "(top level): the file is empty"


def test_invalid_yaml_is_reported_with_its_line():
    """A file that is not YAML gives one problem with the line where reading failed."""
    source = SHIPPED_TEXT.replace("  - code: hours\n", "  - code: [hours\n")
    (problem,) = problems_of(source)
    assert problem.startswith("(top level): not valid YAML: ")
    assert problem.endswith("(line 68)")  # where the unclosed [ on line 67 turns out to be a problem


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("", "(top level): the file is empty"),
        ("# only a comment\n", "(top level): the file is empty"),
        ("- 1\n- 2\n", "(top level): must be a charter (a mapping of edition, name, council, published, summary, "),
        ("just words\n", "(top level): must be a charter"),
    ],
)
def test_a_file_that_is_not_a_charter_is_refused(source, expected):
    """An empty file, a list or plain text is refused with one clear problem first."""
    assert problems_of(source)[0].startswith(expected)


def test_a_key_given_twice_is_reported():
    """YAML would silently keep the last of two equal keys; the loader refuses instead."""
    source = SHIPPED_TEXT.replace(
        "        allows_not_yet: false\n      - code: pay.contractors\n",
        "        allows_not_yet: false\n        allows_not_yet: true\n      - code: pay.contractors\n",
    )
    assert problems_of(source) == ["commitments[0].criteria[0]: key 'allows_not_yet' appears more than once (line 48)"]


def test_anchors_and_aliases_are_refused():
    """`&` and `*` are refused (they could also blow a small file up into a huge one)."""
    source = SHIPPED_TEXT.replace("summary: >\n  A promise", "summary: &summary >\n  A promise").replace(
        "declaration: >", "declaration: *summary\nunused: >"
    )
    assert problems_of(source) == [
        "declaration: anchors and aliases (& and *) are not allowed in a charter file (line 16)",
        "(top level): unknown key 'unused' (line 17)",
    ]


def test_python_tags_are_refused_not_run():
    """A YAML tag that would build a Python object is refused as unreadable."""
    source = SHIPPED_TEXT.replace("name: Fine City Employers Charter", "name: !!python/object/apply:os.getcwd []")
    assert problems_of(source) == [
        "name: cannot be read: the tag tag:yaml.org,2002:python/object/apply:os.getcwd is not allowed (line 9)"
    ]


def test_a_huge_file_is_refused_before_reading():
    """A file over the size limit is refused without being parsed."""
    assert problems_of("#" * (MAX_SOURCE_CHARS + 1)) == ["(top level): the file is larger than 1,000,000 characters"]


def test_a_quoted_date_is_accepted():
    """`published: "2026-12-01"` reads the same as the unquoted date."""
    content = parse_charter(SHIPPED_TEXT.replace("published: 2026-12-01", 'published: "2026-12-01"'))
    assert content.published == date(2026, 12, 1)


def test_optional_criterion_keys_may_be_left_out():
    """Without guidance, evidence or min_employees a criterion has none, and applies to every employer."""

    def change(data):
        criterion = data["commitments"][5]["criteria"][1]
        for key in ("guidance", "evidence", "min_employees"):
            del criterion[key]

    criterion = parse_charter(variant(change)).commitments[5].criteria[1]
    assert (criterion.guidance, criterion.evidence, criterion.min_employees) == ("", (), None)


def test_the_hash_ignores_how_the_file_is_written():
    """Comments, key order, quoting and line folding do not change the content hash."""
    original = parse_charter(SHIPPED_TEXT)
    data = shipped_data()
    data = {key: data[key] for key in reversed(list(data))}
    rewritten = "# Written differently.\n" + dump(data)
    assert rewritten != SHIPPED_TEXT
    assert parse_charter(rewritten).canonical_hash() == original.canonical_hash()


@pytest.mark.parametrize(
    "change",
    [
        set_in(["commitments", 0, "criteria", 0, "text"], "Everyone is paid the real Living Wage."),
        set_in(["commitments", 3, "mandatory"], True),
        set_in(["levels", 1, "min_optional"], 2),
        set_in(["published"], date(2026, 12, 2)),
        lambda data: data["commitments"].reverse(),
    ],
    ids=["a word", "a flag", "a number", "the date", "the order"],
)
def test_the_hash_changes_with_the_content(change):
    """Any change to what the charter says gives another content hash."""
    assert parse_charter(variant(change)).canonical_hash() != parse_charter(SHIPPED_TEXT).canonical_hash()


# Texts as an author might write them: capitals, punctuation that YAML treats specially, unicode.
texts = st.text(alphabet=string.ascii_letters + string.digits + " ,.:;'\"#&*!?-()[]{}%@`|>£é’–", max_size=60).map(
    lambda text: ("A" + text).strip()
)
codes = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)


@st.composite
def edition_contents(draw):
    """Valid editions of any shape."""
    commitment_codes = draw(st.lists(codes, min_size=1, max_size=5, unique=True))
    mandatory_count = draw(st.integers(1, len(commitment_codes)))
    commitments = []
    for index, code in enumerate(commitment_codes):
        criterion_names = draw(st.lists(codes, min_size=1, max_size=3, unique=True))
        criteria = tuple(
            CriterionContent(
                code=f"{code}.{name}",
                text=draw(texts),
                guidance=draw(st.one_of(st.just(""), texts)),
                evidence=tuple(draw(st.lists(texts, max_size=2))),
                allows_not_yet=draw(st.booleans()),
                min_employees=None if position == 0 else draw(st.one_of(st.none(), st.integers(1, 10_000))),
            )
            for position, name in enumerate(criterion_names)
        )
        commitments.append(
            CommitmentContent(
                code=code, title=draw(texts), summary=draw(texts), mandatory=index < mandatory_count, criteria=criteria
            )
        )
    optional = len(commitments) - mandatory_count
    levels = [LevelContent("top", draw(texts), LevelRule.ALL_COMMITMENTS)]
    if optional >= 2:
        levels.append(LevelContent("middle", draw(texts), LevelRule.MANDATORY_PLUS, draw(st.integers(1, optional - 1))))
    if optional >= 1:
        levels.append(LevelContent("bottom", draw(texts), LevelRule.MANDATORY_ONLY))
    return EditionContent(
        code=draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}", fullmatch=True)),
        name=draw(texts),
        council=draw(texts),
        published=draw(st.dates(date(2000, 1, 1), date(2100, 12, 31))),
        summary=draw(texts),
        declaration=draw(texts),
        levels=tuple(levels),
        commitments=tuple(commitments),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edition_contents())
def test_any_valid_edition_written_as_a_file_reads_back_the_same(content):
    """Whatever a valid edition says, written as a charter file it reads back identical (and hashes the same)."""
    parsed = parse_charter(content_to_yaml(content))
    assert parsed == content
    assert parsed.canonical_hash() == content.canonical_hash()
