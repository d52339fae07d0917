"""Public pages of the portal: home, accessibility statement, privacy notice, health check, errors."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.roles import is_officer


def home(request):
    """What the charter is, how to apply, and where to go next."""
    return render(request, "portal/home.html")


def accessibility(request):
    """The accessibility statement the Public Sector Bodies Accessibility Regulations 2018 require."""
    return render(request, "portal/accessibility.html")


def privacy(request):
    """The privacy notice: what personal data the service holds, why, and for how long."""
    return render(request, "portal/privacy.html")


@login_required
def after_login(request):
    """Send officers to their work area and everyone else to their organisation's dashboard."""
    if is_officer(request.user):
        return redirect("officer:home")
    return redirect("employers:dashboard")


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not (for the load balancer)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)
