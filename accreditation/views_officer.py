"""Officers' pages."""

from django.shortcuts import render

from accounts.roles import officer_required


@officer_required
def home(request):
    """The officers' landing page."""
    return render(request, "accreditation/officer/home.html")
