"""Officers' pages: the queue, the case view, and one small POST view per action on a case.

Each action checks its form, calls one service, maps a refusal to a message and redirects back to the
case (post/redirect/get). Field errors (a bad form, or InputInvalid from the service) re-render the
case view with the form and its errors instead, so nothing typed is lost.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from accounts.roles import officer_required
from accreditation import services
from accreditation.exceptions import AccreditationError, InputInvalid
from accreditation.filters import QueueFilter
from accreditation.forms_officer import (
    REJECT,
    ApproveForm,
    CriterionReviewForm,
    ReassignForm,
    RecommendForm,
    RejectForm,
    RequestChangesForm,
)
from accreditation.models import Application, ApplicationStatus
from accreditation.selectors import (
    TARGET_WORKING_DAYS,
    case_for_officer,
    days_waiting,
    officer_queue,
    past_target,
    status_tag,
)
from accreditation.services.review import REASSIGNABLE_STATUSES, is_lead_officer
from accreditation.tables import QueueTable
from charter.models import Criterion
from charter.selectors import edition_content

QUEUE_PAGE_SIZE = 25


@officer_required
def home(request):
    """The queue: every case officers work on, filtered, sorted and paginated."""
    today = timezone.localdate()
    queue_filter = QueueFilter(request.GET, queryset=officer_queue(officer=request.user), request=request)
    table = QueueTable(queue_filter.qs, today=today)
    RequestConfig(request, paginate={"per_page": QUEUE_PAGE_SIZE}).configure(table)
    return render(
        request,
        "accreditation/officer/home.html",
        {"filter": queue_filter, "table": table, "target": TARGET_WORKING_DAYS},
    )


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _case_url(pk: int, anchor: str = "") -> str:
    url = reverse("officer:case", kwargs={"pk": pk})
    return f"{url}#{anchor}" if anchor else url


def _case_context(request, pk: int, **bound_forms) -> dict:
    case = case_for_officer(pk)
    application = case.application
    user = request.user
    mine = application.assigned_to_id == user.pk
    in_review = application.status == ApplicationStatus.IN_REVIEW
    levels = list(case.progress.content.levels)
    verified_code = case.progress.level.level_code
    review_forms = {}
    if in_review and mine:
        bound = bound_forms.get("review_form")
        for item in case.criteria:
            if bound is not None and bound.prefix == item.code:
                review_forms[item.code] = bound
            else:
                initial = {"outcome": item.review.outcome, "note": item.review.note} if item.review else {}
                review_forms[item.code] = CriterionReviewForm(prefix=item.code, initial=initial)
    rows = [(item, review_forms.get(item.code)) for item in case.criteria]
    recommended = application.status == ApplicationStatus.RECOMMENDED
    return {
        "case": case,
        "application": application,
        "rows": rows,
        "status_tag": status_tag(application),
        "days_waiting": days_waiting(application),
        "past_target": past_target(application),
        "target": TARGET_WORKING_DAYS,
        "mine": mine,
        # A resubmitted case stays with its officer: others are not offered the button (a lead reassigns).
        "can_take": application.status == ApplicationStatus.SUBMITTED and application.assigned_to_id in (None, user.pk),
        "can_review": in_review and mine,
        "is_lead": is_lead_officer(user),
        "can_reassign": is_lead_officer(user) and application.status in REASSIGNABLE_STATUSES,
        "reassign_form": bound_forms.get("reassign_form") or ReassignForm(),
        "request_changes_form": bound_forms.get("request_changes_form") or RequestChangesForm(),
        "recommend_form": bound_forms.get("recommend_form")
        or RecommendForm(levels=levels, verified_code=verified_code),
        "recommended_level": next((lv for lv in levels if lv.code == application.recommended_level_code), None),
        "can_decide": recommended,
        "is_recommender": recommended and application.recommended_by_id == user.pk,
        "approve_form": bound_forms.get("approve_form") or ApproveForm(),
        "reject_form": bound_forms.get("reject_form") or RejectForm(),
        "timeline": case.timeline,
    }


def _render_case(request, pk: int, *, status: int = 200, **bound_forms):
    context = _case_context(request, pk, **bound_forms)
    context["bound_form"] = next(iter(bound_forms.values()))
    return render(request, "accreditation/officer/case.html", context, status=status)


@officer_required
def case(request, pk):
    """One case: the organisation, every answer and file, the review so far, history and timeline."""
    return render(request, "accreditation/officer/case.html", _case_context(request, pk))


def _application(pk: int) -> Application:
    return get_object_or_404(Application.objects.exclude(status=ApplicationStatus.DRAFT), pk=pk)


def _act(request, pk, action, *, form=None, form_name="", success="", anchor=""):
    """Run one service call; map a refusal to an error message, field errors to the form, then redirect."""
    try:
        action()
    except InputInvalid as exc:
        if form is None:
            messages.error(request, str(exc))
            return redirect(_case_url(pk, anchor))
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return _render_case(request, pk, **{form_name: form})
    except AccreditationError as exc:
        messages.error(request, str(exc))
        return redirect(_case_url(pk, anchor))
    if success:
        messages.success(request, success)
    return redirect(_case_url(pk, anchor))


@officer_required
@require_POST
def take(request, pk):
    """Take a submitted case (or one waiting on the employer that nobody has)."""
    application = _application(pk)
    return _act(
        request,
        pk,
        lambda: services.application_take(actor=request.user, application=application, base_url=_base_url(request)),
        success="You have taken this case.",
    )


@officer_required
@require_POST
def reassign(request, pk):
    """A lead officer gives the case to another officer."""
    application = _application(pk)
    form = ReassignForm(request.POST)
    if not form.is_valid():
        return _render_case(request, pk, reassign_form=form)
    officer = form.cleaned_data["officer"]
    return _act(
        request,
        pk,
        lambda: services.application_reassign(actor=request.user, application=application, officer=officer),
        form=form,
        form_name="reassign_form",
        success=f"The case is now with {officer}.",
    )


@officer_required
@require_POST
def review(request, pk, code):
    """Mark one criterion verified, or query it with a note; back to that criterion."""
    application = _application(pk)
    criterion = Criterion.objects.filter(commitment__edition=application.edition_id, code=code).first()
    if criterion is None:
        raise Http404("No such criterion in this case.")
    form = CriterionReviewForm(request.POST, prefix=code)
    if not form.is_valid():
        return _render_case(request, pk, review_form=form)
    note = form.cleaned_data["note"]
    if form.cleaned_data["outcome"] == "verified":
        service, done = services.criterion_verify, f"{code} marked verified."
    else:
        service, done = services.criterion_query, f"{code} queried."
    return _act(
        request,
        pk,
        lambda: service(actor=request.user, application=application, criterion=criterion, note=note),
        form=form,
        form_name="review_form",
        success=done,
        anchor=f"criterion-{code}",
    )


@officer_required
@require_POST
def request_changes(request, pk):
    """Send the case back to the employer with this round's queries."""
    application = _application(pk)
    form = RequestChangesForm(request.POST)
    if not form.is_valid():
        return _render_case(request, pk, request_changes_form=form)
    return _act(
        request,
        pk,
        lambda: services.application_request_changes(
            actor=request.user, application=application, note=form.cleaned_data["note"], base_url=_base_url(request)
        ),
        form=form,
        form_name="request_changes_form",
        success="Changes requested: the employer has been told what to change.",
    )


@officer_required
@require_POST
def recommend(request, pk):
    """Recommend a level (lower ones need a reason), or rejection with a reason."""
    application = _application(pk)
    levels = list(edition_content(application.edition).levels)
    form = RecommendForm(request.POST, levels=levels)
    if not form.is_valid():
        return _render_case(request, pk, recommend_form=form)
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    if decision == REJECT:

        def action():
            return services.application_recommend_rejection(actor=request.user, application=application, reason=reason)

        done = "Rejection recommended. Another officer will decide."
    else:

        def action():
            return services.application_recommend(
                actor=request.user, application=application, level_code=decision, reason=reason
            )

        done = "Level recommended. Another officer will approve or reject it."
    return _act(request, pk, action, form=form, form_name="recommend_form", success=done)


@officer_required
@require_POST
def approve(request, pk):
    """Approve the recommended level (not by the officer who recommended it)."""
    application = _application(pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _render_case(request, pk, approve_form=form)
    return _act(
        request,
        pk,
        lambda: services.application_approve(
            actor=request.user, application=application, note=form.cleaned_data["note"], base_url=_base_url(request)
        ),
        form=form,
        form_name="approve_form",
        success="Approved. The accreditation is waiting for its fee.",
    )


@officer_required
@require_POST
def reject(request, pk):
    """Reject the case with the reason and what the employer can do next."""
    application = _application(pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _render_case(request, pk, reject_form=form)
    return _act(
        request,
        pk,
        lambda: services.application_reject(
            actor=request.user,
            application=application,
            reason=form.cleaned_data["reason"],
            next_steps=form.cleaned_data["next_steps"],
            base_url=_base_url(request),
        ),
        form=form,
        form_name="reject_form",
        success="Rejected. The employer has been told why and what they can do next.",
    )
