"""The employer's accreditation and its fee under /employer/accreditations/ (issue 5)."""

app_name = "fees"

urlpatterns = []
