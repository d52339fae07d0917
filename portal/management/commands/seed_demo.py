"""Demo data for the embedded default: an administrator, two officers, and employers at every stage.

Employers' applications are built through the real services, as a person would through the pages:
a draft, one waiting for an officer, one in review with a query, one sent back for changes, one
recommended and waiting for the second officer, one approved whose accreditation waits for its fee, and
one accredited (its fee recorded as paid by bank transfer).
The README's "Demo logins" section says who is where.

Idempotent: running it again changes nothing (an organisation that already has an application is left
as it is). Refuses to run unless DEBUG is on, because every demo account shares a published password
and a published two-factor secret.
"""

import datetime
import io

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from reportlab.pdfgen import canvas

from accounts.models import User
from accreditation import services
from accreditation.selectors.review import review_progress
from charter.levels import AnswerChoice
from charter.models import Criterion
from charter.selectors import current_edition
from employers.models import Membership, Organisation, Role
from employers.services import organisation_create

DEMO_PASSWORD = "charter-demo-2026"  # noqa: S105 (published in the README; DEBUG only)
# One base32 TOTP secret for every demo staff account, published in the README so that a person
# can add it to an authenticator app; `manage.py demo_totp` prints the current code instead.
DEMO_TOTP_SECRET = "DEMOCHARTERNORWICHDEMOCHARTERNOR"  # noqa: S105

ADMIN = ("admin@example.gov.uk", "Alex Admin")
OFFICERS = [("officer1@norwich.gov.uk", "Olivia Officer"), ("officer2@norwich.gov.uk", "Omar Officer")]

# The stages an organisation's application is taken to (PRODUCT.md section 3).
DRAFT = "draft"
SUBMITTED = "submitted"
IN_REVIEW = "in_review"
CHANGES_REQUESTED = "changes_requested"
RECOMMENDED = "recommended"
APPROVED = "approved"
ACCREDITED = "accredited"  # approved, and the fee paid (recorded as a bank transfer)

ORGANISATIONS = [
    {
        "owner": ("dentist@example.com", "Dev Dentist"),
        "members": [],
        "stage": ACCREDITED,
        "responses": {"voice.unions": AnswerChoice.NOT_YET},
        "details": {
            "legal_name": "St Giles Dental Practice Ltd",
            "trading_name": "St Giles Dental",
            "organisation_type": "company",
            "company_number": "08642097",
            "charity_number": "",
            "sector": "Q",
            "employee_count": 28,
            "address_line_1": "61 St Giles Street",
            "address_line_2": "",
            "town": "Norwich",
            "postcode": "NR2 1JR",
            "website": "https://stgilesdental.example.com/",
            "public_description": "A family dental practice in the Norwich Lanes.",
        },
    },
    {
        "owner": ("baker@example.com", "Bea Baker"),
        "members": [("shopfloor@example.com", "Sam Shopfloor")],
        "stage": CHANGES_REQUESTED,
        "responses": {"voice.unions": AnswerChoice.NOT_YET, "inclusion.recruitment": AnswerChoice.NO},
        "details": {
            "legal_name": "Bread and Co Bakery Ltd",
            "trading_name": "Bread & Co",
            "organisation_type": "company",
            "company_number": "09876543",
            "charity_number": "",
            "sector": "I",
            "employee_count": 8,
            "address_line_1": "12 Magdalen Street",
            "address_line_2": "",
            "town": "Norwich",
            "postcode": "NR3 1HU",
            "website": "https://bread-and-co.example.com/",
            "public_description": "An independent bakery and café in Norwich's Magdalen Street.",
        },
    },
    {
        "owner": ("manager@example.com", "Morgan Manager"),
        "members": [],
        "stage": SUBMITTED,
        "responses": {},
        "details": {
            "legal_name": "Norfolk Community Care",
            "trading_name": "",
            "organisation_type": "charity",
            "company_number": "",
            "charity_number": "1123456",
            "sector": "Q",
            "employee_count": 45,
            "address_line_1": "3 Colegate",
            "address_line_2": "",
            "town": "Norwich",
            "postcode": "NR3 1BN",
            "website": "https://norfolk-care.example.com/",
            "public_description": "Home care and day services for older people across Norwich.",
        },
    },
    {
        "owner": ("director@example.com", "Dana Director"),
        "members": [("baker@example.com", "Bea Baker")],
        "stage": APPROVED,
        "responses": {"voice.unions": AnswerChoice.NOT_YET, "voice.forum": AnswerChoice.NOT_YET},
        "details": {
            "legal_name": "Riverside Engineering Limited",
            "trading_name": "Riverside Engineering",
            "organisation_type": "company",
            "company_number": "01234567",
            "charity_number": "",
            "sector": "C",
            "employee_count": 320,
            "address_line_1": "Unit 4, Hall Road",
            "address_line_2": "",
            "town": "Norwich",
            "postcode": "NR4 6DG",
            "website": "https://riverside-engineering.example.com/",
            "public_description": "Precision engineering for the energy sector.",
        },
    },
    {
        "owner": ("books@example.com", "Priya Page"),
        "members": [],
        "stage": DRAFT,
        "responses": {},
        "details": {
            "legal_name": "Elm Hill Books Ltd",
            "trading_name": "Elm Hill Books",
            "organisation_type": "company",
            "company_number": "11223344",
            "charity_number": "",
            "sector": "G",
            "employee_count": 5,
            "address_line_1": "7 Elm Hill",
            "address_line_2": "",
            "town": "Norwich",
            "postcode": "NR3 1HN",
            "website": "https://elm-hill-books.example.com/",
            "public_description": "A second-hand and new bookshop on Norwich's oldest street.",
        },
    },
    {
        "owner": ("roaster@example.com", "Reggie Roaster"),
        "members": [],
        "stage": IN_REVIEW,
        "responses": {"skills.apprenticeships": AnswerChoice.NO},
        "details": {
            "legal_name": "Colegate Coffee Roasters Ltd",
            "trading_name": "Colegate Coffee",
            "organisation_type": "company",
            "company_number": "12345678",
            "charity_number": "",
            "sector": "C",
            "employee_count": 22,
            "address_line_1": "41 Colegate",
            "address_line_2": "",
            "town": "Norwich",
            "postcode": "NR3 1DD",
            "website": "https://colegate-coffee.example.com/",
            "public_description": "Small-batch coffee roasters supplying cafés across Norfolk.",
        },
    },
    {
        "owner": ("studio@example.com", "Wren Webster"),
        "members": [],
        "stage": RECOMMENDED,
        "responses": {},
        "details": {
            "legal_name": "Wensum Web Studio Ltd",
            "trading_name": "Wensum Web",
            "organisation_type": "company",
            "company_number": "13579246",
            "charity_number": "",
            "sector": "J",
            "employee_count": 12,
            "address_line_1": "2 Quayside",
            "address_line_2": "",
            "town": "Norwich",
            "postcode": "NR3 1AB",
            "website": "https://wensum-web.example.com/",
            "public_description": "Accessible websites for charities and small businesses.",
        },
    },
]

# What the demo employers write for a Yes (a plain sentence each; a generic one for the rest).
EXPLANATIONS = {
    "pay.direct": "Our lowest rate is £13.45 an hour; we check the payroll against it every month.",
    "pay.contractors": "Our cleaning and catering contracts require the real Living Wage.",
    "pay.uplift": "We raise pay to each new rate every April, before the 1 May deadline.",
    "pay.lwf": "We applied to the Living Wage Foundation in January.",
    "hours.no_zero_hours": "Every contract states guaranteed hours; we review them every May and November.",
    "hours.notice": "Rotas go out six weeks ahead; a shift cancelled late is paid in full.",
}
ACTION_PLAN = "We are talking to staff about this and will put it in place within the year."
# The officer's query in the demo, on 1.1.
QUERY = (
    "The payroll summary shows rates but not hours. Send a summary that shows hours worked for the lowest-paid roles."
)
IN_REVIEW_QUERY = "The contracts policy is from 2019. Send the current one, or a current template contract."


def _pdf(text: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setTitle(text)
    pdf.drawString(72, 720, text)
    pdf.save()
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Create demo accounts, organisations and applications at every stage (DEBUG only; idempotent)."

    _password_hash = None

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo creates accounts with a published password: it runs only with DEBUG on.")
        with transaction.atomic():
            officers_group, _ = Group.objects.get_or_create(name=settings.OFFICERS_GROUP)
            admin = self._user(*ADMIN, is_staff=True, is_superuser=True)
            self._demo_totp(admin)
            officers = []
            for email, name in OFFICERS:
                officer = self._user(email, name)
                officer.groups.add(officers_group)
                self._demo_totp(officer)
                officers.append(officer)
            organisations = []
            for spec in ORGANISATIONS:
                owner = self._user(*spec["owner"])
                organisation = Organisation.objects.filter(legal_name=spec["details"]["legal_name"]).first()
                if organisation is None:
                    organisation = organisation_create(actor=owner, details=spec["details"])
                for email, name in spec["members"]:
                    member = self._user(email, name)
                    Membership.objects.get_or_create(
                        organisation=organisation, user=member, defaults={"role": Role.MEMBER}
                    )
                organisations.append((spec, organisation, owner))
        edition = current_edition()
        if edition is None:
            self.stdout.write("No charter is loaded (manage.py load_charter), so no applications were made.")
        else:
            # The demo's history is made up: its emails ("application received", ...) go nowhere. Each
            # service commits on its own (adding a file is a durable transaction), so no outer atomic here.
            with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}):
                for spec, organisation, owner in organisations:
                    if not organisation.applications.exists():
                        self._application(spec, organisation, owner, officers)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Every demo password is {DEMO_PASSWORD}."))

    # --- people -----------------------------------------------------------------------------------

    def _user(self, email, full_name, *, is_staff=False, is_superuser=False):
        user, created = User.objects.get_or_create(
            email=email, defaults={"full_name": full_name, "is_staff": is_staff, "is_superuser": is_superuser}
        )
        if created:
            # Hashed once for every demo account (a deliberately slow hash, and the password is published).
            if self._password_hash is None:
                self._password_hash = make_password(DEMO_PASSWORD)
            user.password = self._password_hash
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    def _demo_totp(self, user):
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)

    # --- applications, through the services ---------------------------------------------------------

    def _application(self, spec, organisation, owner, officers):
        """Take the organisation's application to its stage, one service call at a time."""
        stage = spec["stage"]
        reviewer, approver = officers
        application = services.application_start(actor=owner, organisation=organisation)
        criteria = {
            criterion.code: criterion
            for criterion in Criterion.objects.filter(edition=application.edition).select_related("commitment")
        }
        if stage == DRAFT:
            # Started, the first commitment answered, the rest to do.
            self._answer(application, owner, criteria, spec, only_commitment="pay")
            return
        self._answer(application, owner, criteria, spec)
        self._submit(application, owner)
        if stage == SUBMITTED:
            return
        services.application_take(actor=reviewer, application=application)
        if stage == IN_REVIEW:
            self._verify_all(application, reviewer, criteria, except_codes={"hours.no_zero_hours"})
            services.criterion_query(
                actor=reviewer, application=application, criterion=criteria["hours.no_zero_hours"], note=IN_REVIEW_QUERY
            )
            return
        if stage == CHANGES_REQUESTED:
            self._verify_all(application, reviewer, criteria, except_codes={"pay.direct"})
            services.criterion_query(
                actor=reviewer, application=application, criterion=criteria["pay.direct"], note=QUERY
            )
            services.application_request_changes(
                actor=reviewer,
                application=application,
                note="Thank you: everything else is in order. One thing to send, then submit again.",
            )
            return
        self._verify_all(application, reviewer, criteria)
        application.refresh_from_db()
        level = review_progress(application).level.level_code
        services.application_recommend(actor=reviewer, application=application, level_code=level)
        if stage == RECOMMENDED:
            return
        services.application_approve(
            actor=approver, application=application, note="Agreed: the evidence supports this level."
        )
        if stage == ACCREDITED:
            accreditation = application.accreditation
            services.payment_record_offline(
                actor=approver,
                accreditation=accreditation,
                amount_pence=accreditation.fee_pence,
                paid_on=timezone.localdate(),
                reference="BACS ST GILES DENTAL",
            )

    def _answer(self, application, owner, criteria, spec, *, only_commitment=None):
        """Answer every criterion that applies (Yes unless the spec says otherwise), with files for a Yes."""
        employees = application.organisation.employee_count
        target = timezone.localdate() + datetime.timedelta(days=180)
        for code, criterion in criteria.items():
            if not criterion.applies_to(employees):
                continue
            if only_commitment and criterion.commitment.code != only_commitment:
                continue
            response = spec["responses"].get(code, AnswerChoice.YES)
            services.answer_save(
                actor=owner,
                application=application,
                criterion=criterion,
                response=response,
                explanation=EXPLANATIONS.get(code, "We do this, and our managers check it every quarter.")
                if response == AnswerChoice.YES
                else "",
                action_plan=ACTION_PLAN if response == AnswerChoice.NOT_YET else "",
                target_date=target if response == AnswerChoice.NOT_YET else None,
                loaded_version=0,
            )
            if response == AnswerChoice.YES and criterion.requires_evidence:
                name = f"{code.replace('.', '-')}.pdf"
                services.evidence_add(
                    actor=owner,
                    application=application,
                    criterion=criterion,
                    uploaded_file=SimpleUploadedFile(name, _pdf(criterion.evidence[0]), content_type="application/pdf"),
                    description=criterion.evidence[0][:200],
                )

    def _submit(self, application, owner):
        services.application_submit(
            actor=owner, application=application, declaration_name=owner.full_name, declaration_role="Owner"
        )

    def _verify_all(self, application, officer, criteria, *, except_codes=()):
        application.refresh_from_db()
        for code in review_progress(application).applicable:
            if code not in except_codes:
                services.criterion_verify(actor=officer, application=application, criterion=criteria[code])
