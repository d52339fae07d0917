"""Reads for the officers' organisation search and organisation page (issue 4 point 9)."""

from django.db.models import Count, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Replace, Upper
from django.shortcuts import get_object_or_404

from accreditation.models import Accreditation, Application
from employers.models import Membership, Organisation

# Long enough for any name, number or postcode; anything longer is cut rather than refused.
MAX_QUERY_LENGTH = 160


def _compact(text: str) -> str:
    """Upper case without spaces: how numbers and postcodes are compared ("nr2 1ab" finds "NR2 1AB")."""
    return "".join(text.split()).upper()


def organisation_search(query: str = "") -> QuerySet[Organisation]:
    """Organisations whose name contains `query`, or whose company number, charity number or postcode matches it.

    Numbers must match whole. A postcode matches from its start; a query of up to four characters
    without a space is an outward code, so "NR2" finds NR2 1AB but not NR21 9ZZ (postcodes are stored
    normalised, "NR2 1AB"). Spaces and case are ignored in numbers and postcodes. An empty query finds all.
    Each row carries `application_count` and `user_count`, so a page of results is one query.
    """
    organisations = Organisation.objects.annotate(
        application_count=Count("applications", distinct=True),
        user_count=Count("memberships", distinct=True),
    ).order_by("legal_name", "pk")
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if not query:
        return organisations
    compact = _compact(query)
    return organisations.annotate(
        postcode_compact=Upper(Replace("postcode", Value(" "), Value(""))),
        company_compact=Upper(Replace("company_number", Value(" "), Value(""))),
        charity_compact=Upper(Replace("charity_number", Value(" "), Value(""))),
    ).filter(
        Q(legal_name__icontains=query)
        | Q(trading_name__icontains=query)
        | Q(company_compact=compact)
        | Q(charity_compact=compact)
        | _postcode_matches(compact)
    )


def _postcode_matches(compact: str) -> Q:
    if len(compact) <= 4:  # an outward code on its own (the shortest full postcode has five characters)
        return Q(postcode__istartswith=f"{compact} ") | Q(postcode_compact=compact)
    return Q(postcode_compact__startswith=compact)


def organisation_for_officer(pk: int) -> Organisation:
    """One organisation with its applications (newest first), accreditations and users, in four queries; 404 if none."""
    return get_object_or_404(
        Organisation.objects.prefetch_related(
            Prefetch(
                "applications",
                queryset=Application.objects.select_related("assigned_to").order_by("-created_at", "-pk"),
                to_attr="officer_applications",
            ),
            Prefetch(
                "accreditations",
                queryset=Accreditation.objects.select_related("application").order_by("-approved_at", "-pk"),
                to_attr="officer_accreditations",
            ),
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("user").order_by("-role", "user__full_name", "pk"),
                to_attr="officer_memberships",
            ),
        ),
        pk=pk,
    )
