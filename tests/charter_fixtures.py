"""Fixtures for the charter, shared by every app's tests (registered in tests/conftest.py)."""

from pathlib import Path

import pytest
from django.conf import settings

from charter.services import edition_load
from charter.validation import parse_charter

SHIPPED_CHARTER = Path(settings.BASE_DIR) / "charter" / "data" / "fine-city-charter-2027.yaml"


@pytest.fixture(scope="session")
def charter_content():
    """The shipped first edition's content as plain values (no database), for the level function."""
    return parse_charter(SHIPPED_CHARTER.read_text(encoding="utf-8"))


@pytest.fixture
def charter_edition(db):
    """The shipped first edition, loaded as `make run` loads it; it is the current edition."""
    source = SHIPPED_CHARTER.read_text(encoding="utf-8")
    return edition_load(actor=None, source=source, source_name=SHIPPED_CHARTER.name).edition
