"""The portal's URLs. Public paths follow PRODUCT.md section 8 exactly."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Fine City Employers Charter administration"
admin.site.site_title = "Charter administration"

urlpatterns = [
    path("", include("portal.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("employer/", include("employers.urls")),
    path("officer/", include("accreditation.urls_officer")),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
