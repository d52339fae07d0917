"""manage.py load_charter: the thin command over charter.services.edition_load; its output and exit codes."""

import subprocess
import sys
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command

from charter.models import Edition
from tests.charter.helpers import variant
from tests.charter_fixtures import SHIPPED_CHARTER


def run(*args) -> str:
    out = StringIO()
    call_command("load_charter", *args, stdout=out)
    return out.getvalue()


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@time_machine.travel("2027-01-15 10:00Z")
def test_loading_the_shipped_file_says_what_was_loaded(db):
    """The shipped file loads, and the command says what it loaded and that it is now current."""
    output = run(str(SHIPPED_CHARTER))
    assert output == (
        "Loaded edition 2027 (Fine City Employers Charter): 8 commitments, 18 criteria, 3 levels.\n"
        "It is now the current edition.\n"
    )
    assert Edition.objects.get().code == "2027"


def test_loading_it_again_says_nothing_changed(db):
    """The same file a second time succeeds and says nothing changed."""
    run(str(SHIPPED_CHARTER))
    assert run(str(SHIPPED_CHARTER)) == "Edition 2027 is already loaded with the same content: nothing changed.\n"
    assert Edition.objects.count() == 1


def test_a_file_with_problems_lists_them_all_and_loads_nothing(db, tmp_path):
    """Every problem is listed with its place and line; the command fails and nothing is loaded."""

    def break_it(data):
        data["commitments"][3]["criteria"][1]["evidnce"] = []
        data["commitments"][4]["criteria"][0]["code"] = "pay.direct"

    path = write(tmp_path, "broken.yaml", variant(break_it))
    with pytest.raises(CommandError) as caught:
        run(path)
    message = str(caught.value)
    assert message.startswith(f"{path} has 3 problems, so nothing was loaded:\n  ")
    assert "  commitments[3].criteria[1]: unknown key 'evidnce' (did you mean 'evidence'?) (line " in message
    assert (
        "  commitments[4].criteria[0].code: duplicate code 'pay.direct' (first at commitments[0].criteria[0]) (line "
        in message
    )
    assert "  commitments[4].criteria[0].code: 'pay.direct' must start with its commitment's code: 'skills.'" in message
    assert not Edition.objects.exists()


def test_a_changed_published_edition_is_refused(db, tmp_path):
    """A changed file for edition 2027 fails with the message to publish a new edition instead."""
    run(str(SHIPPED_CHARTER))

    def reword(data):
        data["summary"] = "A different summary."

    with pytest.raises(CommandError, match=r"^Edition 2027 is already published and differs: publish a new edition"):
        run(write(tmp_path, "changed.yaml", variant(reword)))


@time_machine.travel("2027-01-15 10:00Z")
def test_a_future_edition_says_when_it_becomes_current(db, tmp_path):
    """A new edition dated later says the date it takes over, and which edition is current until then."""
    run(str(SHIPPED_CHARTER))

    def next_year(data):
        data["edition"] = "2028"
        data["published"] = date(2027, 12, 1)

    output = run(write(tmp_path, "2028.yaml", variant(next_year)))
    assert output.endswith("It becomes the current edition on 1 December 2027; until then edition 2027 is current.\n")


@time_machine.travel("2028-01-15 10:00Z")
def test_an_older_edition_loaded_late_says_the_current_one_stays(db, tmp_path):
    """Loading an edition dated before the current one says the current one stays."""
    run(str(SHIPPED_CHARTER))

    def last_year(data):
        data["edition"] = "2026"
        data["published"] = date(2025, 12, 1)

    output = run(write(tmp_path, "2026.yaml", variant(last_year)))
    assert output.endswith("Edition 2027 stays current: it was published later (1 December 2026).\n")


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    """A path that does not exist fails with 'no such file'."""
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "nope.yaml"))


def test_a_file_that_is_not_text_is_a_clear_error(db, tmp_path):
    """A binary file fails with 'not a UTF-8 text file'."""
    path = tmp_path / "charter.yaml"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(CommandError, match="not a UTF-8 text file"):
        run(str(path))


def test_exit_codes_from_the_shell(tmp_path):
    """Run as a program: 0 for a good file, 1 with the problems on stderr for a bad one."""
    env = {"DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PATH": "/usr/bin:/bin"}
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, check=True, timeout=120)
    ok = subprocess.run([*manage, "load_charter", str(SHIPPED_CHARTER)], env=env, capture_output=True, text=True)
    assert (ok.returncode, ok.stderr) == (0, "")
    assert "Loaded edition 2027" in ok.stdout
    bad = write(tmp_path, "bad.yaml", "edition: 2027\n")
    failed = subprocess.run([*manage, "load_charter", bad], env=env, capture_output=True, text=True)
    assert failed.returncode == 1
    assert 'edition: must be text, not a number: put it in quotes ("2027") (line 1)' in failed.stderr
