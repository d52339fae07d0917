"""GOV.UK form rendering: Django's form renderer with the templates under templates/django/forms/."""

from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    """Renders forms and fields with GOV.UK Design System markup (labels, hints, errors)."""

    form_template_name = "django/forms/govuk.html"
    field_template_name = "django/forms/govuk_field.html"
