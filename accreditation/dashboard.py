"""The employer dashboard's sections (settings.EMPLOYER_DASHBOARD_SECTIONS): accreditations and their fees, applications."""

from django.template.loader import render_to_string

from charter.selectors import current_edition

from .selectors import applications_timelines, organisation_applications, status_tag


def _next_step(application) -> tuple[str, str]:
    """What the employer does next with an application: the link's words and its URL name."""
    if application.is_editable:
        return "Continue your application", "applications:task_list"
    return "View your application", "applications:detail"


def applications_section(request, membership) -> str:
    """The organisation's applications: status in plain words, what to do next, and what happened when."""
    applications = organisation_applications(membership.organisation)
    timelines = applications_timelines(applications)
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
    edition = None if has_open else current_edition()
    return render_to_string(
        "accreditation/includes/dashboard_section.html",
        {"rows": rows, "can_start": not has_open and edition is not None, "edition": edition, "membership": membership},
        request=request,
    )


def accreditations_section(request, membership) -> str:
    """The organisation's accreditations: status, the fee due with a "Pay now" button, dates (issue 5)."""
    return ""
