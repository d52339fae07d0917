"""The employer's self-assessment under /employer/applications/: task list, answers, evidence, submission.

Every page looks the application up through the signed-in person's memberships (404 otherwise) and
refuses council officers, like the rest of /employer/; only the evidence download lets officers in
(and each file an officer opens is audited). Every change is a POST to one service; a submitted
application can be read but never changed here. While the council has asked for changes, the task
list, the commitment pages and check your answers show each officer's query beside its criterion.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from employers.views import employer_required, membership_required
from portal.templatetags.govuk import field_anchor

from . import services
from .exceptions import (
    AccreditationError,
    AnswerConflict,
    AnswerInvalid,
    AnswersRefused,
    ApplicationIncomplete,
    ApplicationNotEditable,
    EvidenceInvalid,
    EvidenceNotRemovable,
    InputInvalid,
    InvalidTransition,
)
from .forms import AnswerForm, DeclarationForm, EvidenceForm, WithdrawForm
from .models import ApplicationStatus
from .selectors import (
    CriterionState,
    application_for_member,
    application_state,
    application_timeline,
    criterion_anchor,
    evidence_for_download,
    evidence_for_member,
    open_query_codes,
    queries_for,
    status_tag,
    submission_gaps,
)
from .uploads import sanitise_filename


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _not_editable(request, application):
    """A clear page instead of a change: the application has been submitted (or withdrawn, or decided)."""
    return render(
        request,
        "accreditation/not_editable.html",
        {"application": application, "status_tag": status_tag(application)},
        status=409 if request.method == "POST" else 200,
    )


@dataclass(frozen=True)
class Query:
    """An officer's query on one criterion, as the employer sees it while changes are requested."""

    criterion: CriterionState
    note: str
    # Not acted on yet: no answer saved and no file added for the criterion since the query.
    open: bool
    url: str

    @property
    def code(self) -> str:
        return self.criterion.code


def _queries(application, state) -> dict[str, Query]:
    """The latest round's queries by criterion code, in charter order, while changes are requested (else none).

    Two queries: the notes, and which queries the employer has not acted on since.
    """
    if application.status != ApplicationStatus.CHANGES_REQUESTED:
        return {}
    notes = queries_for(application)
    if not notes:
        return {}
    answers = {item.criterion.pk: item.answer for item in state.applicable if item.answer is not None}
    files = {item.criterion.pk: item.files for item in state.applicable}
    still_open = open_query_codes(application, answers, files)
    queries = {}
    for code, note in notes.items():
        item = state.criteria_by_code.get(code)
        if item is None:  # no longer asked: the organisation's headcount has changed since
            continue
        page = reverse("applications:commitment", kwargs={"pk": application.pk, "code": item.criterion.commitment.code})
        queries[code] = Query(
            criterion=item, note=note, open=code in still_open, url=f"{page}#{criterion_anchor(item.criterion)}"
        )
    return queries


def _summary_items(forms, extra=()):
    """Error summary items for several forms on one page, each linking to its field."""
    items = []
    for form in forms:
        for error in form.non_field_errors():
            items.append({"text": error, "href": ""})
        for field in form:
            for error in field.errors:
                # The first box of a date, the first radio of a group, else the field itself.
                items.append({"text": error, "href": f"#{field.id_for_label or field_anchor(field)}"})
    return [*extra, *items]


@require_POST
@membership_required
def start(request, membership):
    """Start the current organisation's application against the current edition of the charter."""
    try:
        application = services.application_start(actor=request.user, organisation=membership.organisation)
    except AccreditationError as exc:
        messages.error(request, str(exc))
        return redirect("employers:dashboard")
    return redirect("applications:task_list", pk=application.pk)


@employer_required
def task_list(request, pk):
    """The self-assessment's task list: one task per commitment, then check and submit."""
    application = application_for_member(request.user, pk)
    if not application.is_editable:
        return redirect("applications:detail", pk=application.pk)
    state = application_state(application)
    queries = _queries(application, state)
    tasks = [
        (commitment, [queries[item.code] for item in commitment.criteria if item.code in queries])
        for commitment in state.commitments
    ]
    return render(
        request,
        "accreditation/task_list.html",
        {
            "application": application,
            "state": state,
            "status_tag": status_tag(application),
            "tasks": tasks,
            "queries": list(queries.values()),
        },
    )


@require_http_methods(["GET", "POST"])
@employer_required
def commitment(request, pk, code):
    """Answer a commitment's criteria; save and continue, or save and come back later."""
    application = application_for_member(request.user, pk)
    if not application.is_editable:
        return _not_editable(request, application)
    state = application_state(application)
    current = state.commitment(code)
    if current is None:
        raise Http404("No such commitment in this application.")
    data = request.POST if request.method == "POST" else None
    forms = [AnswerForm(data, criterion=c.criterion, answer=c.answer) for c in current.criteria]
    conflicts = {}
    if request.method == "POST":
        valid = [form.is_valid() for form in forms]
        if all(valid):
            inputs = [
                services.AnswerInput(
                    criterion=form.criterion,
                    response=form.cleaned_data["response"],
                    explanation=form.cleaned_data["explanation"],
                    action_plan=form.cleaned_data["action_plan"],
                    target_date=form.cleaned_data["target_date"],
                    loaded_version=form.cleaned_data["version"],
                )
                for form in forms
                if form.cleaned_data["response"]
            ]
            try:
                services.answers_save(actor=request.user, application=application, answers=inputs)
            except ApplicationNotEditable:
                return _not_editable(request, application)
            except AnswersRefused as exc:
                forms, conflicts = _put_back(request, forms, exc)
            else:
                return _after_save(request, application, current, state)
    extra = [
        {"text": conflict["message"], "href": f"#{criterion_anchor(conflict['criterion'])}"}
        for conflict in conflicts.values()
    ]
    items = _summary_items(forms, extra) if request.method == "POST" else []
    queries = _queries(application, state)
    rows = [
        {
            "state": criterion_state,
            "form": form,
            "conflict": conflicts.get(criterion_state.criterion.pk),
            "query": queries.get(criterion_state.code),
        }
        for criterion_state, form in zip(current.criteria, forms, strict=True)
    ]
    return render(
        request,
        "accreditation/commitment.html",
        {
            "application": application,
            "state": state,
            "commitment": current,
            "rows": rows,
            "error_items": items,
            "page_errors": bool(items),
        },
    )


def _put_back(request, forms, refused: AnswersRefused):
    """Put each refusal on its criterion's form; a conflict reloads the form at the colleague's version."""
    conflicts = {}
    rebuilt = []
    for form in forms:
        refusal = refused.refusals.get(form.criterion.code)
        if isinstance(refusal, AnswerConflict):
            # Keep what this person typed, now based on the colleague's version, so saving again is a
            # deliberate choice to replace it.
            data = request.POST.copy()
            data[form.add_prefix("version")] = str(refusal.answer.version)
            form = AnswerForm(data, criterion=form.criterion, answer=refusal.answer)
            form.is_valid()
            conflicts[form.criterion.pk] = {
                "message": str(refusal),
                "answer": refusal.answer,
                "criterion": form.criterion,
            }
        elif isinstance(refusal, AnswerInvalid):
            for field, message in refusal.errors.items():
                form.add_error(field if field in form.fields else None, message)
        elif refusal is not None:
            form.add_error(None, str(refusal))
        rebuilt.append(form)
    return rebuilt, conflicts


def _after_save(request, application, current, state):
    """Where "Save and continue" and "Save and come back later" go."""
    if request.POST.get("action") == "later":
        messages.success(request, "Your answers have been saved. You or a colleague can come back to them at any time")
        return redirect("applications:task_list", pk=application.pk)
    # A Yes that asks for evidence leads straight to its files page; that page's Continue comes back here.
    fresh = application_state(application).commitment(current.code)
    needing_files = next((c for c in fresh.criteria if c.evidence_missing), None)
    if needing_files is not None:
        messages.success(request, f"Your answers have been saved. Now add the evidence for {needing_files.number}")
        return redirect("applications:evidence", pk=application.pk, code=needing_files.code)
    following = state.next_commitment(current.code)
    if following is None:
        messages.success(request, "Your answers have been saved")
        return redirect("applications:task_list", pk=application.pk)
    return redirect("applications:commitment", pk=application.pk, code=following.code)


@require_http_methods(["GET", "POST"])
@employer_required
def evidence(request, pk, code):
    """A criterion's files: see them, add one (checked before it is stored), remove one from a draft."""
    application = application_for_member(request.user, pk)
    if not application.is_editable:
        return _not_editable(request, application)
    state = application_state(application)
    criterion_state = state.criteria_by_code.get(code)
    if criterion_state is None:
        raise Http404("No such criterion in this application.")
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.evidence_add(
                actor=request.user,
                application=application,
                criterion=criterion_state.criterion,
                uploaded_file=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except EvidenceInvalid as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except ApplicationNotEditable:
            return _not_editable(request, application)
        else:
            messages.success(request, f"{added.original_name} has been added")
            return redirect("applications:evidence", pk=application.pk, code=code)
    commitment_state = next(c for c in state.commitments if criterion_state in c.criteria)
    return render(
        request,
        "accreditation/evidence.html",
        {
            "application": application,
            "state": state,
            "commitment": commitment_state,
            "criterion": criterion_state,
            "form": form,
            "removable": application.status == ApplicationStatus.DRAFT,
            "continue_url": _continue_from_evidence(application, state, commitment_state, criterion_state),
        },
    )


def _continue_from_evidence(application, state, commitment_state, criterion_state) -> str:
    """After a criterion's files: the next criterion after it still needing one, else the next commitment.

    Only criteria after this one, so that Continue always moves on and never goes round in a circle.
    """
    later = commitment_state.criteria[commitment_state.criteria.index(criterion_state) + 1 :]
    needing = next((c for c in later if c.evidence_missing), None)
    if needing is not None:
        return reverse("applications:evidence", kwargs={"pk": application.pk, "code": needing.code})
    following = state.next_commitment(commitment_state.code)
    if following is not None:
        return reverse("applications:commitment", kwargs={"pk": application.pk, "code": following.code})
    return reverse("applications:task_list", kwargs={"pk": application.pk})


@require_http_methods(["GET", "POST"])
@employer_required
def evidence_remove(request, pk, evidence_pk):
    """Confirm, then remove a file from a draft application."""
    item = evidence_for_member(request.user, application_pk=pk, evidence_pk=evidence_pk)
    application = application_for_member(request.user, pk)
    back = reverse("applications:evidence", kwargs={"pk": pk, "code": item.criterion.code})
    if application.status != ApplicationStatus.DRAFT:
        messages.error(request, str(EvidenceNotRemovable()))
        return redirect(back) if application.is_editable else _not_editable(request, application)
    if request.method == "POST":
        try:
            services.evidence_remove(actor=request.user, evidence=item)
        except AccreditationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{item.original_name} has been removed")
        return redirect(back)
    return render(
        request,
        "accreditation/evidence_remove.html",
        {"application": application, "item": item, "back": back},
    )


@login_required
def evidence_download(request, pk, evidence_pk):
    """Download a file: for the organisation's people and for officers; never from a public address.

    Each file an officer opens is audited (on the file, so the employer's timeline is not filled with
    downloads): the council can say who looked at an employer's evidence, and when.
    """
    item = evidence_for_download(request.user, application_pk=pk, evidence_pk=evidence_pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    services.evidence_open(actor=request.user, evidence=item)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=sanitise_filename(item.original_name),
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@employer_required
def check_answers(request, pk):
    """Every answer and file with "Change" links, the provisional level, the declaration; then submit."""
    application = application_for_member(request.user, pk)
    if not application.is_editable:
        return _not_editable(request, application)
    state = application_state(application)
    if request.method == "POST":
        form = DeclarationForm(request.POST)
        gap_items = []
        if form.is_valid():
            try:
                services.application_submit(
                    actor=request.user,
                    application=application,
                    declaration_name=form.cleaned_data["declaration_name"],
                    declaration_role=form.cleaned_data["declaration_role"],
                    base_url=_base_url(request),
                )
            except ApplicationIncomplete as exc:
                for gap in exc.gaps:
                    if gap.field:
                        form.add_error(gap.field, gap.text)
                    else:
                        gap_items.append({"text": gap.text, "href": gap.url})
                state = application_state(application)
            except (InvalidTransition, ApplicationNotEditable):
                return _not_editable(request, application)
            else:
                return redirect("applications:confirmation", pk=application.pk)
        else:
            gap_items = [{"text": gap.text, "href": gap.url} for gap in submission_gaps(state) if not gap.field]
        items = _summary_items([form], gap_items)
    else:
        form = DeclarationForm(initial={"declaration_name": request.user.full_name})
        items = []
    gaps = [gap for gap in submission_gaps(state) if not gap.field]
    return render(
        request,
        "accreditation/check_answers.html",
        {
            "application": application,
            "state": state,
            "form": form,
            "gaps": gaps,
            "queries": list(_queries(application, state).values()),
            "error_items": items,
            "page_errors": bool(items),
        },
    )


@employer_required
def confirmation(request, pk):
    """The confirmation after submitting: the reference and what happens next."""
    application = application_for_member(request.user, pk)
    if application.submitted_at is None or application.is_editable:
        return redirect("applications:task_list", pk=application.pk)
    return render(request, "accreditation/confirmation.html", {"application": application})


@employer_required
def detail(request, pk):
    """The application as it stands, to read: answers, files, the declaration, and its timeline."""
    application = application_for_member(request.user, pk)
    state = application_state(application)
    return render(
        request,
        "accreditation/detail.html",
        {
            "application": application,
            "state": state,
            "status_tag": status_tag(application),
            "timeline": application_timeline(application, include_edits=True, for_employer=True),
        },
    )


@require_http_methods(["GET", "POST"])
@employer_required
def withdraw(request, pk):
    """Confirm, then withdraw the application (any time before a decision), with an optional reason."""
    application = application_for_member(request.user, pk)
    if not application.is_withdrawable:
        return render(
            request,
            "accreditation/not_withdrawable.html",
            {"application": application, "status_tag": status_tag(application)},
            status=409 if request.method == "POST" else 200,
        )
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                actor=request.user,
                application=application,
                reason=form.cleaned_data["reason"],
                base_url=_base_url(request),
            )
        except InputInvalid as exc:
            for field, message in exc.errors.items():
                form.add_error(field, message)
        except InvalidTransition as exc:
            messages.error(request, str(exc))
            return redirect("applications:detail", pk=application.pk)
        else:
            messages.success(request, f"Application {application.reference} has been withdrawn")
            return redirect("employers:dashboard")
    return render(request, "accreditation/withdraw.html", {"application": application, "form": form})
