"""The employer's accreditation and its fee under /employer/accreditations/ (issue 5)."""

from django.urls import path

import portal.converters  # noqa: F401 (registers the "id" converter)

from . import views_fees as views

app_name = "fees"

urlpatterns = [
    path("<id:pk>/", views.accreditation, name="accreditation"),
    path("<id:pk>/pay/", views.pay, name="pay"),
    path("<id:pk>/payment-received/", views.paid, name="paid"),
    path("<id:pk>/payment-cancelled/", views.cancelled, name="cancelled"),
    path("<id:pk>/payments/<id:payment_pk>/receipt.pdf", views.receipt, name="receipt"),
]
