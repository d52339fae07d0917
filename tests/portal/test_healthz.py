"""/healthz: the load balancer's check that this process can reach its database."""

from unittest import mock

from django.db import OperationalError, connection


def test_healthz_answers_ok_when_the_database_answers(client, db):
    """200 with {"status": "ok"} when a query succeeds."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "ok"


def test_healthz_answers_503_when_the_database_does_not(client, db):
    """503 with a status that says so when the database cannot be reached."""
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_healthz_is_never_cached(client, db):
    """A cached "ok" would hide an outage."""
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_healthz_only_answers_get(client, db):
    """Other methods are refused."""
    assert client.post("/healthz").status_code == 405


def test_healthz_is_not_redirected_to_https_in_production(client, db, settings, load_settings):
    """With production's HTTPS redirect on, /healthz still answers plain HTTP; other pages redirect."""
    production = load_settings(
        DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="charter.example.gov.uk", PAYMENT_GATEWAY="test"
    )
    settings.SECURE_SSL_REDIRECT = production["SECURE_SSL_REDIRECT"]
    settings.SECURE_REDIRECT_EXEMPT = production["SECURE_REDIRECT_EXEMPT"]
    settings.ALLOWED_HOSTS = ["charter.example.gov.uk"]

    health = client.get("/healthz", HTTP_HOST="charter.example.gov.uk")
    assert health.status_code == 200

    home = client.get("/", HTTP_HOST="charter.example.gov.uk")
    assert home.status_code == 301
    assert home["Location"] == "https://charter.example.gov.uk/"
