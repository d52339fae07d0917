"""Adding and removing evidence files (issue 3 point 7; PRODUCT.md section 9).

A file is checked (type by content, size, viruses: `accreditation.uploads.inspect_upload`) before a
byte is stored, and stored privately under a random key. A refused file leaves nothing behind: no
row, no stored bytes. Once an application has been submitted nothing is ever deleted or overwritten:
files can be removed from a draft only; while changes are requested new files go in beside the old.
"""

import logging
import secrets

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.roles import is_officer
from audit.services import audit_record
from charter.models import Criterion

from ..exceptions import (
    ApplicationNotEditable,
    CriterionNotInApplication,
    EvidenceGone,
    EvidenceInvalid,
    EvidenceNotRemovable,
)
from ..models import Application, ApplicationStatus, Evidence
from ..uploads import UploadRefused, inspect_upload
from ._common import clean_text, require_member, text_problem
from .answers import criterion_number
from .transitions import application_lock

logger = logging.getLogger(__name__)

DESCRIPTION_MAX_LENGTH = 200


def _check_may_add(*, actor, application: Application, criterion: Criterion) -> None:
    require_member(actor=actor, organisation=application.organisation)
    if not application.is_editable:
        raise ApplicationNotEditable
    if criterion.edition_id != application.edition_id or not criterion.applies_to(application.assessed_employee_count):
        raise CriterionNotInApplication


def _storage():
    """Where evidence bytes live: the private storage the Evidence model's file field writes to."""
    return Evidence._meta.get_field("file").storage


def _delete_stored(name: str) -> None:
    """Delete stored bytes; a failure is logged, never raised (the row is already gone or never was)."""
    try:
        _storage().delete(name)
    except Exception:
        logger.exception("Could not delete the stored evidence file %s", name)


def evidence_add(
    *, actor, application: Application, criterion: Criterion, uploaded_file: UploadedFile, description: str
) -> Evidence:
    """Check a file and attach it to a criterion of an editable application, with a short description.

    Raises EvidenceInvalid (field "file" with the checker's message, or "description"),
    ApplicationNotEditable or CriterionNotInApplication. The file is checked before any lock is taken
    (scanning can be slow) and stored only once it has passed. This runs as its own outermost
    transaction (durable), so that whenever the row is not committed the stored bytes are deleted:
    Django has no hook for the rollback of an enclosing transaction.
    """
    description = clean_text(description)
    if not description:
        raise EvidenceInvalid("Enter a short description of the file", field="description", code="required")
    if problem := text_problem(description, label="The description", max_length=DESCRIPTION_MAX_LENGTH):
        raise EvidenceInvalid(problem, field="description")
    if uploaded_file is None:
        raise EvidenceInvalid("Select a file", field="file", code="required")
    # A quick check on fresh data before the (possibly slow) inspection; repeated under the lock below.
    fresh = Application.objects.select_related("organisation").get(pk=application.pk)
    _check_may_add(actor=actor, application=fresh, criterion=criterion)
    try:
        checked = inspect_upload(uploaded_file)
    except UploadRefused as exc:
        raise EvidenceInvalid(exc.message, field="file", code=exc.code) from exc

    stored_name = None
    try:
        with transaction.atomic(durable=True):
            locked = application_lock(application)
            _check_may_add(actor=actor, application=locked, criterion=criterion)
            evidence = Evidence(
                application=locked,
                criterion=criterion,
                stored_key=secrets.token_hex(32),
                original_name=checked.safe_name,
                description=description,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                scanner=checked.scanner,
                uploaded_by=actor,
                submission_round=locked.submission_round,
            )
            # Named before writing, so that bytes half-written by a failing storage are deleted too.
            stored_name = evidence.file.field.generate_filename(evidence, evidence.stored_key)
            uploaded_file.seek(0)
            evidence.file.save(evidence.stored_key, uploaded_file, save=False)
            stored_name = evidence.file.name
            evidence.save()
            audit_record(
                actor=actor,
                action="evidence.add",
                obj=locked,
                note=(
                    f"{checked.safe_name} for {criterion_number(criterion)}: {description} "
                    f"({checked.size:,} bytes, SHA-256 {checked.sha256})."
                ),
            )
    except BaseException:
        if stored_name:
            _delete_stored(stored_name)
        raise
    return evidence


def evidence_remove(*, actor, evidence: Evidence) -> None:
    """Remove a file from a draft application: the row now, the stored bytes after the commit.

    After submission nothing is removed (EvidenceNotRemovable), also while changes are requested.
    """
    with transaction.atomic():
        locked = application_lock(evidence.application_id)
        require_member(actor=actor, organisation=locked.organisation)
        if locked.status != ApplicationStatus.DRAFT:
            raise EvidenceNotRemovable
        current = (
            Evidence.objects.select_for_update(of=("self",))
            .select_related("criterion__commitment")
            .filter(pk=evidence.pk, application=locked)
            .first()
        )
        if current is None:
            raise EvidenceGone
        stored_name = current.file.name
        current.delete()
        audit_record(
            actor=actor,
            action="evidence.remove",
            obj=locked,
            note=f"{current.original_name} from {criterion_number(current.criterion)}: {current.description}",
        )
        transaction.on_commit(lambda: _delete_stored(stored_name), robust=True)


def evidence_open(*, actor, evidence: Evidence) -> None:
    """Record that an officer opened an employer's file (members opening their own files are not recorded).

    Audited on the file, not the application, so the employer's timeline is not filled with downloads:
    the council can say who looked at an employer's evidence, and when.
    """
    if not is_officer(actor):
        return
    audit_record(
        actor=actor,
        action="evidence.download",
        obj=evidence,
        note=f"Opened {evidence.original_name} ({evidence.criterion.code}) of application "
        f"{evidence.application.reference}.",
    )
