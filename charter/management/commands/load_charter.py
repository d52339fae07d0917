"""`manage.py load_charter PATH`: check a charter file and publish its edition (see charter.validation)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format

from charter.selectors import current_edition
from charter.services import CharterFileInvalid, EditionAlreadyPublished, edition_load


class Command(BaseCommand):
    help = (
        "Check a charter file (YAML) and publish its edition. Every problem is listed and nothing is loaded "
        "if there is any. Loading an edition already loaded with the same content changes nothing; a changed "
        "file for a published edition is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The charter file, e.g. charter/data/fine-city-charter-2027.yaml")

    def handle(self, *args, path: str, **options):
        file = Path(path)
        try:
            source = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not a UTF-8 text file.") from None
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror}).") from None
        try:
            result = edition_load(actor=None, source=source, source_name=file.name)
        except CharterFileInvalid as exc:
            count = len(exc.problems)
            listing = "\n".join(f"  {problem}" for problem in exc.problems)
            raise CommandError(
                f"{path} has {count} problem{'s' if count != 1 else ''}, so nothing was loaded:\n{listing}"
            ) from None
        except EditionAlreadyPublished as exc:
            raise CommandError(str(exc)) from None

        edition = result.edition
        if not result.created:
            self.stdout.write(f"Edition {edition.code} is already loaded with the same content: nothing changed.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded edition {edition.code} ({edition.name}): {edition.commitments.count()} commitments, "
                f"{edition.criteria.count()} criteria, {edition.levels.count()} levels."
            )
        )
        current = current_edition()
        if current is not None and current.pk == edition.pk:
            self.stdout.write("It is now the current edition.")
        elif edition.published > timezone.localdate():
            self.stdout.write(
                f"It becomes the current edition on {date_format(edition.published, 'j F Y')}; "
                f"until then edition {current.code} is current."
            )
        else:
            self.stdout.write(
                f"Edition {current.code} stays current: it was published later "
                f"({date_format(current.published, 'j F Y')})."
            )
