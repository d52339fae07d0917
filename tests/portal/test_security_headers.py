"""Security headers on every page: Content-Security-Policy with a nonce, framing, sniffing, referrer."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
EMAILS = TEMPLATES / "emails"
PAGES = ["/", "/accessibility/", "/privacy/", "/accounts/login/", "/accounts/signup/", "/no-such-page/"]

HEADER_NONCE = re.compile(r"script-src [^;]*'nonce-([A-Za-z0-9_\-]+)'")
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


def header_nonce(response) -> str:
    match = HEADER_NONCE.search(response["Content-Security-Policy"])
    assert match, response["Content-Security-Policy"]
    return match.group(1)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_csp_with_a_nonce(client, db, path):
    """Each page's Content-Security-Policy allows scripts from the site and this response's nonce only."""
    response = client.get(path)
    assert response.status_code in (200, 404)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    header_nonce(response)


@pytest.mark.parametrize("path", PAGES)
def test_every_script_on_a_page_carries_the_headers_nonce(client, db, path):
    """The inline script in base.html (and every other script) has the nonce the header allows."""
    response = client.get(path)
    nonce = header_nonce(response)
    scripts = SCRIPT_TAG.findall(response.content.decode())
    assert scripts, "base.html's inline script is missing"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag


def test_each_response_gets_a_fresh_nonce(client, db):
    """A nonce is never reused between responses."""
    assert header_nonce(client.get("/")) != header_nonce(client.get("/"))


@pytest.mark.parametrize("path", PAGES)
def test_framing_sniffing_and_referrer_headers(client, db, path):
    """Pages cannot be framed, types are not sniffed, and the referrer stays on this site."""
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def template_files():
    return sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt"))


def test_the_template_folder_is_scanned():
    """The scans below look at real templates (a scan of nothing would pass)."""
    assert TEMPLATES / "base.html" in template_files()


def test_no_template_has_an_inline_script_without_a_nonce():
    """Every inline <script> in templates/ carries nonce=, or the CSP would block it."""
    offenders = []
    for template in template_files():
        for tag in SCRIPT_TAG.findall(template.read_text()):
            if "src=" not in tag and "nonce=" not in tag:
                offenders.append(f"{template.relative_to(TEMPLATES)}: {tag}")
    assert not offenders, "Inline scripts without a nonce:\n" + "\n".join(offenders)


def test_no_template_uses_inline_event_handlers_or_styles():
    """No onclick=, style= or <style>: the CSP blocks them all, so they would silently not work.

    Emails are exempt: mail clients need inline styles, and no CSP applies to them.
    """
    attribute = re.compile(r"<[a-zA-Z][^>]*\s(on[a-z]+|style)\s*=|<style\b", re.IGNORECASE)
    offenders = [
        f"{template.relative_to(TEMPLATES)}: {match.group(0)[:80]}"
        for template in template_files()
        if not template.is_relative_to(EMAILS)
        for match in attribute.finditer(template.read_text())
    ]
    assert not offenders, "Inline handlers or styles:\n" + "\n".join(offenders)
