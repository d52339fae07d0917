"""factory_boy factories: one per interesting state."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from employers.models import Invitation, Membership, Organisation, OrganisationType, Role, Sector

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """An employer user whose email address is verified."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        self.save()


class OfficerFactory(UserFactory):
    """A council officer (in the Officers group) who has NOT set up two-factor yet."""

    email = factory.Sequence(lambda n: f"officer{n}@norwich.gov.uk")

    @factory.post_generation
    def officer_group(self, create, extracted, **kwargs):
        if create:
            group, _ = Group.objects.get_or_create(name=settings.OFFICERS_GROUP)
            self.groups.add(group)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"Example Trading {n} Ltd")
    slug = factory.Sequence(lambda n: f"example-trading-{n}")
    organisation_type = OrganisationType.COMPANY
    company_number = factory.Sequence(lambda n: f"{n + 10000000:08d}")
    sector = Sector.G
    employee_count = 12
    address_line_1 = "1 Gentleman's Walk"
    town = "Norwich"
    postcode = "NR2 1NA"
    website = "https://example.org/"
    public_description = "A shop in the city centre."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class OwnerMembershipFactory(MembershipFactory):
    role = Role.OWNER


def _owner_of(organisation):
    """The organisation's owner, made for it if it has none yet."""
    owner = organisation.memberships.filter(role=Role.OWNER).select_related("user").first()
    return owner.user if owner else OwnerMembershipFactory(organisation=organisation).user


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation, sent by the organisation's owner, expiring in 14 days."""

    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    invited_by = factory.LazyAttribute(lambda o: _owner_of(o.organisation))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
