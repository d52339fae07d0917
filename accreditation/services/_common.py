"""What every accreditation service checks: who is acting, and the free text people type."""

from django.core.exceptions import ValidationError

from employers.models import Membership
from portal.validators import no_markup

from ..exceptions import NotAMember


def require_member(*, actor, organisation) -> None:
    """Refuse unless `actor` belongs to `organisation` (officers and outsiders do not)."""
    if actor is None or not actor.is_authenticated:
        raise NotAMember
    if not Membership.objects.filter(organisation=organisation, user=actor).exists():
        raise NotAMember


def text_problem(value: str, *, label: str, max_length: int) -> str | None:
    """What is wrong with a piece of free text (too long, or markup), or None."""
    if len(value) > max_length:
        return f"{label} must be {max_length:,} characters or fewer"
    try:
        no_markup(value)
    except ValidationError as exc:
        return exc.messages[0]
    return None


def clean_text(value) -> str:
    """Text as stored: str, Windows line endings made plain, spaces trimmed at both ends."""
    return str(value or "").replace("\r\n", "\n").strip()
