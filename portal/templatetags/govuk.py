"""Template helpers that render Django forms with GOV.UK Design System markup.

Loaded as a template builtin, so every template can use them without `{% load %}`.
"""

from django import forms, template
from django.forms.boundfield import BoundField

register = template.Library()


def field_kind(field: BoundField) -> str:
    """What GOV.UK component a field renders as."""
    widget = field.field.widget
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    # CheckboxSelectMultiple is a subclass of RadioSelect, so it must be asked about first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


register.filter("field_kind", field_kind)


def field_anchor(field: BoundField) -> str:
    """The id of the element an error summary link should move focus to."""
    if field_kind(field) in ("radios", "checkboxes"):
        return f"{field.auto_id}_0"
    return field.auto_id


register.filter("field_anchor", field_anchor)


@register.filter
def described_by(field: BoundField) -> str:
    """The ids that describe a field (any set on its widget, then its hint, then its error message)."""
    ids = []
    existing = field.field.widget.attrs.get("aria-describedby")
    if existing:
        ids.append(existing)
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.filter
def govuk_widget(field: BoundField):
    """Render a field's input with the GOV.UK classes, error state and aria-describedby."""
    kind = field_kind(field)
    attrs = {}
    ids = described_by(field)
    if ids:
        attrs["aria-describedby"] = ids
    base_class = {
        "input": "govuk-input",
        "textarea": "govuk-textarea",
        "select": "govuk-select",
        "file": "govuk-file-upload",
        "checkbox": "govuk-checkboxes__input",
    }.get(kind, "")
    classes = [base_class] if base_class else []
    if field.errors and kind in ("input", "textarea", "select", "file"):
        classes.append(f"{base_class}--error")
    width = field.field.widget.attrs.get("data-width")
    if width:
        classes.append(f"govuk-input--width-{width}")
    extra = field.field.widget.attrs.get("class")
    if extra:
        classes.append(extra)
    attrs["class"] = " ".join(classes)
    return field.as_widget(attrs=attrs)


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms_with_errors):
    """The GOV.UK error summary for one or more forms: each error links to its field."""
    items = []
    for form in forms_with_errors:
        if not form or not getattr(form, "errors", None):
            continue
        for error in form.non_field_errors():
            items.append({"text": error, "href": ""})
        for field in form:
            for error in field.errors:
                if field.is_hidden:
                    items.append({"text": f"{field.label}: {error}", "href": ""})
                else:
                    items.append({"text": error, "href": f"#{field_anchor(field)}"})
    return {"items": items}


@register.simple_tag(takes_context=True)
def page_has_errors(context):
    """True when the page's form (context variable `form`, as Django and allauth name it) has errors."""
    form = context.get("form")
    return bool(form is not None and getattr(form, "is_bound", False) and form.errors)
