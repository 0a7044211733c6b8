"""Error pages look like the rest of the site: the header band in the deployer's colour, the site's name and
footer, under the same Content-Security-Policy (no inline <style> without this response's nonce).

400, 414 and 500 are drawn without a request (nothing that could fail again), so they take the colours
from /theme.css; 403 and 404 are ordinary pages."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.django_db
COLOUR = "#aa0044"


@pytest.fixture
def branded(settings):
    settings.BOUCLE_SITE_NAME = "Boucle Hauts-de-France"
    settings.BOUCLE_PRIMARY_COLOR = COLOUR
    return settings


def _server_error_page():
    from django.views.defaults import server_error

    return server_error(RequestFactory().get("/"))


def _pages(client, as_persona):
    pages = {
        400: client.get("/aides/", {f"a{i}": "1" for i in range(1100)}),
        414: client.get("/?q=" + "x" * 8300),
        500: _server_error_page(),
        404: client.get("/nulle-part/"),
    }
    pages[403] = as_persona("member_a").get(reverse("facilitator-home"))
    return pages


def _styles_of(html: str, response, client) -> str:
    """The CSS the page applies beyond the shared stylesheets: inline <style>s and /theme.css."""
    policy = response.headers.get("Content-Security-Policy", "")
    nonces = re.findall(r"'nonce-([^']+)'", policy)
    css = ""
    for nonce, body in re.findall(r'<style(?: nonce="([^"]*)")?>(.*?)</style>', html, re.S):
        assert nonce and nonce in nonces, "an inline <style> carries this response's nonce"
        css += body
    if 'href="/theme.css"' in html:
        css += client.get("/theme.css").content.decode()
    return css


def test_every_error_page_has_the_site_s_band_colours_and_footer(world, as_persona, client, branded):
    from boucle.web import theme

    pages = _pages(client, as_persona)
    brand = theme.palette(COLOUR)["--boucle-brand"]
    for status, response in pages.items():
        assert response.status_code == status
        html = response.content.decode()
        assert 'class="site-header"' in html and "Boucle Hauts-de-France</span>" in html, status
        assert "plateforme libre d'écologie industrielle territoriale" in html, status  # the footer
        assert f"--boucle-brand:{brand}" in _styles_of(html, response, client), status
    assert "'unsafe-inline'" not in pages[414].headers["Content-Security-Policy"].split("style-src ", 1)[1].split(";")[0]


def test_the_theme_stylesheet_needs_no_database_nor_session(client, branded, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/theme.css")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    assert response.content.decode().startswith(":root")
