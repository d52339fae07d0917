"""charter.selectors: which edition is current, and an edition's content for the level function."""

from datetime import date

import time_machine

from charter.levels import compute_level
from charter.selectors import current_edition, edition_content, editions_with_content
from charter.services import edition_load
from tests.charter.helpers import variant


def load(code: str, published: date):
    def change(data):
        data["edition"] = code
        data["published"] = published
        data["name"] = f"Charter {code}"

    return edition_load(actor=None, source=variant(change)).edition


def test_no_edition_loaded_means_no_current_edition(db):
    """Before any edition is loaded there is no current edition."""
    assert current_edition() is None


def test_the_latest_edition_whose_date_has_arrived_is_current(db):
    """Of the editions published by today, the latest is current; one dated later waits for its day."""
    first = load("2027", date(2026, 12, 1))
    second = load("2028", date(2027, 12, 1))
    third = load("2029", date(2028, 12, 1))
    assert current_edition(today=date(2027, 6, 1)) == first
    assert current_edition(today=date(2027, 12, 1)) == second
    assert current_edition(today=date(2028, 11, 30)) == second
    assert current_edition(today=date(2030, 1, 1)) == third


def test_an_edition_loaded_later_with_an_earlier_date_does_not_take_over(db):
    """Loading an older edition afterwards leaves the later-dated one current."""
    later = load("2028", date(2027, 12, 1))
    load("2027", date(2026, 12, 1))
    assert current_edition(today=date(2028, 1, 1)) == later


def test_before_any_date_has_arrived_the_earliest_edition_is_current(db):
    """A council launching before its first edition's date still has a charter: the earliest one."""
    first = load("2027", date(2026, 12, 1))
    load("2028", date(2027, 12, 1))
    assert current_edition(today=date(2026, 11, 22)) == first


def test_the_same_date_goes_to_the_edition_loaded_last(db):
    """Two editions with one date: the one loaded last is current."""
    with time_machine.travel("2026-11-01 09:00Z"):
        load("2027", date(2026, 12, 1))
    with time_machine.travel("2026-11-02 09:00Z"):
        corrected = load("2027b", date(2026, 12, 1))
    assert current_edition(today=date(2026, 12, 5)) == corrected


def test_today_is_the_default(db):
    """Without `today`, the current edition is chosen for the local date."""
    first = load("2027", date(2026, 12, 1))
    second = load("2028", date(2027, 12, 1))
    with time_machine.travel("2027-11-30 12:00Z"):
        assert current_edition() == first
    with time_machine.travel("2027-12-01 12:00Z"):
        assert current_edition() == second


def test_current_edition_comes_with_its_content_in_four_queries(db, django_assert_num_queries):
    """The edition, its levels, commitments and criteria come in four queries, however many there are."""
    load("2027", date(2026, 12, 1))
    with django_assert_num_queries(4):
        edition = current_edition(today=date(2027, 1, 1))
        criteria = [criterion for commitment in edition.commitments.all() for criterion in commitment.criteria.all()]
        levels = list(edition.levels.all())
    assert (len(criteria), len(levels)) == (18, 3)


def test_edition_content_needs_no_more_queries_when_prefetched(charter_edition, django_assert_num_queries):
    """Built from a prefetched edition, the content costs no queries; the level function then needs none."""
    edition = editions_with_content().get(pk=charter_edition.pk)
    with django_assert_num_queries(0):
        content = edition_content(edition)
        result = compute_level(content, employees=10, answers={})
    assert [c.code for c in content.commitments][:3] == ["pay", "hours", "fair"]
    assert [c.code for c in content.commitments[0].criteria] == [
        "pay.direct",
        "pay.contractors",
        "pay.uplift",
        "pay.lwf",
    ]
    assert result.level is None


def test_edition_content_keeps_the_order_of_the_file(charter_edition, charter_content):
    """The content read from the database equals the content of the shipped file, order included."""
    assert edition_content(charter_edition) == charter_content
