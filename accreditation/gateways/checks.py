"""The deployment check for payments: a live service must not take fake payments.

Registered when the accreditation app is ready (accreditation/apps.py imports this module).
"""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, "payments", deploy=True)
def check_payment_gateway(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn when DEBUG is off and the test gateway, which takes no money, would accept "payments"."""
    if settings.DEBUG or settings.PAYMENT_GATEWAY != "test":
        return []
    return [
        checks.Warning(
            "The test payment gateway is in use with DEBUG off: fees would be marked paid without any money "
            "being taken.",
            hint="Set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET (see the README's configuration table).",
            id="accreditation.W001",
        )
    ]
