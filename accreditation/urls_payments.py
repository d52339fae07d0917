"""Payment gateway endpoints under /payments/: Stripe's webhook and the built-in test gateway's page (issue 5)."""

app_name = "payments"

urlpatterns = []
