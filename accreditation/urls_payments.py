"""Payment gateway endpoints under /payments/: Stripe's webhook and the built-in test gateway's page (issue 5)."""

from django.urls import path

from . import views_payments

app_name = "payments"

urlpatterns = [
    path("stripe/webhook/", views_payments.stripe_webhook, name="stripe_webhook"),
    path("test-checkout/<str:session_id>/", views_payments.test_checkout, name="test_checkout"),
]
