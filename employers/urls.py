"""The employer's area under /employer/."""

from django.urls import path

import portal.converters  # noqa: F401 (registers the "id" converter)

from . import views

app_name = "employers"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("switch-organisation/", views.switch_organisation, name="switch_organisation"),
    path("organisation/", views.organisation_detail, name="organisation_detail"),
    path("organisation/new/", views.organisation_create, name="organisation_create"),
    path("organisation/change/", views.organisation_update, name="organisation_update"),
    path("organisation/leave/", views.membership_leave, name="membership_leave"),
    path("organisation/people/", views.people, name="people"),
    path("organisation/people/invite/", views.invite, name="invite"),
    path("organisation/people/invitations/<id:pk>/cancel/", views.invitation_cancel, name="invitation_cancel"),
    path("organisation/people/<id:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("organisation/people/<id:pk>/make-owner/", views.ownership_transfer, name="ownership_transfer"),
    path("invitation/<str:token>/", views.invite_accept, name="invite_accept"),
]
