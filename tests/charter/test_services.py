"""charter.services.edition_load: publishing an edition from its file, all or nothing, audited."""

from datetime import date
from unittest import mock

import pytest

from audit.models import AuditEvent
from charter.models import Commitment, Criterion, Edition, Level
from charter.selectors import current_edition, edition_content
from charter.services import CharterFileInvalid, EditionAlreadyPublished, edition_load
from charter.validation import parse_charter
from tests.charter.helpers import SHIPPED_TEXT, variant
from tests.factories import UserFactory


def nothing_stored():
    return not any(model.objects.exists() for model in (Edition, Commitment, Criterion, Level, AuditEvent))


def next_edition(data):
    """The shipped file as a later edition, 2028, with one criterion reworded."""
    data["edition"] = "2028"
    data["published"] = date(2027, 12, 1)
    data["commitments"][0]["criteria"][0]["text"] = "Everyone aged 18 or over is paid the real Living Wage."


def test_the_shipped_file_loads_every_commitment_criterion_and_level(db):
    """Loading the shipped file stores the edition, its 8 commitments, 18 criteria and 3 levels, in order."""
    result = edition_load(actor=None, source=SHIPPED_TEXT, source_name="fine-city-charter-2027.yaml")
    edition = result.edition
    assert result.created
    assert (edition.code, edition.name, edition.council) == (
        "2027",
        "Fine City Employers Charter",
        "Norwich City Council",
    )
    assert edition.published == date(2026, 12, 1)
    assert edition.source_name == "fine-city-charter-2027.yaml"
    assert edition.declaration.startswith("I confirm that I am authorised to make this application")
    assert list(edition.commitments.values_list("code", "order", "mandatory")) == [
        ("pay", 0, True),
        ("hours", 1, True),
        ("fair", 2, True),
        ("voice", 3, False),
        ("skills", 4, False),
        ("inclusion", 5, False),
        ("wellbeing", 6, False),
        ("local", 7, False),
    ]
    assert edition.criteria.count() == 18
    assert list(edition.levels.values_list("code", "rule", "min_optional", "rank")) == [
        ("champion", "all_commitments", None, 0),
        ("accredited", "mandatory_plus", 3, 1),
        ("supporter", "mandatory_only", None, 2),
    ]
    pay_gap = Criterion.objects.get(edition=edition, code="inclusion.pay_gap")
    assert (pay_gap.commitment.code, pay_gap.order, pay_gap.min_employees, pay_gap.allows_not_yet) == (
        "inclusion",
        1,
        250,
        True,
    )
    assert pay_gap.evidence == ["A link to or copy of your latest pay gap report"]


def test_the_stored_edition_says_exactly_what_the_file_says(db):
    """Read back from the database, the edition's content (and its hash) equals the file's."""
    edition = edition_load(actor=None, source=SHIPPED_TEXT).edition
    stored = edition_content(edition)
    assert stored == parse_charter(SHIPPED_TEXT)
    assert stored.canonical_hash() == edition.content_hash


def test_loading_is_audited_with_the_actor(db):
    """The load writes one audit row: who, the edition, and what was loaded."""
    admin = UserFactory(email="admin@example.gov.uk")
    edition = edition_load(actor=admin, source=SHIPPED_TEXT, source_name="fine-city-charter-2027.yaml").edition
    (event,) = AuditEvent.objects.for_object(edition)
    assert (event.actor, event.action, event.to_state) == (admin, "charter_edition_load", "published")
    assert event.note == (
        "Edition 2027 loaded from fine-city-charter-2027.yaml: 8 commitments, 18 criteria, 3 levels; "
        f"published 2026-12-01; content SHA-256 {edition.content_hash}."
    )


def test_loading_without_an_actor_is_recorded_as_the_system(db):
    """A load by the management command (no user) is audited as the system."""
    edition = edition_load(actor=None, source=SHIPPED_TEXT).edition
    assert AuditEvent.objects.for_object(edition).get().actor_label == "System"


def test_a_file_with_problems_loads_nothing(db):
    """A file with problems raises every problem and stores nothing: no edition, no rows, no audit."""

    def break_it(data):
        data["commitments"][3]["criteria"][1]["evidnce"] = []
        del data["commitments"][0]["criteria"][2]["text"]
        data["levels"][1]["rule"] = "mandatory_plu"

    with pytest.raises(CharterFileInvalid) as caught:
        edition_load(actor=None, source=variant(break_it))
    assert len(caught.value.problems) == 3
    assert nothing_stored()


def test_loading_the_same_edition_twice_changes_nothing(db):
    """The same file again (even written differently) returns the stored edition and writes nothing."""
    first = edition_load(actor=None, source=SHIPPED_TEXT).edition
    counts = [model.objects.count() for model in (Edition, Commitment, Criterion, Level, AuditEvent)]
    again = edition_load(actor=None, source="# The same charter, again.\n" + SHIPPED_TEXT)
    assert not again.created
    assert again.edition == first
    assert [model.objects.count() for model in (Edition, Commitment, Criterion, Level, AuditEvent)] == counts


def test_a_changed_file_for_a_published_edition_is_refused(db):
    """Changing a word of edition 2027 and loading it again is refused; the stored edition is untouched."""
    edition = edition_load(actor=None, source=SHIPPED_TEXT).edition

    def reword(data):
        data["commitments"][0]["title"] = "Pay the Living Wage"

    with pytest.raises(EditionAlreadyPublished) as caught:
        edition_load(actor=None, source=variant(reword))
    assert str(caught.value) == "Edition 2027 is already published and differs: publish a new edition instead."
    assert Commitment.objects.get(edition=edition, code="pay").title == "Pay the real Living Wage"
    assert AuditEvent.objects.count() == 1


def test_a_new_edition_is_stored_beside_the_old_one_and_becomes_current(db):
    """Publishing edition 2028 keeps 2027 unchanged; 2028 is current once its date has arrived."""
    first = edition_load(actor=None, source=SHIPPED_TEXT).edition
    second = edition_load(actor=None, source=variant(next_edition)).edition
    assert Edition.objects.count() == 2
    assert current_edition(today=date(2027, 12, 1)) == second
    assert current_edition(today=date(2027, 11, 30)) == first
    assert Criterion.objects.get(edition=first, code="pay.direct").text.startswith("Every directly employed worker")
    assert Criterion.objects.get(edition=second, code="pay.direct").text == (
        "Everyone aged 18 or over is paid the real Living Wage."
    )


def test_a_failure_part_way_stores_nothing(db):
    """If storing fails after the edition row is written, the whole load is rolled back."""
    with (
        mock.patch.object(Criterion.objects, "bulk_create", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        edition_load(actor=None, source=SHIPPED_TEXT)
    assert nothing_stored()


def test_losing_a_race_to_load_the_same_edition_is_not_an_error(db):
    """If another process stores the same edition first, the load returns that edition unchanged."""
    winner = edition_load(actor=None, source=SHIPPED_TEXT).edition
    with mock.patch("charter.services.Edition.objects.filter") as filter_:
        # The first look finds nothing (the other process has not committed yet); the second finds it.
        filter_.return_value.first.side_effect = [None, winner]
        result = edition_load(actor=None, source=SHIPPED_TEXT)
    assert result == type(result)(edition=winner, created=False)
    assert Edition.objects.count() == 1
