"""The self-assessment under /employer/applications/ (mounted before the rest of /employer/)."""

from django.urls import path

import portal.converters  # noqa: F401 (registers the "id" and "charter_code" converters)

from . import views_employer as views

app_name = "applications"

urlpatterns = [
    path("start/", views.start, name="start"),
    path("<id:pk>/", views.task_list, name="task_list"),
    path("<id:pk>/your-application/", views.detail, name="detail"),
    path("<id:pk>/commitments/<charter_code:code>/", views.commitment, name="commitment"),
    path("<id:pk>/criteria/<charter_code:code>/evidence/", views.evidence, name="evidence"),
    path(
        "<id:pk>/evidence/<id:evidence_pk>/remove/",
        views.evidence_remove,
        name="evidence_remove",
    ),
    path(
        "<id:pk>/evidence/<id:evidence_pk>/download/",
        views.evidence_download,
        name="evidence_download",
    ),
    path("<id:pk>/check-your-answers/", views.check_answers, name="check_answers"),
    path("<id:pk>/submitted/", views.confirmation, name="confirmation"),
    path("<id:pk>/withdraw/", views.withdraw, name="withdraw"),
]
