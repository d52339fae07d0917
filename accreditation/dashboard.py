"""The employer dashboard's sections (settings.EMPLOYER_DASHBOARD_SECTIONS).

Accreditations and their fees, then applications.
"""

from django.template.loader import render_to_string

from charter.selectors import current_edition

from .money import pounds
from .selectors import applications_timelines, organisation_applications, status_tag
from .selectors.accreditations import accreditation_tag, fee_due, organisation_accreditations
from .selectors.employer import accreditation_blocking_start
from .services.applications import start_refusal


def _next_step(application) -> tuple[str, str]:
    """What the employer does next with an application: the link's words and its URL name."""
    if application.is_editable:
        return "Continue your application", "applications:task_list"
    return "View your application", "applications:detail"


def applications_section(request, membership) -> str:
    """The organisation's applications: status in plain words, what to do next, and what happened when."""
    applications = organisation_applications(membership.organisation)
    timelines = applications_timelines(applications, for_employer=True)
    rows = []
    for application in applications:
        words, url_name = _next_step(application)
        rows.append(
            {
                "application": application,
                "status_tag": status_tag(application),
                "next_words": words,
                "next_url_name": url_name,
                "timeline": timelines.get(application.pk, []),
            }
        )
    has_open = any(application.is_open for application in applications)
    # One application per accreditation year: none while a fee is due or before renewal opens.
    accredited = None if has_open else accreditation_blocking_start(membership.organisation)
    edition = None if has_open or accredited else current_edition()
    return render_to_string(
        "accreditation/includes/dashboard_section.html",
        {
            "rows": rows,
            "can_start": edition is not None,
            "edition": edition,
            "membership": membership,
            "start_refusal": start_refusal(accredited) if accredited else "",
        },
        request=request,
    )


def accreditations_section(request, membership) -> str:
    """The organisation's accreditations: status, the fee due with a "Pay now" button, dates (issue 5).

    Nothing at all for an organisation without an accreditation. Two queries however many it has.
    """
    accreditations = organisation_accreditations(membership.organisation)
    if not accreditations:
        return ""
    rows = [
        {
            "accreditation": accreditation,
            "tag": accreditation_tag(accreditation),
            "fee_due": fee_due(accreditation),
            "fee": pounds(accreditation.fee_pence),
            "confirming": bool(accreditation.confirming_payments),
        }
        for accreditation in accreditations
    ]
    return render_to_string(
        "accreditation/includes/accreditations_section.html", {"rows": rows, "membership": membership}, request=request
    )
