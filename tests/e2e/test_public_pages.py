"""The public pages a person reaches without signing in are accessible and styled."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_charter_accessibility_and_privacy_pages_pass_axe(page, a11y, charter_edition):
    """Home, the charter, the accessibility statement and the privacy notice have no WCAG 2.2 A/AA violations."""
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "Fine City Employers Charter"
    a11y.check("home")
    page.get_by_role("link", name="The charter").click()
    page.wait_for_url("**/charter/")
    assert page.get_by_text("Pay the real Living Wage").first.is_visible()
    a11y.check("charter")
    page.set_viewport_size({"width": 375, "height": 800})
    a11y.check("charter-mobile")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Accessibility statement").click()
    page.wait_for_url("**/accessibility/")
    a11y.check("accessibility")
    page.get_by_role("link", name="Privacy notice").click()
    page.wait_for_url("**/privacy/")
    a11y.check("privacy")


def test_styles_and_scripts_load_under_the_content_security_policy(page, a11y):
    """The compiled stylesheet applies (Arial, not GDS Transport) and GOV.UK Frontend's JS runs."""
    page.goto("/")
    a11y.check()
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "arial" in font.lower()
    assert "GDS Transport" not in font
    page.wait_for_function("document.body.classList.contains('govuk-frontend-supported')")
