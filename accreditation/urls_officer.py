"""The officers' work area under /officer/. Every view here is for officers with two-factor only."""

from django.urls import path

from . import views_officer, views_officer_fees, views_officer_overview

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
    # Fees and payments (issue 5): an accreditation and its fee, the payments table, the gateway's event log.
    path("accreditations/<id:pk>/", views_officer_fees.accreditation, name="accreditation"),
    path("accreditations/<id:pk>/record-payment/", views_officer_fees.record_payment, name="record_payment"),
    path("accreditations/<id:pk>/waive-fee/", views_officer_fees.waive_fee, name="waive_fee"),
    path("payments/", views_officer_fees.payments, name="payments"),
    path("payments/<id:pk>/accept/", views_officer_fees.accept_payment, name="payment_accept"),
    path("payments/<id:pk>/clear-flag/", views_officer_fees.clear_payment_flag, name="payment_attention_clear"),
    path("payments/events/", views_officer_fees.payment_events, name="payment_events"),
    path("payments/events/<id:pk>/", views_officer_fees.payment_event, name="payment_event"),
    path("payments/events/<id:pk>/run-again/", views_officer_fees.payment_event_rerun, name="payment_event_rerun"),
]
