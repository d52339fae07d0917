"""Form fields that follow GOV.UK Design System patterns and that any app's forms can use.

`GovukDateField` is the GOV.UK date input: day, month and year typed into three boxes, with the
Design System's error messages ("... must include a month", "... must be a real date"). Month names
("March", "mar") are accepted as GOV.UK recommends. A page renders it inside a fieldset whose legend
is the question (see templates/accreditation/includes/date_input.html for one way).
"""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

_PARTS = ("day", "month", "year")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


class GovukDateInput(forms.MultiWidget):
    """Three text inputs (day, month, year), named `<name>_day`, `<name>_month`, `<name>_year`."""

    template_name = "django/forms/widgets/govuk_date_input.html"
    _WIDTHS = {"day": 2, "month": 2, "year": 4}

    def __init__(self, attrs=None):
        widgets = {part: forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}) for part in _PARTS}
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        attrs = dict(attrs or {})
        has_error = "--error" in attrs.pop("class", "")
        # The fieldset around the inputs carries aria-describedby (hint and error), not each box.
        attrs.pop("aria-describedby", None)
        context = super().get_context(name, value, attrs)
        for part, subwidget in zip(_PARTS, context["widget"]["subwidgets"], strict=True):
            classes = ["govuk-input", "govuk-date-input__input", f"govuk-input--width-{self._WIDTHS[part]}"]
            if has_error:
                classes.append("govuk-input--error")
            subwidget["attrs"]["class"] = " ".join(classes)
            subwidget["label"] = part.capitalize()
            subwidget["part"] = part
        context["widget"]["has_error"] = has_error
        return context

    def id_for_label(self, id_):
        # An error summary's link goes to the first box.
        return f"{id_}_0" if id_ else id_


class GovukDateField(forms.Field):
    """A date typed as day, month and year. `label` names it in error messages ("Target date must ...")."""

    widget = GovukDateInput
    default_error_messages = {
        "required": "Enter a date",
        "invalid": "%(label)s must be a real date",
        "incomplete": "%(label)s must include a %(missing)s",
    }

    def to_python(self, value):
        if isinstance(value, date):
            return value
        parts = [str(part or "").strip() for part in (value or [None, None, None])][:3]
        parts += [""] * (3 - len(parts))
        if not any(parts):
            return None
        label = str(self.label or "Date")
        missing = [name for name, part in zip(_PARTS, parts, strict=True) if not part]
        if missing:
            raise ValidationError(
                self.error_messages["incomplete"],
                code="incomplete",
                params={"label": label, "missing": " and a ".join(missing)},
            )
        day, month, year = parts
        month_number = _MONTHS.get(month.lower().rstrip("."), month)
        try:
            if not (day.isdigit() and str(month_number).isdigit() and year.isdigit() and len(year) == 4):
                raise ValueError
            return date(int(year), int(month_number), int(day))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"label": label}) from None
