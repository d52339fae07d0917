"""Real evidence files, built at test time: one small valid file of each allowed type, and ways to spoil them.

Office and OpenDocument files are the smallest packages the formats allow, laid out as Word, Excel and
LibreOffice write them (the content-types part first; ODF's `mimetype` first and stored uncompressed).
"""

import io
import zipfile

from PIL import Image
from reportlab.pdfgen import canvas

from accreditation.scanning import EICAR

__all__ = [
    "EICAR",
    "csv_bytes",
    "docx_bytes",
    "jpeg_bytes",
    "ods_bytes",
    "odt_bytes",
    "ooxml_package",
    "pdf_bytes",
    "png_bytes",
    "xlsx_bytes",
    "zip_bytes",
]


def pdf_bytes(text: str = "Our Living Wage policy") -> bytes:
    """A one-page PDF drawn by reportlab."""
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer)
    document.drawString(72, 750, text)
    document.save()
    return buffer.getvalue()


def _image(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 112, 60)).save(buffer, image_format)
    return buffer.getvalue()


def png_bytes() -> bytes:
    return _image("PNG")


def jpeg_bytes() -> bytes:
    return _image("JPEG")


def csv_bytes(encoding: str = "utf-8") -> bytes:
    return "Name,Role,Hourly rate\nZoë Brown,Café manager,£13.45\nSam Lee,Baker,£12.60\n".encode(encoding)


_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/{part}" ContentType="{content_type}"/></Types>"""

_RELATIONSHIPS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="{part}"/></Relationships>"""

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_WORD_DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Our Living Wage policy</w:t></w:r></w:p></w:body></w:document>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>'
)


def ooxml_package(
    part: str, content_type: str, body: str, *, order: tuple[str, ...] | None = None, extra: dict | None = None
) -> bytes:
    """An Office Open XML package whose main part `part` has `content_type`; `order` changes member order."""
    members = {
        "[Content_Types].xml": _CONTENT_TYPES.format(part=part, content_type=content_type),
        "_rels/.rels": _RELATIONSHIPS.format(part=part),
        part: body,
        **(extra or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name in order or members:
            package.writestr(name, members[name])
    return buffer.getvalue()


def docx_bytes(**options) -> bytes:
    return ooxml_package("word/document.xml", WORD_MAIN, _WORD_DOCUMENT, **options)


def xlsx_bytes(**options) -> bytes:
    return ooxml_package("xl/workbook.xml", EXCEL_MAIN, _WORKBOOK, **options)


_ODF_MANIFEST = (
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/></manifest:manifest>'
)
_ODF_CONTENT = (
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.3"/>'
)


def _odf(mimetype: str, *, mimetype_first: bool = True, content: bool = True) -> bytes:
    """An OpenDocument package: `mimetype` first and stored (ODF 1.3 part 2, 3.3), manifest, content."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        if mimetype_first:
            package.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        package.writestr("META-INF/manifest.xml", _ODF_MANIFEST.format(mimetype=mimetype))
        if content:
            package.writestr("content.xml", _ODF_CONTENT)
        if not mimetype_first:
            package.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def odt_bytes(**options) -> bytes:
    return _odf("application/vnd.oasis.opendocument.text", **options)


def ods_bytes(**options) -> bytes:
    return _odf("application/vnd.oasis.opendocument.spreadsheet", **options)


def zip_bytes(members: dict[str, bytes | str], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A plain zip archive of the given members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()
