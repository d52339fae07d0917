"""Checking an evidence file before it is stored: its name, size, type and viruses.

`inspect_upload(uploaded_file)` returns a `CheckedUpload` (safe name, content type, size, SHA-256, the
scanner that passed it) or raises `UploadRefused` with a code and a message to show the person, in the
GOV.UK Design System's words for file upload errors. The rules (PRODUCT.md section 9, issue 3 point 7):

- the type is judged from the bytes with libmagic, never from the name or the browser's content type, and
  must be one of PDF, DOCX, XLSX, ODT, ODS, CSV, PNG, JPEG; the name's extension must agree with it;
- DOCX, XLSX, ODT and ODS are zip packages. libmagic's answer for them depends on the order of the
  members (it may say plain `application/zip`, or "Word" for any zip whose first member is under
  `word/`), so for every zip the package itself decides: ODF by its `mimetype` member, Office Open XML
  by the content type of the part `_rels/.rels` names as the main document. Macro-enabled packages
  (docm/xlsm, or any with a `vbaProject.bin`) and templates are refused;
- libmagic cannot tell a CSV from other plain text, so text counts as CSV only with a `.csv` name and
  only if it is UTF-8 (with or without a byte order mark) or Windows-1252 with no NUL bytes;
- at most `EVIDENCE_MAX_BYTES` (20 MB), not empty; every file passes the virus-scan hook
  (`accreditation.scanning`), and a scanner that cannot answer refuses the file rather than let it by.

PDFs with embedded JavaScript are not refused: fillable forms use it, and a byte search cannot see
inside compressed object streams (ClamAV's PDF heuristics apply when it is configured). Whoever serves
the files should send them as attachments with the `content_type` found here and `nosniff`.
"""

import codecs
import hashlib
import logging
import posixpath
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

import magic
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from accreditation.scanning import ScannerUnavailable, get_scanner

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
READ_CHUNK_BYTES = 64 * 1024
# What libmagic is shown: enough for every signature we rely on (PDF, PNG and JPEG are in the first
# bytes; zips are opened as zips; text is checked in full separately).
HEAD_BYTES = 8 * 1024
MAX_NAME_LENGTH = 100


@dataclass(frozen=True)
class EvidenceType:
    """An allowed kind of file: how messages name it, its MIME type, the extensions its name may have."""

    described: str
    content_type: str
    extensions: tuple[str, ...]

    @property
    def endings(self) -> str:
        return " or ".join(f".{extension}" for extension in self.extensions)


PDF = EvidenceType("a PDF", "application/pdf", ("pdf",))
DOCX = EvidenceType(
    "a Word (DOCX) document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)
)
XLSX = EvidenceType(
    "an Excel (XLSX) spreadsheet", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)
)
ODT = EvidenceType("an OpenDocument text document", "application/vnd.oasis.opendocument.text", ("odt",))
ODS = EvidenceType("an OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", ("ods",))
CSV = EvidenceType("a CSV file", "text/csv", ("csv",))
PNG = EvidenceType("a PNG image", "image/png", ("png",))
JPEG = EvidenceType("a JPEG image", "image/jpeg", ("jpg", "jpeg"))

ALLOWED_TYPES = (PDF, DOCX, XLSX, ODT, ODS, CSV, PNG, JPEG)
_BY_EXTENSION = {extension: kind for kind in ALLOWED_TYPES for extension in kind.extensions}
# For a file input's `accept` attribute (a hint to the browser's file picker; it checks nothing).
ACCEPT = ",".join(f".{extension}" for extension in _BY_EXTENSION)

# libmagic's answers that are the whole story; zips and text are looked at further.
_BY_LIBMAGIC = {"application/pdf": PDF, "image/png": PNG, "image/jpeg": JPEG}
_TEXT_TYPES = {"text/plain", "text/csv"}
_ZIP_SIGNATURE = b"PK\x03\x04"
_ODF_MIMETYPES = {ODT.content_type: ODT, ODS.content_type: ODS}
_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}


# --- Refusals ------------------------------------------------------------------------------------


class UploadRefused(Exception):
    """A file that will not be stored: `code` for programs, `message` for the person who chose it."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    TYPE_NOT_ALLOWED = "type_not_allowed"
    CONTENT_MISMATCH = "content_mismatch"
    WRONG_EXTENSION = "wrong_extension"
    CSV_ENCODING = "csv_encoding"
    VIRUS = "virus"
    SCAN_FAILED = "scan_failed"

    def __init__(self, code: str, message: str, *, signature: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        # For a virus: the signature the scanner named (for logs and the audit record, not for the person).
        self.signature = signature

    def __repr__(self):
        return f"UploadRefused({self.code!r}, {self.message!r})"


TYPE_NOT_ALLOWED_MESSAGE = (
    "The selected file must be a PDF, Word (DOCX), Excel (XLSX), OpenDocument text or spreadsheet, CSV, PNG or JPEG"
)


def _empty() -> UploadRefused:
    return UploadRefused(UploadRefused.EMPTY, "The selected file is empty")


def _too_large(max_bytes: int) -> UploadRefused:
    return UploadRefused(UploadRefused.TOO_LARGE, f"The selected file must be smaller than {describe_size(max_bytes)}")


def describe_size(size: int) -> str:
    """A size in the units people use for files: `20 MB`, `1.5 MB`, `500 KB` (1 MB = 1,048,576 bytes)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    if size >= 1024:
        return f"{size / 1024:.3g} KB"
    return f"{size} bytes"


# --- Names ---------------------------------------------------------------------------------------

_KEPT_PUNCTUATION = frozenset(" -_.()")
_SEPARATORS = re.compile(r"[/\\]")
_SPACES = re.compile(r" {2,}")
# Names Windows keeps for devices, whatever follows the first dot ("CON.pdf" cannot be saved there).
_WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"COM{n}" for n in range(1, 10)] + [f"LPT{n}" for n in range(1, 10)]
)


def _split_extension(name: str) -> tuple[str, str]:
    """`("report", "pdf")` for `report.PDF`; `(name, "")` when the last dot starts no plain extension."""
    stem, dot, extension = name.rpartition(".")
    if dot and extension and len(extension) <= 10 and extension.isascii() and extension.isalnum():
        return stem, extension.lower()
    return name, ""


def _keep_safe_characters(text: str) -> str:
    kept = []
    for character in text:
        if character.isalnum() or character in _KEPT_PUNCTUATION:
            kept.append(character)
        elif character.isspace():
            kept.append(" ")
        # Anything else (controls, format characters such as right-to-left overrides, symbols) goes.
    return _SPACES.sub(" ", "".join(kept))


def sanitise_filename(name: str | None) -> str:
    """A display name safe anywhere: letters, digits, space, `-`, `_`, `.`, `(`, `)`; never empty.

    The path is dropped (both `/` and `\\`), control and format characters removed, whitespace collapsed,
    leading dots and dashes and trailing dots removed, Windows device names (`CON`, `NUL`...) altered,
    the extension lowercased, and the whole kept to 100 characters with its extension. If nothing of the
    name is left it becomes `evidence.<ext>` (or `evidence`).
    The stored file never uses this name (its key is random); this is what people see and download.
    """
    # NFKC first, so look-alikes such as a fullwidth solidus are split on like the real thing.
    text = _SEPARATORS.split(unicodedata.normalize("NFKC", name or ""))[-1]
    # Removing characters can bring together two that compose (Hangul jamo): repeat until nothing changes.
    for _ in range(5):
        cleaned = _keep_safe_characters(unicodedata.normalize("NFKC", text))
        if cleaned == text:
            break
        text = cleaned
    stem, extension = _split_extension(text.strip(" "))
    stem = stem.strip(" ").lstrip(".- ").rstrip(". ")
    device, dot, rest = stem.partition(".")
    if device.rstrip(" ").upper() in _WINDOWS_DEVICES:
        stem = f"{device.rstrip(' ')}_{dot}{rest}"

    if extension:
        stem = stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip(". ") or "evidence"
        return f"{stem}.{extension}"
    stem = stem[:MAX_NAME_LENGTH].rstrip(". ")
    # Cutting a long name may leave something that now reads as an extension: lowercase it as it would be.
    stem, extension = _split_extension(stem)
    if extension:
        return f"{stem.rstrip('. ') or 'evidence'}.{extension}"
    return stem or "evidence"


# --- Inspection ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedUpload:
    """What the checks found, for the Evidence row: the name to show, the type judged from the content."""

    safe_name: str
    content_type: str
    size: int
    sha256: str
    scanner: str


class _TextCheck:
    """Follows the bytes as they are read: is this UTF-8 (BOM or not) or Windows-1252 text with no NULs?"""

    # Bytes Windows-1252 leaves undefined (Python's cp1252 codec refuses them).
    _UNDEFINED_IN_1252 = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")

    def __init__(self):
        self._utf8 = codecs.getincrementaldecoder("utf-8-sig")()
        self.utf8 = True
        self.windows_1252 = True
        self.has_nul = False

    def feed(self, chunk: bytes, *, final: bool = False):
        if b"\0" in chunk:
            self.has_nul = True
        if self.windows_1252 and any(byte in chunk for byte in self._UNDEFINED_IN_1252):
            self.windows_1252 = False
        if self.utf8:
            try:
                self._utf8.decode(chunk, final)
            except UnicodeDecodeError:
                self.utf8 = False

    @property
    def acceptable(self) -> bool:
        return not self.has_nul and (self.utf8 or self.windows_1252)


@dataclass
class _Read:
    size: int
    sha256: str
    head: bytes
    text: _TextCheck


def _read(uploaded_file: UploadedFile, max_bytes: int) -> _Read:
    """One pass over the bytes, chunk by chunk: size, SHA-256, the head for libmagic, text checks."""
    digest = hashlib.sha256()
    text = _TextCheck()
    head = b""
    size = 0
    uploaded_file.seek(0)
    while chunk := uploaded_file.read(READ_CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:  # the reported size may understate; the bytes decide
            raise _too_large(max_bytes)
        digest.update(chunk)
        text.feed(chunk)
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
    text.feed(b"", final=True)
    return _Read(size=size, sha256=digest.hexdigest(), head=head, text=text)


def _libmagic_type(head: bytes) -> str:
    try:
        return magic.from_buffer(head, mime=True)
    except magic.MagicException:
        logger.exception("libmagic could not judge an uploaded file")
        return "application/octet-stream"


def _read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes | None:
    """A member's bytes, or None if it is longer than `limit` (nothing more is decompressed)."""
    with archive.open(name) as member:
        data = member.read(limit + 1)
    return data if len(data) <= limit else None


def _xml_text(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")


_ELEMENT = r"<(?:\w+:)?{}\b([^>]*)>"
_ATTRIBUTE = r"""\b{}\s*=\s*(?:"([^"]*)"|'([^']*)')"""


def _elements(xml: str, element: str) -> list[dict[str, str]]:
    """The attributes of each `element` in a small, flat OPC part. No XML parser meets untrusted input."""
    found = []
    for match in re.finditer(_ELEMENT.format(element), xml):
        attributes = {}
        for attribute in ("PartName", "ContentType", "Extension", "Type", "Target", "TargetMode"):
            if value := re.search(_ATTRIBUTE.format(attribute), match[1]):
                attributes[attribute] = value[1] if value[1] is not None else value[2]
        found.append(attributes)
    return found


def _ooxml_type(archive: zipfile.ZipFile, members: set[str]) -> EvidenceType | None:
    """DOCX or XLSX by the content type of the package's main part (ECMA-376 Part 2, OPC), or None."""
    relationships = _read_member(archive, "_rels/.rels", 1024 * 1024)
    content_types = _read_member(archive, "[Content_Types].xml", 1024 * 1024)
    if relationships is None or content_types is None:
        return None
    targets = [
        relationship.get("Target", "")
        for relationship in _elements(_xml_text(relationships), "Relationship")
        if relationship.get("Type", "").endswith("/officeDocument") and relationship.get("TargetMode") != "External"
    ]
    if len(targets) != 1:
        return None
    main_part = posixpath.normpath("/" + targets[0].lstrip("/")).lower()
    if main_part.lstrip("/") not in members:
        return None
    types = _elements(_xml_text(content_types), "Override") + _elements(_xml_text(content_types), "Default")
    overrides = {item.get("PartName", "").lower(): item.get("ContentType") for item in types if "PartName" in item}
    defaults = {item.get("Extension", "").lower(): item.get("ContentType") for item in types if "Extension" in item}
    content_type = overrides.get(main_part) or defaults.get(main_part.rpartition(".")[2])
    return _OOXML_MAIN_PARTS.get(content_type)


def _zip_package_type(uploaded_file: UploadedFile) -> EvidenceType | None:
    """ODT, ODS, DOCX or XLSX, judged by the package's own members; None for any other zip or a broken one."""
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            names = archive.namelist()
            members = {name.lower() for name in names}
            # Macros: a DOCX or XLSX never carries a VBA project (that is DOCM or XLSM).
            if any(name.endswith("vbaproject.bin") for name in members):
                return None
            if "mimetype" in names:
                declared = _read_member(archive, "mimetype", 100)
                if declared is None or "content.xml" not in names:
                    return None
                return _ODF_MIMETYPES.get(declared.decode("ascii", errors="replace").strip())
            return _ooxml_type(archive, members)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        KeyError,
        EOFError,
        RuntimeError,
        NotImplementedError,
        ValueError,
        OSError,
        zlib.error,
    ):
        # Broken, encrypted or using an unsupported compression: not a document we can accept.
        return None
    finally:
        uploaded_file.seek(0)


def _content_type(uploaded_file: UploadedFile, head: bytes, extension: str) -> tuple[EvidenceType | None, str]:
    """The allowed type the bytes are, or None; and libmagic's own answer, for the logs."""
    libmagic = _libmagic_type(head)
    # Every zip is judged as a package, whatever libmagic calls it (see the module's docstring).
    if head.startswith(_ZIP_SIGNATURE) or libmagic == "application/zip":
        return _zip_package_type(uploaded_file), libmagic
    if libmagic in _BY_LIBMAGIC:
        return _BY_LIBMAGIC[libmagic], libmagic
    if libmagic in _TEXT_TYPES and extension == "csv":
        # Plain text is a CSV only by its name: libmagic says text/csv only when it sees several columns.
        return CSV, libmagic
    return None, libmagic


def _agreed_type(detected: EvidenceType | None, extension: str) -> EvidenceType:
    """The type, when the content is allowed and the name's extension agrees with it."""
    named = _BY_EXTENSION.get(extension)
    if detected is not None and detected is named:
        return detected
    if named is not None:
        raise UploadRefused(
            UploadRefused.CONTENT_MISMATCH,
            f"The selected file's content is not {named.described}, although its name ends .{extension}",
        )
    if detected is not None:
        raise UploadRefused(
            UploadRefused.WRONG_EXTENSION,
            f"The selected file is {detected.described}, so its name must end {detected.endings}",
        )
    raise UploadRefused(UploadRefused.TYPE_NOT_ALLOWED, TYPE_NOT_ALLOWED_MESSAGE)


def inspect_upload(uploaded_file: UploadedFile) -> CheckedUpload:
    """Check one uploaded evidence file; its position is back at 0 afterwards, ready to be saved.

    Raises `UploadRefused` (see its codes) for a file that must not be stored.
    """
    max_bytes = getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)
    safe_name = sanitise_filename(uploaded_file.name)
    extension = _split_extension(safe_name)[1]
    try:
        if uploaded_file.size is not None and uploaded_file.size > max_bytes:
            raise _too_large(max_bytes)
        read = _read(uploaded_file, max_bytes)
        if read.size == 0:
            raise _empty()
        detected, libmagic = _content_type(uploaded_file, read.head, extension)
        kind = _agreed_type(detected, extension)
        if kind is CSV and not read.text.acceptable:
            raise UploadRefused(UploadRefused.CSV_ENCODING, 'The selected file must be saved as "CSV UTF-8"')
        try:
            verdict = get_scanner().scan(uploaded_file)
        except ScannerUnavailable as exc:
            logger.error("Evidence upload %s (sha256 %s) could not be scanned: %s", safe_name, read.sha256, exc)
            raise UploadRefused(
                UploadRefused.SCAN_FAILED, "The file could not be checked for viruses. Try again later"
            ) from exc
        if not verdict.clean:
            logger.warning(
                "Evidence upload %s (sha256 %s) refused: %s found by %s",
                safe_name,
                read.sha256,
                verdict.signature,
                verdict.scanner,
            )
            raise UploadRefused(
                UploadRefused.VIRUS,
                "The selected file contains a virus and cannot be uploaded",
                signature=verdict.signature,
            )
    except UploadRefused as refusal:
        if refusal.code not in (UploadRefused.VIRUS, UploadRefused.SCAN_FAILED):
            logger.info("Evidence upload %s refused: %s", safe_name, refusal.code)
        raise
    finally:
        uploaded_file.seek(0)
    logger.debug("Evidence upload %s accepted as %s (libmagic: %s)", safe_name, kind.content_type, libmagic)
    return CheckedUpload(
        safe_name=safe_name,
        content_type=kind.content_type,
        size=read.size,
        sha256=read.sha256,
        scanner=verdict.scanner,
    )
