"""The user's own account page, and the page shown when someone is rate limited."""

from http import HTTPStatus

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .roles import has_two_factor, is_officer


@login_required
def profile(request):
    """Show the signed-in person their account and the security settings they can change."""
    return render(
        request,
        "accounts/profile.html",
        {"has_two_factor": has_two_factor(request.user), "is_officer": is_officer(request.user)},
    )


def too_many_requests(request, exception=None):
    """Tell someone who hit a rate limit (sign in, sign up, emails) to wait, in the council's look."""
    return render(request, "account/too_many_requests.html", status=HTTPStatus.TOO_MANY_REQUESTS)
