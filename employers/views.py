"""The employer's area under /employer/: their organisations, its details, its people, invitations.

Every lookup goes through the signed-in person's memberships: an organisation they are not in, or a
membership or invitation of one, is a 404.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import is_officer

from . import services
from .exceptions import (
    AlreadyMember,
    CannotRemoveYourself,
    CannotTransferToYourself,
    EmployersError,
    InvitationAlreadyOpen,
    InvitationAlreadyUsed,
    InvitationCancelled,
    InvitationEmailNotVerified,
    InvitationExpired,
    InvitationInvalid,
    InvitationWrongEmail,
    NotAMember,
    OrganisationAlreadyRegistered,
)
from .forms import InvitationForm, OrganisationForm
from .models import Invitation, Membership, Role
from .selectors import (
    current_membership,
    invitation_check_invitee,
    invitation_from_token,
    memberships_for,
    open_invitations,
    organisation_members,
)
from .session import (
    forget_current_organisation,
    forget_pending_invitation,
    remember_current_organisation,
    remember_pending_invitation,
)

# What a refused invitation link answers with: gone for good, not found, or not for you.
_INVITATION_STATUS = {
    InvitationInvalid: 404,
    InvitationExpired: 410,
    InvitationCancelled: 410,
    InvitationAlreadyUsed: 410,
    InvitationWrongEmail: 403,
    InvitationEmailNotVerified: 403,
    AlreadyMember: 409,
}
_LINK_PROBLEMS = (InvitationInvalid, InvitationExpired, InvitationCancelled, InvitationAlreadyUsed)


def employer_required(view):
    """Signed-in employer users only: anonymous people sign in first; council officers are refused."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if is_officer(request.user):
            return render(request, "employers/officer_refused.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def membership_required(view):
    """Employer users working as an organisation; the view gets their current membership."""

    @wraps(view)
    @employer_required
    def wrapper(request, *args, **kwargs):
        membership = current_membership(request)
        if membership is None:
            return redirect("employers:dashboard")
        return view(request, membership, *args, **kwargs)

    return wrapper


def owner_required(view):
    """The owner of the current organisation only; other members see who the owner is."""

    @wraps(view)
    @membership_required
    def wrapper(request, membership, *args, **kwargs):
        if not membership.is_owner:
            return _owner_only(request, membership)
        return view(request, membership, *args, **kwargs)

    return wrapper


def _owner_only(request, membership):
    owner = organisation_members(membership.organisation).filter(role=Role.OWNER).first()
    return render(request, "employers/owner_only.html", {"membership": membership, "owner": owner}, status=403)


def dashboard_sections(request, membership) -> list[str]:
    """The HTML of each section other apps add to the dashboard (settings.EMPLOYER_DASHBOARD_SECTIONS).

    Each is a dotted path to a callable taking (request, membership) and returning rendered HTML, so
    that employers never imports the apps that build on it.
    """
    if membership is None:
        return []
    return [import_string(path)(request, membership) for path in settings.EMPLOYER_DASHBOARD_SECTIONS]


@employer_required
def dashboard(request):
    """The employer's organisations, the current one's summary, and a way to switch or add one."""
    memberships = list(memberships_for(request.user))
    membership = current_membership(request)
    return render(
        request,
        "employers/dashboard.html",
        {
            "memberships": memberships,
            "membership": membership,
            "sections": dashboard_sections(request, membership),
        },
    )


@require_POST
@employer_required
def switch_organisation(request):
    """Work as another of the user's organisations (a plain form post, so it works without JavaScript)."""
    organisation_id = request.POST.get("organisation", "")
    if not (organisation_id.isascii() and organisation_id.isdigit() and len(organisation_id) <= 18):
        messages.error(request, "Select the organisation you want to work as")
        return redirect("employers:dashboard")
    membership = get_object_or_404(memberships_for(request.user), organisation_id=int(organisation_id))
    remember_current_organisation(request, membership.organisation)
    messages.success(request, f"You are now working as {membership.organisation}")
    return redirect("employers:dashboard")


@employer_required
def organisation_create(request):
    """Add an organisation; the person adding it becomes its owner."""
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(actor=request.user, details=form.cleaned_data)
        except OrganisationAlreadyRegistered as exc:
            form.add_error(exc.field, str(exc))
        else:
            remember_current_organisation(request, organisation)
            messages.success(request, f"{organisation} has been added. You are its owner")
            return redirect("employers:dashboard")
    return render(request, "employers/organisation_form.html", {"form": form, "creating": True})


@membership_required
def organisation_detail(request, membership):
    """The current organisation's details, each with a link to change it."""
    return render(request, "employers/organisation_detail.html", {"membership": membership})


@membership_required
def organisation_update(request, membership):
    """Change the current organisation's details (any member may)."""
    organisation = membership.organisation
    form = OrganisationForm(request.POST if request.method == "POST" else None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(actor=request.user, organisation=organisation, details=form.cleaned_data)
        except OrganisationAlreadyRegistered as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, "Your organisation's details have been saved")
            return redirect("employers:organisation_detail")
    return render(
        request, "employers/organisation_form.html", {"form": form, "creating": False, "membership": membership}
    )


@membership_required
def people(request, membership):
    """Who is in the organisation, and the invitations waiting to be accepted."""
    organisation = membership.organisation
    return render(
        request,
        "employers/people.html",
        {
            "membership": membership,
            "members": organisation_members(organisation),
            "invitations": open_invitations(organisation),
        },
    )


@owner_required
def invite(request, membership):
    """The owner invites a colleague by email."""
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.user,
                organisation=membership.organisation,
                email=form.cleaned_data["email"],
                base_url=request.build_absolute_uri("/"),
            )
        except (AlreadyMember, InvitationAlreadyOpen) as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"We have sent an invitation to {invitation.email}")
            return redirect("employers:people")
    return render(request, "employers/invite.html", {"form": form, "membership": membership})


@require_http_methods(["GET", "POST"])
@owner_required
def invitation_cancel(request, membership, pk):
    """Confirm, then cancel an invitation of the current organisation."""
    invitation = get_object_or_404(Invitation.objects.filter(organisation=membership.organisation), pk=pk)
    if not invitation.is_open:
        messages.error(request, f"The invitation to {invitation.email} can no longer be cancelled")
        return redirect("employers:people")
    if request.method == "POST":
        try:
            services.invitation_cancel(actor=request.user, invitation=invitation)
        except EmployersError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"The invitation to {invitation.email} has been cancelled")
        return redirect("employers:people")
    return render(
        request,
        "employers/confirm.html",
        {
            "membership": membership,
            "title": "Cancel invitation",
            "heading": f"Are you sure you want to cancel the invitation to {invitation.email}?",
            "lead": "The link in the email will stop working. You can invite them again later.",
            "button": "Cancel invitation",
        },
    )


@require_http_methods(["GET", "POST"])
@owner_required
def membership_remove(request, membership, pk):
    """Confirm, then remove someone from the current organisation."""
    target = get_object_or_404(
        Membership.objects.select_related("user").filter(organisation=membership.organisation), pk=pk
    )
    if target.pk == membership.pk:
        messages.error(request, str(CannotRemoveYourself()))
        return redirect("employers:people")
    if request.method == "POST":
        try:
            services.membership_remove(actor=request.user, membership=target)
        except EmployersError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{target.user} has been removed from {membership.organisation}")
        return redirect("employers:people")
    return render(
        request,
        "employers/confirm.html",
        {
            "membership": membership,
            "title": "Remove someone",
            "heading": f"Are you sure you want to remove {target.user} from {membership.organisation}?",
            "lead": "They will no longer be able to see or change anything for this organisation. "
            "You can invite them again later.",
            "button": f"Remove {target.user}",
        },
    )


@require_http_methods(["GET", "POST"])
@owner_required
def ownership_transfer(request, membership, pk):
    """Confirm, then make another member the owner."""
    target = get_object_or_404(
        Membership.objects.select_related("user").filter(organisation=membership.organisation), pk=pk
    )
    if target.pk == membership.pk:
        messages.error(request, str(CannotTransferToYourself()))
        return redirect("employers:people")
    if request.method == "POST":
        try:
            services.ownership_transfer(actor=request.user, organisation=membership.organisation, new_owner=target)
        except EmployersError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{target.user} is now the owner of {membership.organisation}")
        return redirect("employers:people")
    return render(
        request,
        "employers/confirm.html",
        {
            "membership": membership,
            "title": "Make someone the owner",
            "heading": f"Are you sure you want to make {target.user} the owner of {membership.organisation}?",
            "lead": "There is one owner. They will be able to invite and remove people and to hand ownership on. "
            "You will stay in the organisation as a member, and cannot undo this yourself.",
            "button": f"Make {target.user} the owner",
        },
    )


@require_http_methods(["GET", "POST"])
@membership_required
def membership_leave(request, membership):
    """Confirm, then leave the current organisation (the owner hands ownership on first)."""
    organisation = membership.organisation
    if request.method == "POST":
        try:
            services.membership_leave(actor=request.user, organisation=organisation)
        except NotAMember:
            return redirect("employers:dashboard")
        except EmployersError as exc:
            messages.error(request, str(exc))
            return redirect("employers:people")
        forget_current_organisation(request)
        messages.success(request, f"You have left {organisation}")
        return redirect("employers:dashboard")
    return render(request, "employers/leave.html", {"membership": membership})


@require_http_methods(["GET", "POST"])
def invite_accept(request, token):
    """An invitation link: who invited whom to what; sign in (or create an account), then accept."""
    user = request.user
    if user.is_authenticated and is_officer(user):
        return render(request, "employers/officer_refused.html", status=403)
    try:
        invitation = invitation_from_token(token)
    except EmployersError as exc:
        forget_pending_invitation(request)
        return _invitation_problem(request, exc)

    if not user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.path)
        # Remembered so that whichever way they sign in, portal:after_login brings them back here.
        remember_pending_invitation(request, token)
        return render(request, "employers/invitation.html", {"invitation": invitation})

    forget_pending_invitation(request)
    problem = None
    try:
        invitation_check_invitee(invitation=invitation, user=user)
    except EmployersError as exc:
        problem = exc
    if request.method == "POST" and problem is None:
        try:
            joined = services.invitation_accept(actor=user, token=token)
        except _LINK_PROBLEMS as exc:
            return _invitation_problem(request, exc)
        except EmployersError as exc:
            problem = exc
        else:
            remember_current_organisation(request, joined.organisation)
            messages.success(request, f"You have joined {joined.organisation}")
            return redirect("employers:dashboard")
    return render(
        request,
        "employers/invitation.html",
        {
            "invitation": invitation,
            "problem": problem,
            "problem_is_wrong_email": isinstance(problem, InvitationWrongEmail),
        },
        status=_INVITATION_STATUS.get(type(problem), 400) if problem else 200,
    )


def _invitation_problem(request, exc: EmployersError):
    return render(
        request,
        "employers/invitation_problem.html",
        {"problem": str(exc), "kind": type(exc).__name__},
        status=_INVITATION_STATUS.get(type(exc), 400),
    )
