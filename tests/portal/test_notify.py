"""The GOV.UK Notify email backend (portal/notify.py), against recorded HTTP with the real Notify client.

Notify cannot be reached from the tests: `responses` stands in for its API and records each request.
"""

import json
import logging

import jwt
import pytest
import requests
import responses
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, EmailMultiAlternatives, send_mail

from portal.notify import NotifyEmailBackend, NotifyError
from tests.config.conftest import manage, production_environment

BASE_URL = "https://notify.test.invalid"
SEND_EMAIL_URL = f"{BASE_URL}/v2/notifications/email"
SERVICE_ID = "8b3e5a4c-6f2d-4e1a-9c7b-2d5f8e1a3b6c"
SECRET = "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b"
API_KEY = f"charter_test-{SERVICE_ID}-{SECRET}"  # a fake key in Notify's shape: name-<service id>-<secret>
TEMPLATE_ID = "5f0c7e9a-1b2d-4c3e-8f4a-6b7c8d9e0f1a"
REPLY_TO_ID = "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d"

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "charter.example.gov.uk",
    "STRIPE_SECRET_KEY": "sk_test_x",
    "STRIPE_WEBHOOK_SECRET": "whsec_x",
}
NOTIFY_VARIABLES = ["NOTIFY_API_KEY", "NOTIFY_TEMPLATE_ID", "NOTIFY_REPLY_TO_ID", "NOTIFY_BASE_URL"]
NOTIFY_OPTIONS = {"api_key": API_KEY, "template_id": TEMPLATE_ID, "base_url": BASE_URL}


def notify_created(notification_id="740e5834-3a29-46b4-9a6f-16142fde533a", reference=None):
    """Notify's 201 answer to a sent email (trimmed to the fields that matter)."""
    return {
        "id": notification_id,
        "reference": reference,
        "content": {"subject": "A subject", "body": "A body", "from_email": "charter@notifications.service.gov.uk"},
        "uri": f"{BASE_URL}/v2/notifications/{notification_id}",
        "template": {"id": TEMPLATE_ID, "version": 1, "uri": f"{BASE_URL}/v2/template/{TEMPLATE_ID}"},
    }


def notify_error(status_code, error, message):
    """Notify's error JSON."""
    return {"status_code": status_code, "errors": [{"error": error, "message": message}]}


@pytest.fixture
def notify():
    """Notify's API, recording each request; every request a test expects must be made."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as recorder:
        yield recorder


def sent(recorder):
    """The JSON bodies of the recorded POSTs to /v2/notifications/email."""
    return [json.loads(call.request.body) for call in recorder.calls if call.request.url == SEND_EMAIL_URL]


def backend(**options):
    return NotifyEmailBackend(alias="notify", **(NOTIFY_OPTIONS | options))


def email(**kwargs):
    defaults = {
        "subject": "Your application CH-2026-0001 was received",
        "body": "Dear Bread & Co,\n\nWe have your application.\n\nhttps://charter.example.gov.uk/applications/1/\n",
        "to": ["baker@example.com"],
    }
    message = EmailMultiAlternatives(**(defaults | kwargs))
    message.attach_alternative("<p>Dear Bread &amp; Co,</p><p>We have your <b>application</b>.</p>", "text/html")
    return message


# --- The request Notify gets --------------------------------------------------------------------------------------


def test_sends_the_text_part_through_the_generic_template(notify):
    """One POST to /v2/notifications/email: the address, the template, subject and text body, a reference."""
    notify.post(SEND_EMAIL_URL, json=notify_created(), status=201)
    message = email(headers={"Message-ID": "<20261122.1234@charter.example.gov.uk>"})

    assert backend().send_messages([message]) == 1

    assert len(notify.calls) == 1
    request = notify.calls[0].request
    assert request.method == "POST"
    assert request.url == SEND_EMAIL_URL
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {
        "email_address": "baker@example.com",
        "template_id": TEMPLATE_ID,
        "personalisation": {
            "subject": "Your application CH-2026-0001 was received",
            "body": "Dear Bread & Co,\n\nWe have your application.\n\nhttps://charter.example.gov.uk/applications/1/\n",
        },
        "reference": "<20261122.1234@charter.example.gov.uk>",
    }


def test_the_authorization_header_is_a_notify_jwt_made_from_the_key(notify):
    """A Bearer JWT signed with the key's secret, issued by the key's service id; the key itself is never sent."""
    notify.post(SEND_EMAIL_URL, json=notify_created(), status=201)

    backend().send_messages([email()])

    request = notify.calls[0].request
    scheme, token = request.headers["Authorization"].split(" ")
    assert scheme == "Bearer"
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["iss"] == SERVICE_ID
    assert "iat" in claims
    body = request.body.decode() if isinstance(request.body, bytes) else request.body
    assert SECRET not in body
    assert SECRET not in request.headers["Authorization"]


def test_reply_to_id_is_sent_when_set(notify):
    """NOTIFY_REPLY_TO_ID becomes email_reply_to_id; without it Notify uses the service's default."""
    notify.post(SEND_EMAIL_URL, json=notify_created(), status=201)
    notify.post(SEND_EMAIL_URL, json=notify_created(), status=201)

    backend(reply_to_id=REPLY_TO_ID).send_messages([email()])
    backend().send_messages([email()])

    with_reply_to, without = sent(notify)
    assert with_reply_to["email_reply_to_id"] == REPLY_TO_ID
    assert "email_reply_to_id" not in without


def test_a_message_without_a_message_id_gets_a_reference_shared_by_its_recipients(notify):
    """A generated reference (no personal data in it) ties a message's notifications together in Notify."""
    notify.post(SEND_EMAIL_URL, json=notify_created(), status=201)

    backend().send_messages([email(to=["baker@example.com", "shopfloor@example.com"])])

    first, second = sent(notify)
    assert first["reference"] == second["reference"]
    assert len(first["reference"]) >= 32
    assert "example" not in first["reference"]


def test_an_html_only_message_is_sent_as_text(notify):
    """Notify sends text: an HTML-only message is sent without its tags."""
    notify.post(SEND_EMAIL_URL, json=notify_created(), status=201)
    message = EmailMessage("Hello", "<p>Dear Bread &amp; Co,</p>", to=["baker@example.com"])
    message.content_subtype = "html"

    backend().send_messages([message])

    assert sent(notify)[0]["personalisation"]["body"] == "Dear Bread & Co,"


# --- Recipients and counting ------------------------------------------------------------------------------------


def test_each_recipient_gets_their_own_notification_and_messages_are_counted(notify):
    """To, cc and bcc each get a call (display names dropped); the count is of messages, as Django's contract says."""
    notify.post(SEND_EMAIL_URL, json=notify_created(), status=201)
    first = email(
        to=["Baker <baker@example.com>"],
        cc=["shopfloor@example.com"],
        bcc=["officer1@norwich.gov.uk"],
    )
    second = email(to=["manager@example.com"])
    nobody = email(to=[])

    assert backend().send_messages([first, second, nobody]) == 2

    assert [body["email_address"] for body in sent(notify)] == [
        "baker@example.com",
        "shopfloor@example.com",
        "officer1@norwich.gov.uk",
        "manager@example.com",
    ]
    assert {body["template_id"] for body in sent(notify)} == {TEMPLATE_ID}


def test_attachments_are_refused_rather_than_dropped(notify):
    """Notify's generic template cannot carry attachments: the message is not sent at all, and says why."""
    message = email()
    message.attach("certificate.pdf", b"%PDF-1.7", "application/pdf")

    with pytest.raises(NotifyError, match="attachments"):
        backend().send_messages([message])

    assert len(notify.calls) == 0


# --- Errors -------------------------------------------------------------------------------------------------------


def test_a_refusal_raises_with_notifys_message_and_logs_no_secret(notify, caplog):
    """A 400 with Notify's error JSON raises NotifyError carrying Notify's message; the key is in no log line."""
    notify.post(
        SEND_EMAIL_URL,
        json=notify_error(400, "BadRequestError", "Can't send to this recipient using a team-only API key"),
        status=400,
    )
    caplog.set_level(logging.DEBUG)

    with pytest.raises(NotifyError) as raised:
        backend().send_messages([email()])

    error = raised.value
    assert error.status_code == 400
    assert error.notify_message == "Can't send to this recipient using a team-only API key"
    assert "Can't send to this recipient using a team-only API key" in str(error)
    assert "400" in str(error)
    assert not error.retryable
    assert "GOV.UK Notify did not send email" in caplog.text
    for secret in (API_KEY, SECRET):
        assert secret not in caplog.text
        assert secret not in str(error)
    assert "baker@example.com" not in caplog.text


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (429, "RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
        (500, "Exception", "Internal server error"),
        (503, "Exception", "Service unavailable"),
    ],
)
def test_rate_limits_and_server_errors_are_not_retried_in_the_request(notify, status, error, message):
    """A 429 or 5xx is tried once and raised as retryable: a task can try again later."""
    notify.post(SEND_EMAIL_URL, json=notify_error(status, error, message), status=status)

    with pytest.raises(NotifyError, match=message) as raised:
        backend().send_messages([email()])

    assert len(notify.calls) == 1
    assert raised.value.status_code == status
    assert raised.value.retryable


def test_notify_out_of_reach_raises_a_retryable_error(notify):
    """No answer at all (connection refused, timeout) is raised too, and worth retrying later."""
    notify.post(SEND_EMAIL_URL, body=requests.ConnectionError("connection refused"))

    with pytest.raises(NotifyError) as raised:
        backend().send_messages([email()])

    assert raised.value.retryable


def test_fail_silently_swallows_the_error_and_counts_only_what_was_sent(notify):
    """With fail_silently a refused message is skipped, not raised; the others are still sent and counted."""
    notify.post(
        SEND_EMAIL_URL,
        json=notify_error(400, "ValidationError", "email_address Not a valid email address"),
        status=400,
        match=[responses.matchers.json_params_matcher({"email_address": "not-an-address"}, strict_match=False)],
    )
    notify.post(SEND_EMAIL_URL, json=notify_created(), status=201)

    count = backend(fail_silently=True).send_messages([email(to=["not-an-address"]), email()])

    assert count == 1
    assert [body["email_address"] for body in sent(notify)] == ["not-an-address", "baker@example.com"]


# --- Configuration ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["api_key", "template_id"])
def test_backend_refuses_to_start_without_key_or_template(missing):
    """No key or no template id is a configuration error, not a failure at the first email."""
    with pytest.raises(ImproperlyConfigured, match="NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID"):
        backend(**{missing: ""})


def test_backend_refuses_a_key_not_in_notifys_shape_without_showing_it():
    """A key missing its service id or secret is refused, and the message does not repeat the key."""
    with pytest.raises(ImproperlyConfigured, match="not in Notify's format") as raised:
        backend(api_key="just-the-secret-part")
    assert "just-the-secret-part" not in str(raised.value)


def test_send_mail_goes_through_notify_when_mailers_selects_it(notify, settings):
    """Django's send_mail (as the portal's tasks call it, with an HTML part) uses the default mailer: Notify."""
    settings.MAILERS = {"default": {"BACKEND": "portal.notify.NotifyEmailBackend", "OPTIONS": NOTIFY_OPTIONS}}
    notify.post(SEND_EMAIL_URL, json=notify_created(), status=201)

    count = send_mail("Subject", "The text part\n", None, ["baker@example.com"], html_message="<p>The HTML part</p>")

    assert count == 1
    assert isinstance(mail.mailers.default, NotifyEmailBackend)
    assert sent(notify) == [
        {
            "email_address": "baker@example.com",
            "template_id": TEMPLATE_ID,
            "personalisation": {"subject": "Subject", "body": "The text part\n"},
            "reference": sent(notify)[0]["reference"],
        }
    ]
    assert mail.outbox == []


def test_send_mail_fail_silently_reaches_the_backend(notify, settings):
    """send_mail(fail_silently=True), deprecated in Django 6.1 but still passed on, makes a refusal return 0."""
    settings.MAILERS = {"default": {"BACKEND": "portal.notify.NotifyEmailBackend", "OPTIONS": NOTIFY_OPTIONS}}
    notify.post(SEND_EMAIL_URL, json=notify_error(400, "BadRequestError", "Not a valid email address"), status=400)

    with pytest.warns(Warning, match="fail_silently"):
        assert send_mail("Subject", "Body", None, ["baker@example.com"], fail_silently=True) == 0


def test_mailers_options_must_be_the_backends_own(settings):
    """A mistyped option in MAILERS is reported by Django rather than ignored."""
    settings.MAILERS = {
        "default": {"BACKEND": "portal.notify.NotifyEmailBackend", "OPTIONS": NOTIFY_OPTIONS | {"templat_id": "x"}}
    }
    with pytest.raises(mail.InvalidMailer, match="templat_id"):
        mail.mailers.default  # noqa: B018 (creating the mailer is the test)


@pytest.fixture
def no_notify_variables(monkeypatch):
    for name in NOTIFY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_email_url_notify_configures_the_notify_mailer(load_settings, no_notify_variables):
    """EMAIL_URL=notify:// with the NOTIFY_* variables gives MAILERS the Notify backend and its options."""
    loaded = load_settings(
        **PRODUCTION,
        EMAIL_URL="notify://",
        NOTIFY_API_KEY=API_KEY,
        NOTIFY_TEMPLATE_ID=TEMPLATE_ID,
        NOTIFY_REPLY_TO_ID=REPLY_TO_ID,
        NOTIFY_BASE_URL=BASE_URL,
    )
    assert loaded["MAILERS"] == {
        "default": {
            "BACKEND": "portal.notify.NotifyEmailBackend",
            "OPTIONS": {
                "api_key": API_KEY,
                "template_id": TEMPLATE_ID,
                "reply_to_id": REPLY_TO_ID,
                "base_url": BASE_URL,
            },
        }
    }


def test_email_url_notify_leaves_optional_variables_to_the_backend(load_settings, no_notify_variables):
    """Without NOTIFY_REPLY_TO_ID and NOTIFY_BASE_URL, Notify's defaults apply."""
    loaded = load_settings(**PRODUCTION, EMAIL_URL="notify://", NOTIFY_API_KEY=API_KEY, NOTIFY_TEMPLATE_ID=TEMPLATE_ID)
    assert loaded["MAILERS"]["default"]["OPTIONS"] == {"api_key": API_KEY, "template_id": TEMPLATE_ID}


@pytest.mark.parametrize("missing", ["NOTIFY_API_KEY", "NOTIFY_TEMPLATE_ID"])
def test_email_url_notify_refuses_to_start_without_key_or_template(load_settings, no_notify_variables, missing):
    """Choosing Notify without its key or template id stops the portal at start-up."""
    variables = {"NOTIFY_API_KEY": API_KEY, "NOTIFY_TEMPLATE_ID": TEMPLATE_ID}
    del variables[missing]
    with pytest.raises(ImproperlyConfigured, match="NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID"):
        load_settings(**PRODUCTION, EMAIL_URL="notify://", **variables)


def test_a_production_process_with_notify_passes_the_deploy_check_and_builds_the_mailer():
    """In a fresh process configured for Notify: `check --deploy` is clean, and the default mailer is Notify's."""
    environment = production_environment(
        EMAIL_URL="notify://", NOTIFY_API_KEY=API_KEY, NOTIFY_TEMPLATE_ID=TEMPLATE_ID, NOTIFY_BASE_URL=BASE_URL
    )
    check = manage("check", "--deploy", "--fail-level", "WARNING", environment=environment)
    assert check.returncode == 0, check.stdout + check.stderr

    shell = manage(
        "shell", "-c", "from django.core import mail; print(repr(mail.mailers.default))", environment=environment
    )
    assert shell.returncode == 0, shell.stdout + shell.stderr
    assert f"<NotifyEmailBackend {BASE_URL} template {TEMPLATE_ID}>" in shell.stdout
