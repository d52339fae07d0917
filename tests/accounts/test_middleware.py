"""The officer gate (accounts/middleware.py): no two-factor, no portal; for every officer URL and more.

The officer URLs are read from the URL resolver, so a view added to the `officer` namespace later is
covered without touching this file.
"""

import itertools
import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from tests.conftest import give_totp
from tests.factories import OfficerFactory, UserFactory

from .journeys import SETUP_URL

# Values tried, in turn, for each path converter until one fits it.
DUMMY_VALUES = ["1", "x", "example-slug", str(uuid.UUID(int=1)), "ABC123"]


def _officer_resolver() -> URLResolver:
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "officer":
            return pattern
    raise AssertionError("the `officer` namespace is mounted")


def _patterns(resolver, prefix="", converters=None):
    """(name, {parameter: converter or None}) for every named URL under `resolver`, includes too."""
    converters = converters or {}
    for pattern in resolver.url_patterns:
        found = {**converters, **dict.fromkeys(pattern.pattern.regex.groupindex)}
        found.update(getattr(pattern.pattern, "converters", {}))
        if isinstance(pattern, URLResolver):
            nested = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _patterns(pattern, nested, found)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}", found


def _reverse_with_dummies(name: str, parameters: dict) -> str:
    """The URL for `name` with each parameter filled by a dummy value its converter accepts."""
    choices = []
    for parameter, converter in parameters.items():
        regex = converter.regex if converter else "[^/]+"
        fitting = [value for value in DUMMY_VALUES if re.fullmatch(regex, value)] or DUMMY_VALUES
        choices.append([(parameter, value) for value in fitting])
    for combination in itertools.product(*choices):
        try:
            return reverse(f"officer:{name}", kwargs=dict(combination))
        except NoReverseMatch:
            continue
    raise AssertionError(f"no dummy values fit officer:{name} {list(parameters)}; add one to DUMMY_VALUES")


def officer_urls() -> list[tuple[str, bool]]:
    """(url, has_parameters) for every URL pattern registered in the `officer` namespace."""
    return [
        (_reverse_with_dummies(name, parameters), bool(parameters))
        for name, parameters in _patterns(_officer_resolver())
    ]


OFFICER_URLS = officer_urls()
# Everywhere else an officer without two-factor must not get to, whatever it is.
OTHER_URLS = ["/employer/", "/", "/accounts/profile/", "/admin/", "/accounts/email/", "/accounts/password/change/"]


def test_the_officer_namespace_is_read_from_the_resolver():
    """The list is built from the URLconf (it holds at least the officer home page)."""
    assert ("/officer/", False) in OFFICER_URLS


@pytest.fixture
def officer_without_2fa(client, db):
    client.force_login(OfficerFactory())
    return client


@pytest.fixture
def staff_without_2fa(client, db):
    client.force_login(UserFactory(is_staff=True))
    return client


@pytest.mark.parametrize(("url", "has_parameters"), OFFICER_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_officer_without_two_factor_is_sent_to_set_it_up_from_every_officer_url(
    officer_without_2fa, url, has_parameters, method
):
    """Every officer URL, read or write, sends an officer without two-factor to the TOTP setup page."""
    response = getattr(officer_without_2fa, method)(url)
    assert response.status_code == 302
    assert response["Location"] == SETUP_URL


@pytest.mark.parametrize("url", OTHER_URLS)
def test_an_officer_without_two_factor_cannot_reach_anything_else_either(officer_without_2fa, url):
    """The employer area, public pages, admin and their own account page all send them to set up."""
    response = officer_without_2fa.get(url)
    assert response.status_code == 302
    assert response["Location"] == SETUP_URL


@pytest.mark.parametrize("url", [u for u, _ in OFFICER_URLS] + OTHER_URLS)
def test_staff_without_two_factor_are_gated_too(staff_without_2fa, url):
    """Staff accounts (who can use the admin) need two-factor just as officers do."""
    response = staff_without_2fa.get(url)
    assert response["Location"] == SETUP_URL


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",
        "/accounts/2fa/webauthn/add/",
        "/accounts/reauthenticate/",
        "/accounts/logout/",
        "/healthz",
    ],
)
def test_an_officer_without_two_factor_can_still_set_it_up_or_sign_out(officer_without_2fa, url):
    """Setting up two-factor (and confirming it is you first), signing out and the health check stay open."""
    response = officer_without_2fa.get(url)
    assert response.get("Location") != SETUP_URL
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/reauthenticate/"), "only to confirm it is them"


def test_an_officer_without_two_factor_can_sign_out(officer_without_2fa):
    """The sign-out POST works for a gated officer."""
    response = officer_without_2fa.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in officer_without_2fa.session


def test_static_files_are_not_gated(officer_without_2fa):
    """The setup page's stylesheet is not redirected to the setup page."""
    response = officer_without_2fa.get("/static/css/application.css")
    assert response.get("Location") != SETUP_URL


@pytest.mark.parametrize(("url", "has_parameters"), OFFICER_URLS)
def test_anonymous_people_are_sent_to_sign_in_from_every_officer_url(client, db, url, has_parameters):
    """Nobody signed out sees an officer page: they are sent to sign in and brought back."""
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(("url", "has_parameters"), OFFICER_URLS)
def test_employer_users_are_refused_every_officer_url(employer_client, url, has_parameters):
    """An employer user gets 403 from every officer URL, whatever the id in it."""
    assert employer_client.get(url).status_code == 403


@pytest.mark.parametrize(("url", "has_parameters"), OFFICER_URLS)
def test_an_officer_with_two_factor_reaches_every_officer_url(officer_client, url, has_parameters):
    """With two-factor set up, each officer page answers (a made-up id may be 'not found', never refused)."""
    response = officer_client.get(url)
    allowed = (200, 404, 405) if has_parameters else (200, 405)
    assert response.status_code in allowed, response.get("Location")


@pytest.mark.parametrize("url", ["/", "/accounts/profile/", "/accounts/email/"])
def test_an_officer_with_two_factor_is_not_gated_elsewhere(officer_client, url):
    """With two-factor set up, other pages answer normally."""
    assert officer_client.get(url).status_code == 200


def test_an_officer_with_only_a_security_key_is_not_gated(client, db):
    """A security key counts as two-factor as much as an app does."""
    from allauth.mfa.models import Authenticator

    officer = OfficerFactory()
    Authenticator.objects.create(user=officer, type=Authenticator.Type.WEBAUTHN, data={"name": "Key"})
    client.force_login(officer)
    assert client.get("/officer/").status_code == 200


def test_recovery_codes_alone_do_not_count_as_two_factor(client, db):
    """Recovery codes are a fallback, not a second factor: an officer with only codes is still gated."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    officer = OfficerFactory()
    RecoveryCodes.activate(officer)
    client.force_login(officer)
    assert client.get("/officer/")["Location"] == SETUP_URL


def test_employer_users_are_not_asked_for_two_factor(employer_client):
    """Two-factor is optional for employer users: the gate leaves them alone."""
    assert employer_client.get("/accounts/profile/").status_code == 200


def test_an_officer_given_two_factor_passes_the_gate_at_once(officer_without_2fa):
    """The gate checks on every request, so setting up two-factor opens the portal straight away."""
    officer = officer_without_2fa.get("/accounts/profile/").wsgi_request.user
    give_totp(officer)
    assert officer_without_2fa.get("/officer/").status_code == 200
