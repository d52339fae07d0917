"""The officers' work area under /officer/. Every view here is for officers with two-factor only."""

from django.urls import path

from . import views_officer

app_name = "officer"

urlpatterns = [
    path("", views_officer.home, name="home"),
]
