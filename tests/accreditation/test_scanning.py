"""accreditation/scanning.py: the EICAR stub, the clamd INSTREAM client against a fake clamd, and the choice."""

import io
import logging
import runpy
import socket
import time
import zipfile

import pytest

from accreditation.scanning import (
    EICAR,
    EICAR_SIGNATURE,
    ClamdScanner,
    EicarStubScanner,
    ScannerUnavailable,
    ScanResult,
    get_scanner,
)
from tests.accreditation.files import csv_bytes, pdf_bytes, zip_bytes
from tests.accreditation.files.clamd import FakeClamd
from tests.config.conftest import SETTINGS_FILE


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- The EICAR stub ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(pdf_bytes() + b"%" + EICAR + b"\n", id="pdf"),
        pytest.param(zip_bytes({"readme.txt": EICAR}, compression=zipfile.ZIP_STORED), id="zip"),
        pytest.param(csv_bytes() + b"Eve," + EICAR + b"\n", id="csv"),
        pytest.param(EICAR, id="bare"),
    ],
)
def test_stub_finds_eicar_anywhere_in_the_file(content):
    """The stub reports the EICAR test string inside a PDF, a zip member or a CSV as Eicar-Test-Signature."""
    result = EicarStubScanner().scan(io.BytesIO(content))
    assert result == ScanResult(clean=False, signature=EICAR_SIGNATURE, scanner="eicar-stub")


def test_stub_finds_eicar_split_across_two_reads():
    """EICAR straddling the boundary between two 64 KB reads is still found."""
    content = b"a" * (64 * 1024 - 20) + EICAR + b"b" * 100
    assert EicarStubScanner().scan(io.BytesIO(content)).clean is False


def test_stub_passes_a_clean_file_and_rewinds_it():
    """A file without EICAR is clean; the stub reads from the start and leaves the position at 0."""
    file = io.BytesIO(pdf_bytes())
    file.seek(100)
    assert EicarStubScanner().scan(file) == ScanResult(clean=True, signature=None, scanner="eicar-stub")
    assert file.tell() == 0


def test_stub_does_not_see_a_partial_eicar():
    """Most of the test string is not the test string: no false alarm."""
    assert EicarStubScanner().scan(io.BytesIO(EICAR[:-1] + b"\n" + EICAR[1:])).clean is True


# --- The clamd client ----------------------------------------------------------------------------


def test_clamd_passes_a_clean_file_over_tcp():
    """A clean file gets `stream: OK` from clamd: a clean verdict from the "clamav" scanner."""
    with FakeClamd() as clamd:
        result = ClamdScanner(host=clamd.host, port=clamd.port, timeout=5).scan(io.BytesIO(pdf_bytes()))
    assert result == ScanResult(clean=True, signature=None, scanner="clamav")


def test_clamd_reports_the_signature_it_found():
    """`stream: <signature> FOUND` becomes an unclean verdict naming the signature."""
    with FakeClamd() as clamd:
        result = ClamdScanner(host=clamd.host, port=clamd.port, timeout=5).scan(
            io.BytesIO(pdf_bytes() + b"%" + EICAR + b"\n")
        )
    assert result == ScanResult(clean=False, signature="Eicar-Signature", scanner="clamav")


def test_clamd_is_sent_the_whole_file_as_length_prefixed_chunks():
    """INSTREAM as clamd(8) defines it: zINSTREAM, chunks no longer than asked, a zero-length end; file rewound."""
    content = bytes(range(256)) * 1000  # 256,000 bytes
    file = io.BytesIO(content)
    with FakeClamd() as clamd:
        ClamdScanner(host=clamd.host, port=clamd.port, timeout=5, chunk_bytes=100_000).scan(file)
    assert clamd.commands == [b"zINSTREAM\0"]
    assert clamd.chunk_lengths == [100_000, 100_000, 56_000, 0]
    assert clamd.received == content
    assert file.tell() == 0


def test_clamd_over_a_unix_socket(tmp_path):
    """CLAMAV_SOCKET's way: the same conversation over a unix socket."""
    path = tmp_path / "clamd.sock"
    with FakeClamd(unix_path=path):
        scanner = ClamdScanner(socket_path=str(path), timeout=5)
        assert scanner.scan(io.BytesIO(b"hello")).clean is True
        assert scanner.scan(io.BytesIO(EICAR)).signature == "Eicar-Signature"


def test_clamd_refusing_a_stream_over_its_limit_is_no_verdict():
    """`INSTREAM size limit exceeded. ERROR` (then a closed connection) is ScannerUnavailable, never clean."""
    with FakeClamd(stream_max_length=100_000) as clamd:
        scanner = ClamdScanner(host=clamd.host, port=clamd.port, timeout=5)
        with pytest.raises(ScannerUnavailable):
            scanner.scan(io.BytesIO(b"x" * 1_000_000))


def test_clamd_that_cannot_be_reached_is_unavailable():
    """Connection refused: ScannerUnavailable."""
    with pytest.raises(ScannerUnavailable, match="could not be reached"):
        ClamdScanner(host="127.0.0.1", port=closed_port(), timeout=5).scan(io.BytesIO(b"hello"))


def test_clamd_socket_that_does_not_exist_is_unavailable(tmp_path):
    """A CLAMAV_SOCKET path with nothing there: ScannerUnavailable."""
    with pytest.raises(ScannerUnavailable, match="could not be reached"):
        ClamdScanner(socket_path=str(tmp_path / "missing.sock"), timeout=5).scan(io.BytesIO(b"hello"))


def test_clamd_that_does_not_answer_in_time_is_unavailable():
    """A clamd that reads the file and never answers: ScannerUnavailable once the timeout passes, not a hang."""
    with FakeClamd(mode="silent") as clamd:
        started = time.monotonic()
        with pytest.raises(ScannerUnavailable, match="did not answer within 0.3 seconds"):
            ClamdScanner(host=clamd.host, port=clamd.port, timeout=0.3).scan(io.BytesIO(b"hello"))
        assert time.monotonic() - started < 5


def test_clamd_reply_that_is_no_verdict_is_unavailable():
    """Any reply but OK or FOUND (here, nonsense) is ScannerUnavailable: never read as clean."""
    with FakeClamd(mode="garbage") as clamd, pytest.raises(ScannerUnavailable, match="gave no verdict"):
        ClamdScanner(host=clamd.host, port=clamd.port, timeout=5).scan(io.BytesIO(b"hello"))


def test_clamd_hanging_up_without_a_word_is_unavailable():
    """A server that takes the command and closes the connection: ScannerUnavailable, whatever stage it fails."""
    with FakeClamd(mode="hangup") as clamd, pytest.raises(ScannerUnavailable):
        ClamdScanner(host=clamd.host, port=clamd.port, timeout=5).scan(io.BytesIO(b"hello" * 100_000))


def test_clamd_needs_somewhere_to_connect():
    """A ClamdScanner without host or socket is a programming error, caught at once."""
    with pytest.raises(ValueError, match="needs a host or a socket path"):
        ClamdScanner()


# --- Choosing the scanner ------------------------------------------------------------------------


@pytest.fixture
def no_clamav(settings):
    settings.CLAMAV_SOCKET = ""
    settings.CLAMAV_HOST = ""
    return settings


def test_without_clamav_the_stub_is_used(no_clamav):
    """No CLAMAV_SOCKET or CLAMAV_HOST: the EICAR stub."""
    assert isinstance(get_scanner(), EicarStubScanner)


def test_clamav_host_chooses_the_clamd_client(no_clamav):
    """CLAMAV_HOST (with CLAMAV_PORT and CLAMAV_TIMEOUT) chooses clamd over TCP."""
    no_clamav.CLAMAV_HOST = "clamav.internal"
    no_clamav.CLAMAV_PORT = 3311
    no_clamav.CLAMAV_TIMEOUT = 12.5
    scanner = get_scanner()
    assert isinstance(scanner, ClamdScanner)
    assert (scanner.host, scanner.port, scanner.timeout, scanner.socket_path) == ("clamav.internal", 3311, 12.5, "")


def test_clamav_socket_wins_over_host(no_clamav):
    """With both set, the unix socket is used."""
    no_clamav.CLAMAV_HOST = "clamav.internal"
    no_clamav.CLAMAV_SOCKET = "/run/clamav/clamd.ctl"
    assert get_scanner().socket_path == "/run/clamav/clamd.ctl"


def test_the_stub_in_production_is_logged(no_clamav, caplog):
    """With DEBUG off and no ClamAV, each use of the stub logs a warning saying so."""
    no_clamav.DEBUG = False
    with caplog.at_level(logging.WARNING, logger="accreditation.scanning"):
        get_scanner()
    assert "No virus scanner is configured" in caplog.text


def test_the_stub_in_development_is_not_logged(no_clamav, caplog):
    """With DEBUG on, the stub is expected: no warning."""
    no_clamav.DEBUG = True
    with caplog.at_level(logging.WARNING, logger="accreditation.scanning"):
        get_scanner()
    assert caplog.text == ""


def test_settings_read_clamav_from_the_environment(monkeypatch):
    """config/settings.py reads CLAMAV_* and EVIDENCE_MAX_BYTES, with 3310, 30 s and 20 MB as defaults."""
    for name in ("CLAMAV_SOCKET", "CLAMAV_HOST", "CLAMAV_PORT", "CLAMAV_TIMEOUT", "EVIDENCE_MAX_BYTES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEBUG", "true")
    defaults = runpy.run_path(str(SETTINGS_FILE))
    assert (defaults["CLAMAV_SOCKET"], defaults["CLAMAV_HOST"]) == ("", "")
    assert (defaults["CLAMAV_PORT"], defaults["CLAMAV_TIMEOUT"]) == (3310, 30.0)
    assert defaults["EVIDENCE_MAX_BYTES"] == 20 * 1024 * 1024

    monkeypatch.setenv("CLAMAV_HOST", "clamav.internal")
    monkeypatch.setenv("CLAMAV_PORT", "3311")
    monkeypatch.setenv("CLAMAV_TIMEOUT", "7.5")
    monkeypatch.setenv("EVIDENCE_MAX_BYTES", "1048576")
    configured = runpy.run_path(str(SETTINGS_FILE))
    assert (configured["CLAMAV_HOST"], configured["CLAMAV_PORT"], configured["CLAMAV_TIMEOUT"]) == (
        "clamav.internal",
        3311,
        7.5,
    )
    assert configured["EVIDENCE_MAX_BYTES"] == 1048576
