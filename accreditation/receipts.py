"""The PDF receipt for an accreditation fee the council has received (ReportLab; issue 5 point 6).

Everything on it that someone typed (the organisation's name and address, an offline payment's
reference) is escaped for ReportLab's Paragraph mark-up, so `Crumbs & <b>Co</b>` is printed as typed,
never as bold text or a broken document.
"""

import html
import io
import re

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .models import Payment, PaymentMethod
from .money import pounds

FONT = "Helvetica"  # ReportLab's built-in sans serif: Arial's metrics, nothing to install or embed
BOLD = "Helvetica-Bold"
INK = colors.HexColor("#0b0c0c")
GREY = colors.HexColor("#505a5f")
RULE = colors.HexColor("#b1b4b6")

_styles = {
    "council": ParagraphStyle("council", fontName=BOLD, fontSize=16, leading=20, textColor=INK),
    "contact": ParagraphStyle("contact", fontName=FONT, fontSize=9.5, leading=13, textColor=GREY, alignment=TA_RIGHT),
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=28, leading=34, textColor=INK, spaceAfter=2 * mm),
    "heading": ParagraphStyle(
        "heading", fontName=BOLD, fontSize=13, leading=17, textColor=INK, spaceBefore=6 * mm, spaceAfter=2 * mm
    ),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=11, leading=15, textColor=INK),
    "key": ParagraphStyle("key", fontName=BOLD, fontSize=11, leading=15, textColor=INK),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=9.5, leading=13, textColor=GREY),
    "test": ParagraphStyle(
        "test", fontName=BOLD, fontSize=12, leading=16, textColor=colors.HexColor("#d4351c"), spaceAfter=3 * mm
    ),
}


def escape(value: str) -> str:
    """&, < and > as entities: what ReportLab's Paragraph mark-up needs (the same as xml.sax.saxutils.escape)."""
    return html.escape(value, quote=False)


def text(value) -> str:
    """Typed text made safe for a Paragraph: one line, with &, < and > escaped."""
    return escape(" ".join(str(value or "").split()))


def receipt_filename(payment: Payment) -> str:
    """A download name with nothing in it a browser or file system could misread: receipt-R-2027-00001.pdf."""
    number = re.sub(r"[^A-Za-z0-9-]", "", payment.receipt_number or "") or str(payment.pk)
    return f"receipt-{number}.pdf"


def _money(pence: int, currency: str) -> str:
    if (currency or "gbp").lower() == "gbp":
        return pounds(pence)
    # A payment in another currency (flagged to officers): shown as the gateway reported it.
    return f"{pence // 100:,}.{pence % 100:02d} {currency.upper()}"


def _date(value) -> str:
    return f"{value:%-d %B %Y}"


def _rows(rows: list[tuple[str, str]]) -> Table:
    """A two-column table of labels and values (values already escaped)."""
    data = [[Paragraph(escape(label), _styles["key"]), Paragraph(value, _styles["body"])] for label, value in rows]
    table = Table(data, colWidths=[52 * mm, None], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 2 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
            ]
        )
    )
    return table


def _header() -> Table:
    council = Paragraph(text(settings.COUNCIL_NAME), _styles["council"])
    contact = Paragraph(
        "<br/>".join(
            [
                text(settings.COUNCIL_ADDRESS),
                f"Email: {text(settings.SERVICE_EMAIL)}",
                f"Telephone: {text(settings.SERVICE_PHONE)}",
            ]
        ),
        _styles["contact"],
    )
    table = Table([[council, contact]], colWidths=[80 * mm, None])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _organisation_lines(organisation) -> str:
    lines = [text(organisation.legal_name)]
    if organisation.trading_name and organisation.trading_name != organisation.legal_name:
        lines[0] += f" (trading as {text(organisation.trading_name)})"
    lines += [
        text(part)
        for part in (organisation.address_line_1, organisation.address_line_2, organisation.town, organisation.postcode)
        if part
    ]
    return "<br/>".join(lines)


def _period(accreditation) -> str:
    if accreditation.valid_from and accreditation.valid_until:
        return f"{_date(accreditation.valid_from)} to {_date(accreditation.valid_until)}"
    return "12 months from the day the accreditation starts"


def _payment_reference(payment: Payment) -> tuple[str, str] | None:
    """The reference that finds this payment: the payer's own for offline payments, else the gateway's id."""
    if payment.method == PaymentMethod.OFFLINE:
        return ("Your reference", text(payment.reference)) if payment.reference else None
    gateway_id = payment.payment_intent_id or payment.checkout_session_id
    return ("Payment reference", text(gateway_id)) if gateway_id else None


def receipt_story(payment: Payment) -> list:
    """The receipt's content, top to bottom."""
    accreditation = payment.accreditation
    organisation = accreditation.organisation
    application = accreditation.application
    paid = payment.amount_paid_pence if payment.amount_paid_pence is not None else payment.amount_due_pence

    story = [_header(), Spacer(1, 10 * mm), Paragraph("Receipt", _styles["title"])]
    if payment.method == PaymentMethod.TEST:
        story.append(Paragraph("Test payment: no money was taken. This receipt is not valid.", _styles["test"]))
    story.append(
        _rows(
            [
                ("Receipt number", text(payment.receipt_number)),
                ("Date paid", _date(timezone.localtime(payment.paid_at))),
            ]
        )
    )

    story += [
        Paragraph("Received from", _styles["heading"]),
        Paragraph(_organisation_lines(organisation), _styles["body"]),
    ]

    charter = application.edition.name if application.edition_id else settings.SERVICE_NAME
    what = [
        ("Paid for", f"Accreditation fee: {text(charter)}"),
        ("Level", text(accreditation.level_name)),
        ("Accreditation year", text(_period(accreditation))),
        ("Application reference", text(application.reference)),
    ]
    if accreditation.fee_band_label:
        what.append(("Fee band", text(accreditation.fee_band_label)))
    story += [Paragraph("What was paid for", _styles["heading"]), _rows(what)]

    payment_rows = [
        ("Amount paid", f"<b>{_money(paid, payment.currency)}</b>"),
        ("Paid by", text(payment.get_method_display())),
    ]
    reference = _payment_reference(payment)
    if reference:
        payment_rows.append(reference)
    if payment.refunded_pence:
        payment_rows += [
            ("Refunded", _money(payment.refunded_pence, payment.currency)),
            ("Amount kept", _money(max(paid - payment.refunded_pence, 0), payment.currency)),
        ]
    story += [Paragraph("Payment", _styles["heading"]), _rows(payment_rows)]

    story += [
        Spacer(1, 10 * mm),
        HRFlowable(width="100%", thickness=0.5, color=RULE),
        Spacer(1, 3 * mm),
        Paragraph(
            f"Please quote receipt number {text(payment.receipt_number)} if you contact us about this payment: "
            f"email {text(settings.SERVICE_EMAIL)} or telephone {text(settings.SERVICE_PHONE)}.",
            _styles["small"],
        ),
        Paragraph(f"{text(settings.SERVICE_NAME)} is run by {text(settings.COUNCIL_NAME)}.", _styles["small"]),
    ]
    return story


def receipt_pdf(payment: Payment) -> bytes:
    """The receipt for a received payment, as an A4 PDF with its title, author, subject and language set."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Receipt {payment.receipt_number}",
        author=settings.COUNCIL_NAME,
        subject=f"{settings.SERVICE_NAME}: accreditation fee receipt",
        creator=settings.SERVICE_NAME,
        lang="en-GB",
    )
    document.build(receipt_story(payment))
    return buffer.getvalue()
