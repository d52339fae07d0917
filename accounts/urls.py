"""Account pages of our own beside allauth's."""

from django.urls import path

from . import views

app_name = "accounts_extra"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
]
