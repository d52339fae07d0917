"""Demo data for the embedded default: an administrator, two officers, employers with organisations.

Idempotent: running it again changes nothing. Refuses to run unless DEBUG is on, because every
demo account shares a published password and a published two-factor secret.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from employers.models import Membership, Organisation, Role
from employers.services import organisation_create

DEMO_PASSWORD = "charter-demo-2026"  # noqa: S105 (published in the README; DEBUG only)
# One base32 TOTP secret for every demo staff account, published in the README so that a person
# can add it to an authenticator app; `manage.py demo_totp` prints the current code instead.
DEMO_TOTP_SECRET = "DEMOCHARTERNORWICHDEMOCHARTERNOR"  # noqa: S105

ADMIN = ("admin@example.gov.uk", "Alex Admin")
OFFICERS = [("officer1@norwich.gov.uk", "Olivia Officer"), ("officer2@norwich.gov.uk", "Omar Officer")]
ORGANISATIONS = [
    {
        "owner": ("baker@example.com", "Bea Baker"),
        "members": [("shopfloor@example.com", "Sam Shopfloor")],
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
]


class Command(BaseCommand):
    help = "Create demo accounts and organisations (DEBUG only; idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo creates accounts with a published password: it runs only with DEBUG on.")
        with transaction.atomic():
            officers_group, _ = Group.objects.get_or_create(name=settings.OFFICERS_GROUP)
            admin = self._user(*ADMIN, is_staff=True, is_superuser=True)
            self._demo_totp(admin)
            for email, name in OFFICERS:
                officer = self._user(email, name)
                officer.groups.add(officers_group)
                self._demo_totp(officer)
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
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Every demo password is {DEMO_PASSWORD}."))

    def _user(self, email, full_name, *, is_staff=False, is_superuser=False):
        user, created = User.objects.get_or_create(
            email=email, defaults={"full_name": full_name, "is_staff": is_staff, "is_superuser": is_superuser}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    def _demo_totp(self, user):
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
