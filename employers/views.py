"""Employer pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def dashboard(request):
    """The employer's dashboard."""
    return render(request, "employers/dashboard.html")
