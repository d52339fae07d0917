"""The user's own account page."""

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
