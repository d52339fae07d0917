"""accreditation.services.evidence: files checked before they are stored, and nothing left behind when refused."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accreditation import services
from accreditation.exceptions import (
    ApplicationNotEditable,
    CriterionNotInApplication,
    EvidenceGone,
    EvidenceInvalid,
    EvidenceNotRemovable,
    NotAMember,
)
from accreditation.models import ApplicationStatus, Evidence
from accreditation.uploads import CheckedUpload, UploadRefused
from audit.models import AuditEvent
from tests.accreditation.files import EICAR, pdf_bytes
from tests.accreditation.helpers import add_evidence, criterion, force_status, pdf_upload


def stored_files(folder) -> list:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def add(application, actor, code="pay.direct", *, uploaded=None, description="Payroll summary, March"):
    return services.evidence_add(
        actor=actor,
        application=application,
        criterion=criterion(application, code),
        uploaded_file=uploaded if uploaded is not None else pdf_upload(),
        description=description,
    )


def test_a_checked_file_is_stored_privately_under_a_random_key(application, owner, evidence_storage):
    """The row keeps the sanitised name, type from content, size, hash and scanner; the bytes sit under the key."""
    content = pdf_bytes("Lowest rate £12.60")
    evidence = add(application, owner, uploaded=SimpleUploadedFile("../../March payroll.PDF", content, "text/html"))
    assert evidence.original_name == "March payroll.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.size == len(content)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.scanner == "eicar-stub"
    assert evidence.uploaded_by == owner and evidence.submission_round == 0
    assert len(evidence.stored_key) == 64 and "payroll" not in evidence.file.name
    assert evidence.file.name == f"evidence/{application.pk}/{evidence.stored_key}"
    [path] = stored_files(evidence_storage)
    assert path.read_bytes() == content
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_adding_a_file_is_audited(application, owner):
    """The audit row names the file, its size and hash, the criterion and the description."""
    evidence = add(application, owner)
    event = AuditEvent.objects.for_object(application).get(action="evidence.add")
    assert event.actor == owner
    assert event.note == (
        f"payroll-summary.pdf for 1.1: Payroll summary, March ({evidence.size:,} bytes, SHA-256 {evidence.sha256})."
    )


def test_several_files_can_support_one_criterion(application, owner):
    """Files are added beside each other."""
    add(application, owner)
    add(application, owner, uploaded=pdf_upload("second.pdf"))
    assert application.evidence.count() == 2


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.pdf", b"", "empty"),
        ("eicar.pdf", EICAR, None),
        ("virus.csv", EICAR, "virus"),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "content_mismatch"),
        ("program.exe", b"MZ\x90\x00" + b"\x00" * 100, "type_not_allowed"),
    ],
)
def test_a_refused_file_leaves_no_row_and_no_bytes(application, owner, evidence_storage, name, content, code):
    """Each refusal from the checks comes back as a message on the file field; nothing is stored."""
    with pytest.raises(EvidenceInvalid) as refused:
        add(application, owner, uploaded=SimpleUploadedFile(name, content, "application/pdf"))
    assert refused.value.field == "file"
    if code:
        assert refused.value.code == code
    assert not Evidence.objects.exists()
    assert stored_files(evidence_storage) == []
    assert not AuditEvent.objects.filter(action="evidence.add").exists()


def test_a_file_over_the_limit_is_refused(application, owner, evidence_storage, settings):
    """Too large: the message gives the limit; nothing is stored."""
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(EvidenceInvalid) as refused:
        add(application, owner, uploaded=pdf_upload())
    assert str(refused.value) == "The selected file must be smaller than 1 KB"
    assert stored_files(evidence_storage) == []


def test_the_checker_sees_the_file_before_anything_is_stored(application, owner, evidence_storage, monkeypatch):
    """inspect_upload runs before a byte is written (checked with a stand-in that looks at the folder)."""
    seen = []

    def inspect(uploaded):
        seen.append(stored_files(evidence_storage))
        raise UploadRefused(UploadRefused.VIRUS, "The selected file contains a virus and cannot be uploaded")

    monkeypatch.setattr("accreditation.services.evidence.inspect_upload", inspect)
    with pytest.raises(EvidenceInvalid) as refused:
        add(application, owner)
    assert str(refused.value) == "The selected file contains a virus and cannot be uploaded"
    assert seen == [[]]


@pytest.mark.parametrize(
    ("description", "message"),
    [
        ("", "Enter a short description of the file"),
        ("   ", "Enter a short description of the file"),
        ("x" * 201, "The description must be 200 characters or fewer"),
        ("<script>alert(1)</script>", "Enter text without HTML tags or scripts (remove any < or > signs around words)"),
    ],
)
def test_a_bad_description_is_refused_before_the_file_is_looked_at(
    application, owner, evidence_storage, description, message
):
    """The description is required, short and plain text."""
    with pytest.raises(EvidenceInvalid) as refused:
        add(application, owner, description=description)
    assert (refused.value.field, str(refused.value)) == ("description", message)
    assert stored_files(evidence_storage) == []


def test_a_missing_file_is_refused(application, owner):
    """No file at all: "Select a file"."""
    with pytest.raises(EvidenceInvalid) as refused:
        services.evidence_add(
            actor=owner,
            application=application,
            criterion=criterion(application, "pay.direct"),
            uploaded_file=None,
            description="x",
        )
    assert (refused.value.field, str(refused.value)) == ("file", "Select a file")


def test_a_failure_after_the_bytes_are_written_deletes_them(application, owner, evidence_storage, monkeypatch):
    """If the transaction rolls back after the file was written (here the audit write fails), the bytes go too."""

    def broken(**kwargs):
        raise RuntimeError("audit database unavailable")

    monkeypatch.setattr("accreditation.services.evidence.audit_record", broken)
    with pytest.raises(RuntimeError):
        add(application, owner)
    assert not Evidence.objects.exists()
    assert stored_files(evidence_storage) == []


def test_a_failing_row_insert_deletes_the_written_bytes(application, owner, evidence_storage, monkeypatch):
    """A database error on the row (after the bytes were stored) leaves no bytes behind."""
    monkeypatch.setattr(
        "accreditation.services.evidence.inspect_upload",
        lambda uploaded: CheckedUpload(
            safe_name="a.pdf", content_type="application/pdf", size=0, sha256="0" * 64, scanner="x"
        ),
    )
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):  # size 0 breaks the evidence_is_not_empty constraint
        add(application, owner)
    assert stored_files(evidence_storage) == []


def test_evidence_must_run_as_its_own_transaction(application, owner):
    """Inside another transaction it refuses to run, since an outer rollback would leave the bytes behind."""
    from django.db import transaction

    # The test's own transaction does not count (Django allows durable blocks in tests); this one does.
    with pytest.raises(RuntimeError), transaction.atomic():
        add(application, owner)


def test_a_criterion_that_does_not_apply_is_refused(application, owner, evidence_storage):
    """Files only for criteria the organisation is asked."""
    with pytest.raises(CriterionNotInApplication):
        add(application, owner, code="inclusion.pay_gap")
    assert stored_files(evidence_storage) == []


def test_an_outsider_cannot_add_files(application, outsider, evidence_storage):
    """Only the organisation's people can add its files."""
    with pytest.raises(NotAMember):
        add(application, outsider)
    assert stored_files(evidence_storage) == []


@pytest.mark.parametrize("status", [s for s in ApplicationStatus if s not in ("draft", "changes_requested")])
def test_no_files_are_added_once_submitted(application, owner, evidence_storage, status):
    """Submitted and later: refused, nothing stored."""
    force_status(application, status)
    with pytest.raises(ApplicationNotEditable):
        add(application, owner)
    assert stored_files(evidence_storage) == []


def test_files_can_be_added_while_changes_are_requested(application, owner):
    """Changes requested: new files go in beside the old, in the new round."""
    force_status(application, ApplicationStatus.CHANGES_REQUESTED)
    application.submission_round = 1
    application.save()
    assert add(application, owner).submission_round == 1


# --- removing ---------------------------------------------------------------------------------------


def test_a_file_is_removed_from_a_draft_row_now_bytes_after_commit(
    application, owner, evidence_storage, django_capture_on_commit_callbacks
):
    """The row goes at once; the stored bytes once the removal has committed; the removal is audited."""
    evidence = add(application, owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.evidence_remove(actor=owner, evidence=evidence)
    assert not Evidence.objects.exists()
    assert len(stored_files(evidence_storage)) == 1
    for callback in callbacks:
        callback()
    assert stored_files(evidence_storage) == []
    event = AuditEvent.objects.for_object(application).get(action="evidence.remove")
    assert event.note == "payroll-summary.pdf from 1.1: Payroll summary, March"


def test_a_removal_that_rolls_back_keeps_the_bytes(
    application, owner, evidence_storage, monkeypatch, django_capture_on_commit_callbacks
):
    """If the removal fails, the row and the bytes both stay."""
    evidence = add(application, owner)

    def broken(**kwargs):
        raise RuntimeError("audit database unavailable")

    monkeypatch.setattr("accreditation.services.evidence.audit_record", broken)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        services.evidence_remove(actor=owner, evidence=evidence)
    assert Evidence.objects.count() == 1
    assert len(stored_files(evidence_storage)) == 1


@pytest.mark.parametrize("status", [s for s in ApplicationStatus if s != "draft"])
def test_nothing_is_removed_after_submission(application, owner, evidence_storage, status):
    """From submission on, including while changes are requested, files are never removed."""
    evidence = add(application, owner)
    force_status(application, status)
    with pytest.raises(EvidenceNotRemovable) as refused:
        services.evidence_remove(actor=owner, evidence=evidence)
    assert str(refused.value).startswith("Files cannot be removed once an application has been submitted.")
    assert Evidence.objects.count() == 1
    assert len(stored_files(evidence_storage)) == 1


def test_an_outsider_cannot_remove_a_file(application, owner, outsider):
    """Only the organisation's people can remove its files."""
    evidence = add(application, owner)
    with pytest.raises(NotAMember):
        services.evidence_remove(actor=outsider, evidence=evidence)
    assert Evidence.objects.count() == 1


def test_removing_twice_says_it_is_gone(application, owner):
    """The second removal of the same file is refused in plain words."""
    evidence = add(application, owner)
    services.evidence_remove(actor=owner, evidence=evidence)
    with pytest.raises(EvidenceGone):
        services.evidence_remove(actor=owner, evidence=evidence)


def test_the_helper_adds_through_the_service(application, owner):
    """tests.accreditation.helpers.add_evidence stores a real PDF through evidence_add."""
    assert add_evidence(application, owner, "pay.lwf").criterion.code == "pay.lwf"
