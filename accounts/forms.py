"""allauth's forms in the council's words: GOV.UK labels, hints and error messages, no placeholders.

allauth picks these up through ACCOUNT_FORMS and MFA_FORMS (config/settings.py). Each subclass only
changes wording and limits; what the form does stays allauth's.
"""

from allauth.account import forms as account_forms
from allauth.account.fields import EmailField
from allauth.mfa.base import forms as mfa_base_forms
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.webauthn import forms as webauthn_forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.functional import Promise

from portal.validators import no_markup

EMAIL_MAX_LENGTH = 254  # the User.email column, and the longest address SMTP allows

EMAIL_REQUIRED = "Enter your email address"
EMAIL_INVALID = "Enter an email address in the correct format, like name@example.com"
EMAIL_TOO_LONG = f"Email address must be {EMAIL_MAX_LENGTH} characters or fewer"
NEW_PASSWORDS_HINT = (
    "Use at least 10 characters. Do not use a common password, only numbers, or something like your email address."
)
PASSWORDS_DIFFER = "The passwords do not match. Enter the same password twice"
CODE_HINT = "The 6-digit code shown in your authenticator app"


class GovukEmailField(EmailField):
    """allauth's email field (lower-cases the address) with one clear message per problem."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Email address")
        super().__init__(**kwargs)
        self.widget.attrs.pop("placeholder", None)
        self.widget.attrs["spellcheck"] = "false"
        self.error_messages["required"] = EMAIL_REQUIRED
        self.error_messages["invalid"] = EMAIL_INVALID

    def clean(self, value):
        # Checked first so that a 10,000-character string gets one message, not two.
        if value and len(value) > EMAIL_MAX_LENGTH:
            raise ValidationError(EMAIL_TOO_LONG, code="max_length")
        return super().clean(value)


class GovukFormMixin:
    """Relabel allauth's fields, drop placeholders (GOV.UK uses hints) and reword its messages."""

    labels: dict[str, str] = {}
    help_texts: dict[str, str] = {}
    required_messages: dict[str, str] = {}
    # allauth's own wording, replaced by ours wherever the form reports it.
    rewordings: dict[str, str] = {
        "You must type the same password each time.": PASSWORDS_DIFFER,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            if name in self.labels:
                field.label = self.labels[name]
            if name in self.help_texts:
                field.help_text = self.help_texts[name]
            if name in self.required_messages:
                field.error_messages["required"] = self.required_messages[name]

    def add_error(self, field, error):
        if isinstance(error, str | Promise) and str(error) in self.rewordings:
            error = self.rewordings[str(error)]
        elif isinstance(error, ValidationError) and not hasattr(error, "error_dict"):
            error = ValidationError([self._reword(e) for e in error.error_list])
        super().add_error(field, error)

    def _reword(self, error: ValidationError) -> ValidationError:
        message = str(error.message)
        if message in self.rewordings:
            return ValidationError(self.rewordings[message], code=error.code)
        return error


class LoginForm(GovukFormMixin, account_forms.LoginForm):
    """Sign in with email address and password."""

    # Labels and messages, not secrets (bandit's B105 flags any "password" key).
    labels = {"password": "Password", "remember": "Keep me signed in on this device"}  # nosec B105
    help_texts = {"password": "", "remember": "Do not choose this on a shared or public computer."}  # nosec B105
    required_messages = {"password": "Enter your password"}  # nosec B105

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"] = GovukEmailField()
        self.order_fields(["login", "password", "remember"])


class SignupForm(GovukFormMixin, account_forms.SignupForm):
    """Create an account: email address and a password typed twice."""

    labels = {"password1": "Create a password", "password2": "Confirm your password"}
    help_texts = {"password1": NEW_PASSWORDS_HINT}
    required_messages = {"password1": "Create a password", "password2": "Enter your password again"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"] = GovukEmailField(help_text="We will send an email to this address to check it is yours.")
        self.order_fields(["email", "password1", "password2"])


class ResetPasswordForm(GovukFormMixin, account_forms.ResetPasswordForm):
    """Ask for a password reset link."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"] = GovukEmailField()


class ResetPasswordKeyForm(GovukFormMixin, account_forms.ResetPasswordKeyForm):
    """Choose a new password from a reset link."""

    labels = {"password1": "New password", "password2": "Confirm your new password"}
    help_texts = {"password1": NEW_PASSWORDS_HINT}
    required_messages = {"password1": "Enter a new password", "password2": "Enter your new password again"}


class ChangePasswordForm(GovukFormMixin, account_forms.ChangePasswordForm):
    """Change the password of a signed-in person."""

    labels = {
        "oldpassword": "Current password",
        "password1": "New password",
        "password2": "Confirm your new password",
    }
    help_texts = {"oldpassword": "", "password1": NEW_PASSWORDS_HINT}
    required_messages = {
        "oldpassword": "Enter your current password",
        "password1": "Enter a new password",
        "password2": "Enter your new password again",
    }


class SetPasswordForm(GovukFormMixin, account_forms.SetPasswordForm):
    """Set a password on an account that has none."""

    labels = {"password1": "Password", "password2": "Confirm your password"}
    help_texts = {"password1": NEW_PASSWORDS_HINT}
    required_messages = {"password1": "Enter a password", "password2": "Enter your password again"}


class AddEmailForm(GovukFormMixin, account_forms.AddEmailForm):
    """Add another email address to an account."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"] = GovukEmailField(required=True)


class ReauthenticateForm(GovukFormMixin, account_forms.ReauthenticateForm):
    """Enter the password again before a sensitive change."""

    labels = {"password": "Password"}  # nosec B105
    help_texts = {"password": ""}  # nosec B105
    required_messages = {"password": "Enter your password"}  # nosec B105


KEY_NAME_MAX_LENGTH = 60


def _code_widget(field):
    field.widget.attrs.update(
        {"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false", "data-width": "10"}
    )


class ActivateTOTPForm(GovukFormMixin, totp_forms.ActivateTOTPForm):
    """Prove the authenticator app is set up by entering its current code."""

    labels = {"code": "Code from your authenticator app"}
    help_texts = {"code": CODE_HINT}
    required_messages = {"code": "Enter the 6-digit code from your authenticator app"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_widget(self.fields["code"])


class AuthenticateForm(GovukFormMixin, mfa_base_forms.AuthenticateForm):
    """The second step of signing in: a code from the app, or a recovery code."""

    labels = {"code": "Security code"}
    help_texts = {"code": "The 6-digit code from your authenticator app, or one of your 8-digit recovery codes"}
    required_messages = {"code": "Enter the code from your authenticator app, or a recovery code"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_widget(self.fields["code"])


class MfaReauthenticateForm(GovukFormMixin, mfa_base_forms.ReauthenticateForm):
    """Confirm it is you with a code before a sensitive change."""

    labels = AuthenticateForm.labels
    help_texts = AuthenticateForm.help_texts
    required_messages = AuthenticateForm.required_messages

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_widget(self.fields["code"])


def _limit_key_name(field):
    """Security key names are short, plain text."""
    field.max_length = KEY_NAME_MAX_LENGTH
    field.validators += [
        MaxLengthValidator(KEY_NAME_MAX_LENGTH, f"Name must be {KEY_NAME_MAX_LENGTH} characters or fewer"),
        no_markup,
    ]
    field.widget.attrs["data-width"] = "20"


class AddWebAuthnForm(GovukFormMixin, webauthn_forms.AddWebAuthnForm):
    """Name a new security key; the browser fills in the credential."""

    labels = {"name": "Name for this security key"}
    help_texts = {"name": "So you can tell your keys apart, for example ‘Blue key on my keyring’"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_key_name(self.fields["name"])


class EditWebAuthnForm(GovukFormMixin, webauthn_forms.EditWebAuthnForm):
    """Rename a security key."""

    labels = {"name": "Name for this security key"}
    required_messages = {"name": "Enter a name for this security key"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_key_name(self.fields["name"])
