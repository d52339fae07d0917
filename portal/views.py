"""Public pages of the portal: home, accessibility statement, privacy notice, health check, errors."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.roles import is_officer
from employers.session import pop_pending_invitation_url


def home(request):
    """What the charter is, how to apply, and where to go next."""
    return render(request, "portal/home.html")


def accessibility(request):
    """The accessibility statement the Public Sector Bodies Accessibility Regulations 2018 require."""
    return render(request, "portal/accessibility.html")


def privacy(request):
    """The privacy notice: what personal data the service holds, why, and for how long."""
    cookies = {
        "session_cookie_name": settings.SESSION_COOKIE_NAME,
        "session_cookie_hours": settings.SESSION_COOKIE_AGE // 3600,
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
        "messages_cookie_name": "messages",
    }
    return render(request, "portal/privacy.html", cookies)


@login_required
def after_login(request):
    """Send officers to their work area; others back to an invitation they opened, else to their dashboard."""
    if is_officer(request.user):
        return redirect("officer:home")
    invitation_url = pop_pending_invitation_url(request)
    if invitation_url:
        return redirect(invitation_url)
    return redirect("employers:dashboard")


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not (for the load balancer)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def bad_request(request, exception=None):
    """400 in the council's look."""
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    """403 in the council's look."""
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    """404 in the council's look."""
    return render(request, "errors/404.html", status=404)


def server_error(request):
    """500 without the request's context: the database, the session or the user may be what failed."""
    context = {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "service_email": settings.SERVICE_EMAIL,
        "service_phone": settings.SERVICE_PHONE,
    }
    return HttpResponseServerError(loader.render_to_string("errors/500.html", context))
