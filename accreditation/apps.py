from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "accreditation"
    verbose_name = "Accreditation"

    def ready(self):
        from .gateways import checks  # noqa: F401 (registers the payments deploy check)
