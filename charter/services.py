"""Loading a charter edition from its file: the only way an edition comes into being."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from audit.services import audit_record

from .content import EditionContent
from .models import Commitment, Criterion, Edition, Level
from .validation import CharterFileInvalid, parse_charter

__all__ = ["CharterFileInvalid", "EditionAlreadyPublished", "EditionLoadResult", "edition_load"]


class EditionAlreadyPublished(Exception):
    """The file's edition is already loaded with different content; editions never change."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(f"Edition {code} is already published and differs: publish a new edition instead.")


@dataclass(frozen=True)
class EditionLoadResult:
    edition: Edition
    created: bool  # False: the same edition was already loaded, and nothing changed


def edition_load(*, actor, source: str, source_name: str = "") -> EditionLoadResult:
    """Check a charter file and store its edition; nothing is stored unless the whole file is right.

    Loading an edition that is already loaded with the same content (by its canonical hash) changes
    nothing and writes nothing, not even an audit row. Loading a different file under an edition code
    already published raises `EditionAlreadyPublished`. Raises `CharterFileInvalid` with every problem.
    """
    content = parse_charter(source)
    content_hash = content.canonical_hash()
    existing = Edition.objects.filter(code=content.code).first()
    if existing is not None:
        return _same_or_refuse(existing, content_hash)
    try:
        with transaction.atomic():
            edition = _create(content, content_hash, source_name)
            audit_record(
                actor=actor,
                action="charter_edition_load",
                obj=edition,
                to_state="published",
                note=(
                    f"Edition {edition.code} loaded from {source_name or 'a charter file'}: "
                    f"{len(content.commitments)} commitments, {len(content.criteria)} criteria, "
                    f"{len(content.levels)} levels; published {content.published.isoformat()}; "
                    f"content SHA-256 {content_hash}."
                ),
            )
    except IntegrityError:
        # Someone loaded the same edition code at the same moment.
        existing = Edition.objects.filter(code=content.code).first()
        if existing is None:
            raise
        return _same_or_refuse(existing, content_hash)
    return EditionLoadResult(edition=edition, created=True)


def _same_or_refuse(existing: Edition, content_hash: str) -> EditionLoadResult:
    if existing.content_hash != content_hash:
        raise EditionAlreadyPublished(existing.code)
    return EditionLoadResult(edition=existing, created=False)


def _create(content: EditionContent, content_hash: str, source_name: str) -> Edition:
    edition = Edition.objects.create(
        code=content.code,
        name=content.name,
        council=content.council,
        summary=content.summary,
        declaration=content.declaration,
        published=content.published,
        content_hash=content_hash,
        source_name=source_name[:255],
    )
    Level.objects.bulk_create(
        Level(
            edition=edition,
            code=level.code,
            name=level.name,
            rule=level.rule,
            min_optional=level.min_optional,
            rank=rank,
        )
        for rank, level in enumerate(content.levels)
    )
    for order, commitment_content in enumerate(content.commitments):
        commitment = Commitment.objects.create(
            edition=edition,
            code=commitment_content.code,
            title=commitment_content.title,
            summary=commitment_content.summary,
            mandatory=commitment_content.mandatory,
            order=order,
        )
        Criterion.objects.bulk_create(
            Criterion(
                edition=edition,
                commitment=commitment,
                code=criterion.code,
                text=criterion.text,
                guidance=criterion.guidance,
                evidence=list(criterion.evidence),
                allows_not_yet=criterion.allows_not_yet,
                min_employees=criterion.min_employees,
                order=order_in_commitment,
            )
            for order_in_commitment, criterion in enumerate(commitment_content.criteria)
        )
    return edition
