"""Reading and checking a charter file (YAML). Every problem is reported with its place in the file.

`parse_charter(source)` returns the edition's content, or raises `CharterFileInvalid` listing every
problem found, each with its place (`commitments[3].criteria[1].code`) and line. The rules:

- The file is one YAML mapping, at most 1 MB, without anchors or aliases (`&`, `*`).
- Top level: `edition`, `name`, `council`, `published`, `summary`, `declaration`, `levels` and
  `commitments` are all required; no other key is allowed (a near miss gets "did you mean ...?").
- `edition` is text (quote it: "2027") of letters, digits, `.`, `-` or `_`, at most 20 characters.
- `published` is a date written YYYY-MM-DD.
- Texts (`name`, `council`, `summary`, `declaration`, a commitment's `title` and `summary`, a level's
  `name`, a criterion's `text`) are required and not empty. A criterion's `guidance` may be left out
  or be "" (none).
- `levels`: a non-empty list, highest first. Each has `code`, `name` and `rule` (`all_commitments`,
  `mandatory_plus` or `mandatory_only`); `min_optional` (a whole number of at least 1, at most the
  number of optional commitments) is required for `mandatory_plus` and refused for the others. Each
  level must be strictly easier to reach than the one above it (otherwise it could never be reached,
  or would hide the one above). A `mandatory_only` level needs at least one mandatory commitment.
- `commitments`: a non-empty list. Each has `code`, `title`, `summary`, `mandatory` (true or false)
  and a non-empty list of `criteria`, at least one of which applies to every employer (has no
  `min_employees`), so that no commitment is met just by being small.
- A criterion has `code`, `text` and `allows_not_yet` (true or false); `guidance` (text), `evidence`
  (a list of descriptions, [] for none) and `min_employees` (a whole number of at least 1) are optional.
  Each evidence description starts with a capital letter or a digit: this catches the easy mistake of
  `[A payroll summary, with names removed]`, which YAML reads as two items (quote it instead).
- Codes: commitment and level codes are lower-case words (`a-z`, `0-9`, `_`), unique among
  commitments / among levels. A criterion's code is its commitment's code, a dot and a word
  (`pay.direct`), unique in the edition: answers are keyed by it.
"""

import difflib
import re
from dataclasses import dataclass
from datetime import date

import yaml

from .content import CommitmentContent, CriterionContent, EditionContent, LevelContent, LevelRule

MAX_SOURCE_CHARS = 1_000_000

TOP_KEYS = ("edition", "name", "council", "published", "summary", "declaration", "levels", "commitments")
LEVEL_KEYS = ("code", "name", "rule", "min_optional")
COMMITMENT_KEYS = ("code", "title", "summary", "mandatory", "criteria")
CRITERION_KEYS = ("code", "text", "guidance", "evidence", "allows_not_yet", "min_employees")

EDITION_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}")
WORD_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
CRITERION_CODE = re.compile(r"([a-z][a-z0-9_]{0,39})\.([a-z][a-z0-9_]{0,39})")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")

# Lengths the database holds (charter.models).
MAX_NAME = 200
MAX_LEVEL_NAME = 100


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a charter file, and where."""

    place: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.place or '(top level)'}: {self.message}{where}"


class CharterFileInvalid(Exception):
    """The charter file has problems; nothing was loaded."""

    def __init__(self, problems):
        self.problems = tuple(problems)
        count = len(self.problems)
        super().__init__(f"The charter file has {count} problem{'s' if count != 1 else ''}.")


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit dates, so a bad date is reported by the checks, not as a crash."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _child(place: str, key: str) -> str:
    return f"{place}.{key}" if place else key


def _parent(place: str) -> str:
    cut = max(place.rfind("."), place.rfind("["))
    return place[:cut] if cut > 0 else ""


class _Reader:
    """Turns YAML nodes into plain values, remembering the line of each place and collecting problems."""

    def __init__(self):
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}
        # Places already reported as unreadable: the checks say nothing more about them.
        self.refused: set[str] = set()
        self._seen: set[int] = set()
        self._constructor = _Loader("")

    def line(self, place: str) -> int | None:
        while place not in self.lines and place:
            place = _parent(place)
        return self.lines.get(place)

    def problem(self, place: str, message: str, *, line_of: str | None = None) -> None:
        """Report a problem at `place`, on the line of `line_of` (another place) if given."""
        if any(place == refused or place.startswith((f"{refused}.", f"{refused}[")) for refused in self.refused):
            return
        self.problems.append(Problem(place, message, self.line(line_of or place)))

    def refuse(self, place: str, message: str) -> None:
        self.problem(place, message)
        self.refused.add(place)

    def read(self, node, place: str = ""):
        self.lines.setdefault(place, node.start_mark.line + 1)
        if id(node) in self._seen:
            self.refuse(place, "anchors and aliases (& and *) are not allowed in a charter file")
            return None
        self._seen.add(id(node))
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in PLAIN_TAGS:
            self.refuse(place, f"cannot be read: the tag {node.tag} is not allowed")
            return None
        if isinstance(node, yaml.MappingNode):
            result = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(Problem(place, "a key must be a plain word", key_node.start_mark.line + 1))
                    continue
                key = key_node.value
                if key in result:
                    self.problems.append(
                        Problem(place, f"key '{key}' appears more than once", key_node.start_mark.line + 1)
                    )
                    continue
                # A value's place is the line of its key (an empty value or an alias has no line of its own).
                self.lines[_child(place, key)] = key_node.start_mark.line + 1
                result[key] = self.read(value_node, _child(place, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.read(item, f"{place}[{index}]") for index, item in enumerate(node.value)]
        try:
            return self._constructor.construct_object(node)
        except yaml.YAMLError as exc:
            self.refuse(place, f"cannot be read: {getattr(exc, 'problem', None) or exc}")
            return None


def _describe(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "text"


class _Checker:
    def __init__(self, reader: _Reader):
        self.reader = reader
        self.problem = reader.problem

    # --- shapes --------------------------------------------------------------------------------
    def mapping(self, value, place: str, keys: tuple[str, ...], what: str) -> dict | None:
        if not isinstance(value, dict):
            self.problem(place, f"must be {what} (a mapping of {', '.join(keys)}), not {_describe(value)}")
            return None
        for key in value:
            if key not in keys:
                hint = difflib.get_close_matches(key, keys, n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.problem(place, f"unknown key '{key}'{suggestion}", line_of=_child(place, key))
        return value

    def text(self, data: dict, key: str, place: str, *, required=True, max_length=None) -> str | None:
        where = _child(place, key)
        if key not in data:
            if required:
                self.problem(where, "missing")
                return None
            return ""
        value = data[key]
        if not isinstance(value, str):
            if isinstance(value, int | float) and not isinstance(value, bool):
                self.problem(where, f'must be text, not a number: put it in quotes ("{value}")')
            else:
                self.problem(where, f"must be text, not {_describe(value)}")
            return None
        value = value.strip()
        if required and not value:
            self.problem(where, "is empty")
            return None
        if max_length and len(value) > max_length:
            self.problem(where, f"is longer than {max_length} characters")
            return None
        return value

    def boolean(self, data: dict, key: str, place: str) -> bool | None:
        where = _child(place, key)
        if key not in data:
            self.problem(where, "missing (true or false)")
            return None
        if not isinstance(data[key], bool):
            self.problem(where, f"must be true or false, not {_describe(data[key])}")
            return None
        return data[key]

    def whole_number(self, data: dict, key: str, place: str, hint: str = "") -> int | None:
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.problem(_child(place, key), f"must be a whole number of at least 1, not {value!r}{hint}")
            return None
        return value

    def code(self, data: dict, place: str, pattern: re.Pattern, example: str) -> str | None:
        code = self.text(data, "code", place)
        if code is None:
            return None
        if not pattern.fullmatch(code):
            self.problem(_child(place, "code"), f"'{code}' is not a valid code (like '{example}')")
            return None
        return code

    # --- the file ------------------------------------------------------------------------------
    def edition(self, data) -> EditionContent | None:
        data = self.mapping(data, "", TOP_KEYS, "a charter")
        if data is None:
            return None
        code = self.text(data, "edition", "")
        if code is not None and not EDITION_CODE.fullmatch(code):
            self.problem("edition", f"'{code}' must be up to 20 letters, digits, '.', '-' or '_', like \"2027\"")
            code = None
        name = self.text(data, "name", "", max_length=MAX_NAME)
        council = self.text(data, "council", "", max_length=MAX_NAME)
        published = self.published(data)
        summary = self.text(data, "summary", "")
        declaration = self.text(data, "declaration", "")
        commitments = self.commitments(data)
        levels = self.levels(data, commitments)
        if self.reader.problems:
            return None
        return EditionContent(
            code=code,
            name=name,
            council=council,
            published=published,
            summary=summary,
            declaration=declaration,
            levels=tuple(levels),
            commitments=tuple(commitments),
        )

    def published(self, data: dict) -> date | None:
        if "published" not in data:
            self.problem("published", "missing (a date, YYYY-MM-DD)")
            return None
        value = data["published"]
        if isinstance(value, date):  # an explicit !!timestamp tag
            return value
        if isinstance(value, str) and ISO_DATE.fullmatch(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem("published", f"{value!r} is not a date: write it as YYYY-MM-DD, like 2026-12-01")
        return None

    def commitments(self, data: dict) -> list[CommitmentContent] | None:
        if "commitments" not in data:
            self.problem("commitments", "missing")
            return None
        items = data["commitments"]
        if not isinstance(items, list):
            self.problem("commitments", f"must be a list of commitments, not {_describe(items)}")
            return None
        if not items:
            self.problem("commitments", "is empty: a charter needs at least one commitment")
            return None
        commitment_codes: dict[str, str] = {}
        criterion_codes: dict[str, str] = {}
        result = []
        for index, item in enumerate(items):
            place = f"commitments[{index}]"
            commitment = self.commitment(item, place, commitment_codes, criterion_codes)
            result.append(commitment)
        return None if any(commitment is None for commitment in result) else result

    def commitment(self, item, place: str, commitment_codes: dict, criterion_codes: dict) -> CommitmentContent | None:
        item = self.mapping(item, place, COMMITMENT_KEYS, "a commitment")
        if item is None:
            return None
        code = self.code(item, place, WORD_CODE, "pay")
        if code is not None:
            if code in commitment_codes:
                self.problem(_child(place, "code"), f"duplicate code '{code}' (first at {commitment_codes[code]})")
            else:
                commitment_codes[code] = place
        title = self.text(item, "title", place, max_length=MAX_NAME)
        summary = self.text(item, "summary", place)
        mandatory = self.boolean(item, "mandatory", place)
        criteria = self.criteria(item, place, code, criterion_codes)
        if None in (code, title, summary, mandatory, criteria):
            return None
        return CommitmentContent(code=code, title=title, summary=summary, mandatory=mandatory, criteria=criteria)

    def criteria(self, commitment: dict, place: str, commitment_code, codes: dict) -> tuple | None:
        where = _child(place, "criteria")
        if "criteria" not in commitment:
            self.problem(where, "missing")
            return None
        items = commitment["criteria"]
        if not isinstance(items, list):
            self.problem(where, f"must be a list of criteria, not {_describe(items)}")
            return None
        if not items:
            self.problem(where, "is empty: a commitment needs at least one criterion")
            return None
        result = [self.criterion(item, f"{where}[{index}]", commitment_code, codes) for index, item in enumerate(items)]
        if any(criterion is None for criterion in result):
            return None
        if all(criterion.min_employees is not None for criterion in result):
            self.problem(
                where,
                "every criterion applies only from a number of employees: at least one must apply to every "
                "employer, or a small employer would meet this commitment without doing anything",
            )
            return None
        return tuple(result)

    def criterion(self, item, place: str, commitment_code, codes: dict) -> CriterionContent | None:
        item = self.mapping(item, place, CRITERION_KEYS, "a criterion")
        if item is None:
            return None
        code = self.code(item, place, CRITERION_CODE, "pay.direct")
        if code is not None:
            if commitment_code is not None and not code.startswith(f"{commitment_code}."):
                self.problem(
                    _child(place, "code"), f"'{code}' must start with its commitment's code: '{commitment_code}.'"
                )
            if code in codes:
                self.problem(_child(place, "code"), f"duplicate code '{code}' (first at {codes[code]})")
            else:
                codes[code] = place
        text = self.text(item, "text", place)
        guidance = self.text(item, "guidance", place, required=False)
        evidence = self.evidence(item, place)
        allows_not_yet = self.boolean(item, "allows_not_yet", place)
        min_employees = None
        if "min_employees" in item:
            min_employees = self.whole_number(item, "min_employees", place, " (leave it out to ask every employer)")
            if min_employees is None:
                return None
        if None in (code, text, guidance, evidence, allows_not_yet):
            return None
        return CriterionContent(
            code=code,
            text=text,
            guidance=guidance,
            evidence=evidence,
            allows_not_yet=allows_not_yet,
            min_employees=min_employees,
        )

    def evidence(self, item: dict, place: str) -> tuple[str, ...] | None:
        where = _child(place, "evidence")
        if "evidence" not in item:
            return ()
        value = item["evidence"]
        if not isinstance(value, list):
            self.problem(where, f"must be a list of descriptions ([] for none), not {_describe(value)}")
            return None
        result = []
        for index, description in enumerate(value):
            if not isinstance(description, str) or not description.strip():
                self.problem(f"{where}[{index}]", "must be a description of the evidence asked for (text)")
                return None
            description = description.strip()
            if not (description[0].isupper() or description[0].isdigit()):
                # Almost always a description with a comma in a [...] list, split in two by YAML.
                hint = (
                    ": in a [...] list a comma starts a new item, so put a description containing a comma "
                    'in quotes ("..., ...")'
                    if index
                    else ""
                )
                self.problem(f"{where}[{index}]", f"'{description}' starts with a lower-case letter{hint}")
                return None
            result.append(description)
        return tuple(result)

    def levels(self, data: dict, commitments: list[CommitmentContent] | None) -> list[LevelContent] | None:
        if "levels" not in data:
            self.problem("levels", "missing")
            return None
        items = data["levels"]
        if not isinstance(items, list):
            self.problem("levels", f"must be a list of levels, highest first, not {_describe(items)}")
            return None
        if not items:
            self.problem("levels", "is empty: a charter needs at least one level")
            return None
        optional = mandatory = None
        if commitments is not None:
            optional = sum(1 for commitment in commitments if not commitment.mandatory)
            mandatory = len(commitments) - optional
        codes: dict[str, str] = {}
        result = []
        for index, item in enumerate(items):
            result.append(self.level(item, f"levels[{index}]", codes, optional, mandatory))
        if any(level is None for level in result) or optional is None:
            return None
        self.levels_in_order(result, optional)
        return result

    def level(self, item, place: str, codes: dict, optional: int | None, mandatory: int | None):
        item = self.mapping(item, place, LEVEL_KEYS, "a level")
        if item is None:
            return None
        code = self.code(item, place, WORD_CODE, "champion")
        if code is not None:
            if code in codes:
                self.problem(_child(place, "code"), f"duplicate code '{code}' (first at {codes[code]})")
            else:
                codes[code] = place
        name = self.text(item, "name", place, max_length=MAX_LEVEL_NAME)
        rule = self.text(item, "rule", place)
        if rule is not None and rule not in LevelRule.values:
            hint = difflib.get_close_matches(rule, LevelRule.values, n=1)
            suggestion = f"did you mean '{hint[0]}'? " if hint else ""
            self.problem(
                _child(place, "rule"),
                f"unknown rule '{rule}' ({suggestion}the rules are {', '.join(LevelRule.values)})",
            )
            rule = None
        min_optional = None
        if rule == LevelRule.MANDATORY_PLUS:
            if "min_optional" not in item:
                self.problem(
                    _child(place, "min_optional"),
                    "missing: a 'mandatory_plus' level needs min_optional, how many optional commitments it asks for",
                )
                return None
            min_optional = self.whole_number(item, "min_optional", place)
            if min_optional is None:
                return None
            if optional is not None and min_optional > optional:
                self.problem(
                    _child(place, "min_optional"),
                    f"{min_optional} is more than the {optional} optional commitment{'s' if optional != 1 else ''} "
                    "in this edition, so the level could never be reached",
                )
                return None
        elif rule is not None and "min_optional" in item:
            self.problem(
                _child(place, "min_optional"), f"only a 'mandatory_plus' level takes min_optional, not '{rule}'"
            )
            return None
        if rule == LevelRule.MANDATORY_ONLY and mandatory == 0:
            self.problem(
                _child(place, "rule"),
                "'mandatory_only' needs at least one mandatory commitment: with none, this level would be "
                "reached without meeting anything",
            )
            return None
        if None in (code, name, rule):
            return None
        return LevelContent(code=code, name=name, rule=rule, min_optional=min_optional)

    def levels_in_order(self, levels: list[LevelContent], optional: int) -> None:
        """Levels are checked highest first, so each must be strictly easier to reach than the one above."""

        def optional_needed(level: LevelContent) -> int:
            # Every rule asks for every mandatory commitment; they differ in how many optional ones.
            if level.rule == LevelRule.ALL_COMMITMENTS:
                return optional
            if level.rule == LevelRule.MANDATORY_PLUS:
                return level.min_optional
            return 0

        for index in range(1, len(levels)):
            above, level = levels[index - 1], levels[index]
            if optional_needed(level) >= optional_needed(above):
                self.problem(
                    f"levels[{index}]",
                    f"'{level.code}' is listed below '{above.code}' but is not easier to reach: list the levels "
                    "highest first, each asking for less than the one above",
                )


def parse_charter(source: str) -> EditionContent:
    """Read and check a charter file's text; its content, or `CharterFileInvalid` with every problem."""
    if len(source) > MAX_SOURCE_CHARS:
        raise CharterFileInvalid([Problem("", f"the file is larger than {MAX_SOURCE_CHARS:,} characters")])
    try:
        root = yaml.compose(source, Loader=_Loader)  # noqa: S506 (_Loader is a SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        raise CharterFileInvalid([Problem("", f"not valid YAML: {message}", mark.line + 1 if mark else None)]) from None
    except yaml.YAMLError as exc:
        raise CharterFileInvalid([Problem("", f"not valid YAML: {exc}")]) from None
    if root is None:
        raise CharterFileInvalid([Problem("", "the file is empty")])
    reader = _Reader()
    data = reader.read(root)
    content = _Checker(reader).edition(data)
    if reader.problems:
        # In the file's order: levels are checked after the commitments they count, but come first.
        raise CharterFileInvalid(sorted(reader.problems, key=lambda problem: problem.line or 0))
    return content
