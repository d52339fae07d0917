"""Smoke test: the home page renders in the council's look."""


def test_home_page_names_the_council_and_the_service(client, db):
    """The home page shows the council's and the service's names."""
    response = client.get("/")
    assert response.status_code == 200
    assert b"Norwich City Council" in response.content
    assert b"Fine City Employers Charter" in response.content


def test_officer_without_two_factor_is_sent_to_set_it_up(officer_without_2fa_client):
    """An officer without two-factor is redirected to TOTP setup from the officer area."""
    response = officer_without_2fa_client.get("/officer/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_officer_with_two_factor_reaches_the_work_area(officer_client):
    """An officer with two-factor reaches the officer area."""
    assert officer_client.get("/officer/").status_code == 200
