"""The portal's URLs. Public paths follow PRODUCT.md section 8 exactly."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = f"{settings.SERVICE_NAME} administration"
admin.site.site_title = "Charter administration"
# Staff sign in through allauth (rate limits, two-factor), never through Django admin's own form:
# the admin login page sends anonymous people to /accounts/login/ and refuses non-staff with 403.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("portal.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("charter/", include("charter.urls")),
    path("employer/applications/", include("accreditation.urls_employer")),
    path("employer/accreditations/", include("accreditation.urls_fees")),
    path("employer/", include("employers.urls")),
    path("officer/", include("accreditation.urls_officer")),
    path("payments/", include("accreditation.urls_payments")),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
# allauth answers rate-limited requests with this (ACCOUNT_RATE_LIMITS).
handler429 = "accounts.views.too_many_requests"
