"""The portal's URLs plus one view that fails, to exercise the real 500 handler."""

from django.urls import include, path


def broken(request):
    raise RuntimeError("something went wrong")


urlpatterns = [
    path("", include("config.urls")),
    path("broken/", broken),
]

handler500 = "portal.views.server_error"
