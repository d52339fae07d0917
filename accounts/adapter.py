"""How allauth behaves for this portal: where people go, what messages say, when to ask again."""

import base64
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.urls import reverse

from .roles import needs_two_factor


class AccountAdapter(DefaultAccountAdapter):
    """Sends people to the right place after login, and speaks in the council's voice."""

    # Messages people see. (bandit's B105 takes a "password" key for a hard-coded secret; these are text.)
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": "This account has been closed. Contact us if you think this is a mistake",
        "cannot_remove_primary_email": (
            "You cannot remove your main email address. Make another address your main one first"
        ),
        "duplicate_email": "This email address is already on your account",
        "email_password_mismatch": "The email address or password is not correct",  # nosec B105
        "email_taken": "An account already uses this email address",
        "enter_current_password": "The current password is not correct",  # nosec B105
        "incorrect_code": "The code is not correct. Enter the latest code",
        "incorrect_password": "The password is not correct",  # nosec B105
        "invalid_password_reset": "This password reset link is not valid. Ask for a new one",  # nosec B105
        "max_email_addresses": "You cannot add more than %d email addresses",
        "too_many_login_attempts": (
            "There have been too many attempts to sign in to this account. "
            "Wait 5 minutes and try again, or reset your password"
        ),
        "unverified_primary_email": "Confirm your main email address first",
        "rate_limited": "You have tried this too many times. Wait a few minutes and try again",
        "same_as_current": "Enter a value different from the current one",
    }

    def get_login_redirect_url(self, request):
        return reverse("portal:after_login")

    def get_password_change_redirect_url(self, request):
        """After changing their password, people go back to their account page (with a banner)."""
        return reverse("accounts_extra:profile")

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        # The page after a password reset says "Your password has been changed" in its panel; a banner
        # above it would say it twice.
        match = getattr(request, "resolver_match", None)
        if (
            message_template == "account/messages/password_changed.txt"
            and match is not None
            and match.url_name == "account_reset_password_from_key"
        ):
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def format_email_subject(self, subject):
        return f"{settings.SERVICE_NAME}: {subject}"

    def send_mail(self, template_prefix, email, context):
        """Emails sign off with the service's and council's names, with or without a request."""
        names = {
            "service_name": settings.SERVICE_NAME,
            "council_name": settings.COUNCIL_NAME,
            "service_email": settings.SERVICE_EMAIL,
            "service_phone": settings.SERVICE_PHONE,
        }
        super().send_mail(template_prefix, email, {**names, **context})

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Ask for the password (or a code) again before a sensitive change, unless they were just given.

        allauth counts only an explicit "confirm it is you" step as recent. Signing in counts here too,
        as GitHub's sudo mode does: an officer who has just signed in is sent straight to set up
        two-factor authentication (OfficerTwoFactorMiddleware) and then shown their recovery codes;
        asking for the password they typed a minute ago helps nobody. After
        ACCOUNT_REAUTHENTICATION_TIMEOUT (5 minutes) every such change asks again.
        """
        required = super().is_reauthentication_required(app=app, **kwargs)
        request = self.request
        if not required or request is None or not request.user.is_authenticated:
            return required
        return not _signed_in_recently(request)


def _signed_in_recently(request) -> bool:
    """True when this session's password or two-factor step happened within the reauthentication timeout."""
    records = get_authentication_records(request, request.user)
    times = [r["at"] for r in records if r.get("method") in ("password", "mfa") and "at" in r]
    return bool(times) and time.time() - max(times) < account_settings.REAUTHENTICATION_TIMEOUT


def _secrets_cipher() -> MultiFernet:
    """Fernet keys derived from SECRET_KEY, then each of SECRET_KEY_FALLBACKS.

    New secrets are encrypted with the current key; older ones still decrypt after SECRET_KEY is
    rotated, as long as the old key stays in SECRET_KEY_FALLBACKS (Django's own rule for rotation).
    """
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([Fernet(_derive_key(key)) for key in keys])


def _derive_key(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"fine-city-charter mfa secrets")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


class MFAAdapter(DefaultMFAAdapter):
    """Two-factor authentication for the portal: officers cannot switch it off."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "Council officers must keep two-factor authentication on. "
            "Add a security key before you turn off your authenticator app"
        ),
        "cannot_generate_recovery_codes": "Set up two-factor authentication before you create recovery codes",
        "incorrect_code": "The code is not correct or has already been used. Enter the latest code",
        "unverified_email": "Confirm your email address before you set up two-factor authentication",
        "add_email_blocked": "You cannot add an email address while two-factor authentication is on",
    }

    def get_totp_issuer(self) -> str:
        return settings.SERVICE_NAME

    def encrypt(self, text: str) -> str:
        """Authenticator secrets (TOTP keys, recovery-code seeds) are stored encrypted, never in the clear."""
        return _secrets_cipher().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return _secrets_cipher().decrypt(encrypted_text.encode()).decode()

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        entity = super().get_public_key_credential_rp_entity()
        entity["name"] = settings.SERVICE_NAME
        return entity

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Anyone may turn off an authenticator app, except an officer who has no security key.

        allauth asks this only when an app is turned off; an officer who removes their last
        security key is sent back to set up two-factor by OfficerTwoFactorMiddleware.
        """
        user = authenticator.user
        if not needs_two_factor(user) or authenticator.type == Authenticator.Type.RECOVERY_CODES:
            return True
        others = (
            Authenticator.objects.filter(user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])
            .exclude(pk=authenticator.pk)
            .exists()
        )
        return others
