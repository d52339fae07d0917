"""A Django email backend that sends the portal's emails through GOV.UK Notify.

Notify sends only what its templates allow, so the service keeps ONE generic email template whose subject is
`((subject))` and whose body is `((body))`; every email the portal renders (its own and allauth's) is sent through
it, with the message's plain-text part as the body. Notify formats that text itself (links, bullet lists,
paragraphs), so the HTML alternative is not sent.

Chosen with EMAIL_URL=notify:// (config/settings.py), configured by MAILERS OPTIONS:

    api_key      the Notify API key, `name-<service id>-<secret>` (required)
    template_id  the generic template's id (required)
    reply_to_id  a reply-to address set up in Notify (optional; Notify's default otherwise)
    base_url     the API's address (optional; another Notify, a mock or a test)
    timeout      seconds to wait for Notify (optional, default 10)

Notify sends to one address per call: each recipient of a message (to, cc and bcc alike) gets their own
notification. The sender is the one set up in Notify: a message's from_email and reply_to are not used, and
attachments and custom headers cannot be sent. Nothing is retried here: a refused, rate-limited (429) or failed
(5xx) call raises NotifyError at once, and a task that wants another try retries itself later. A message
stops at its first refused recipient (the portal sends one recipient per message), and counts as sent only when
every recipient's notification was accepted.
"""

import html
import logging
import re
import uuid
from email.utils import parseaddr

from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.html import strip_tags
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"

# A Notify API key is the key's name, then the service id and the secret, both UUIDs: the client splits it there.
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_API_KEY = re.compile(rf"^.+-{_UUID}-{_UUID}$")


class NotifyError(Exception):
    """GOV.UK Notify did not accept an email: its status code and its own explanation, never the API key."""

    def __init__(self, notify_message: str, *, reference: str, status_code: int | None = None):
        self.notify_message = notify_message
        self.reference = reference
        self.status_code = status_code  # None: refused here, before Notify was asked
        status = f"{status_code} " if status_code else ""
        super().__init__(f"GOV.UK Notify did not send email {reference}: {status}{notify_message}")

    @property
    def retryable(self) -> bool:
        """True for a rate limit (429) or Notify's own failure (5xx, or no answer): trying later may work."""
        return self.status_code is not None and (self.status_code == 429 or self.status_code >= 500)


def _notify_message(error: APIError) -> str:
    """Notify's explanation from its error JSON ({"errors": [{"error": ..., "message": ...}], ...})."""
    message = error.message
    if isinstance(message, list):
        message = "; ".join(
            str(item.get("message") or item.get("error")) if isinstance(item, dict) else str(item) for item in message
        )
    return str(message)


class NotifyEmailBackend(BaseEmailBackend):
    """Send each email message through GOV.UK Notify's generic template, one notification per recipient."""

    def __init__(
        self,
        api_key=None,
        template_id=None,
        reply_to_id=None,
        base_url=None,
        timeout=10,
        fail_silently=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.fail_silently = fail_silently
        if not api_key or not template_id:
            raise ImproperlyConfigured(
                "The GOV.UK Notify email backend needs an API key and a template id (NOTIFY_API_KEY and "
                "NOTIFY_TEMPLATE_ID)."
            )
        if not _API_KEY.match(api_key):
            # Never show the key itself: it is a secret.
            raise ImproperlyConfigured(
                "The GOV.UK Notify API key is not in Notify's format: the key's name, the service id and the "
                "secret, joined by hyphens. Copy the whole key from Notify's API integration page."
            )
        self.template_id = str(template_id)
        self.reply_to_id = str(reply_to_id) if reply_to_id else None
        self.base_url = base_url or DEFAULT_BASE_URL
        self._client = NotificationsAPIClient(api_key, base_url=self.base_url, timeout=timeout)

    def __repr__(self):
        return f"<{type(self).__name__} {self.base_url} template {self.template_id}>"

    def send_messages(self, email_messages):
        """Send each message to each of its recipients; return how many messages every recipient was sent."""
        sent = 0
        for message in email_messages:
            recipients = message.recipients()
            if not recipients:
                continue
            try:
                self._send(message, recipients)
            except NotifyError:
                if not self.fail_silently:
                    raise
            else:
                sent += 1
        return sent

    def _send(self, message, recipients):
        reference = _reference(message)
        if message.attachments:
            logger.error("Email %s has attachments, which GOV.UK Notify cannot send; it was not sent.", reference)
            raise NotifyError("attachments cannot be sent through the generic template", reference=reference)
        # A subject is one line in Notify as in any email.
        personalisation = {"subject": " ".join(str(message.subject).split()), "body": _text_body(message)}
        for recipient in recipients:
            try:
                response = self._client.send_email_notification(
                    email_address=parseaddr(recipient)[1] or recipient,
                    template_id=self.template_id,
                    personalisation=personalisation,
                    reference=reference,
                    email_reply_to_id=self.reply_to_id,
                )
            except APIError as error:
                # The client's errors hold the response, never the request's token; the address stays out of logs.
                notify_message = _notify_message(error)
                logger.error("GOV.UK Notify did not send email %s: %s %s", reference, error.status_code, notify_message)
                raise NotifyError(notify_message, reference=reference, status_code=error.status_code) from error
            logger.info("GOV.UK Notify accepted email %s as notification %s", reference, (response or {}).get("id"))


def _reference(message) -> str:
    """The message's Message-ID if it has one, otherwise a new id: it ties the logs to Notify's records."""
    for name, value in message.extra_headers.items():
        if name.lower() == "message-id" and value:
            return str(value).strip()
    return uuid.uuid4().hex


def _text_body(message) -> str:
    """The plain-text part: the body, or for an HTML-only message its text without the tags."""
    body = str(message.body or "")
    if body and getattr(message, "content_subtype", "plain") != "html":
        return body
    if not body:
        alternatives = getattr(message, "alternatives", None) or []
        body = next((str(content) for content, mimetype in alternatives if mimetype == "text/html"), "")
    return html.unescape(strip_tags(body)).strip()
