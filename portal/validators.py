"""Validators every form uses for free text that people type."""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# A tag opening, closing, comment or doctype: "<b", "</", "<!", "<?"; plain "<" or "a < b" is fine.
_MARKUP = re.compile(r"<\s*[a-zA-Z/!?]")


@deconstructible
class NoMarkupValidator:
    """Refuse text containing HTML or script: the service shows text exactly as typed, never as markup."""

    message = "Enter text without HTML tags or scripts (remove any < or > signs around words)"
    code = "markup"

    def __call__(self, value):
        if value and _MARKUP.search(str(value)):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, NoMarkupValidator)


no_markup = NoMarkupValidator()
