"""Building charter files for tests: the shipped one, variants of it, and files from content."""

import copy

import yaml

from tests.charter_fixtures import SHIPPED_CHARTER

SHIPPED_TEXT = SHIPPED_CHARTER.read_text(encoding="utf-8")
_SHIPPED_DATA = yaml.safe_load(SHIPPED_TEXT)


def shipped_data() -> dict:
    """The shipped charter file as plain data, a fresh copy to change."""
    return copy.deepcopy(_SHIPPED_DATA)


def dump(data: dict) -> str:
    """A charter file's text for `data`."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def variant(change) -> str:
    """The shipped file with `change(data)` applied."""
    data = shipped_data()
    change(data)
    return dump(data)


def content_to_yaml(content) -> str:
    """A charter file saying exactly what `content` (an EditionContent) says."""
    data = content.canonical()
    for level in data["levels"]:
        if level["min_optional"] is None:
            del level["min_optional"]
    for commitment in data["commitments"]:
        for criterion in commitment["criteria"]:
            if criterion["min_employees"] is None:
                del criterion["min_employees"]
    return dump(data)
