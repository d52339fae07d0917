"""The officers' work area under /officer/. Every view here is for officers with two-factor only."""

from django.urls import path

from . import views_officer, views_officer_overview

app_name = "officer"

urlpatterns = [
    path("", views_officer.home, name="home"),
    path("dashboard/", views_officer_overview.dashboard, name="dashboard"),
    path("organisations/", views_officer_overview.organisations, name="organisations"),
    path("organisations/<id:pk>/", views_officer_overview.organisation, name="organisation"),
    # One case, and one small URL per action on it (each POST calls one service and redirects back).
    path("cases/<id:pk>/", views_officer.case, name="case"),
    path("cases/<id:pk>/take/", views_officer.take, name="case_take"),
    path("cases/<id:pk>/reassign/", views_officer.reassign, name="case_reassign"),
    path("cases/<id:pk>/verify/<charter_code:code>/", views_officer.review, name="case_review"),
    path("cases/<id:pk>/request-changes/", views_officer.request_changes, name="case_request_changes"),
    path("cases/<id:pk>/recommend/", views_officer.recommend, name="case_recommend"),
    path("cases/<id:pk>/approve/", views_officer.approve, name="case_approve"),
    path("cases/<id:pk>/reject/", views_officer.reject, name="case_reject"),
]
