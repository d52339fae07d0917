"""The self-assessment under /employer/applications/ (mounted before the rest of /employer/)."""

from django.urls import path, register_converter

from . import views_employer as views


class IdConverter:
    """A database id: digits, short enough for a 64-bit integer (a longer one is a 404, not a database error)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


class CodeConverter:
    """A commitment's or criterion's code in the charter file, such as `pay` or `hours.no_zero_hours`."""

    regex = "[a-z0-9][a-z0-9_.-]{0,80}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "application_id")
register_converter(CodeConverter, "charter_code")

app_name = "applications"

urlpatterns = [
    path("start/", views.start, name="start"),
    path("<application_id:pk>/", views.task_list, name="task_list"),
    path("<application_id:pk>/your-application/", views.detail, name="detail"),
    path("<application_id:pk>/commitments/<charter_code:code>/", views.commitment, name="commitment"),
    path("<application_id:pk>/criteria/<charter_code:code>/evidence/", views.evidence, name="evidence"),
    path(
        "<application_id:pk>/evidence/<application_id:evidence_pk>/remove/",
        views.evidence_remove,
        name="evidence_remove",
    ),
    path(
        "<application_id:pk>/evidence/<application_id:evidence_pk>/download/",
        views.evidence_download,
        name="evidence_download",
    ),
    path("<application_id:pk>/check-your-answers/", views.check_answers, name="check_answers"),
    path("<application_id:pk>/submitted/", views.confirmation, name="confirmation"),
    path("<application_id:pk>/withdraw/", views.withdraw, name="withdraw"),
]
