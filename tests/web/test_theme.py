"""The deployer's name, logo and colour: shown on every page, and readable whatever the colour."""

import pytest
from django.urls import reverse

from boucle.web import theme


@pytest.mark.parametrize("colour", ["#0b6e4f", "#ffd400", "#000091", "#e1000f", "#88ccee", "#ffffff", "#000000"])
def test_any_brand_colour_gives_aa_contrast(colour):
    p = {k: theme.parse_hex(v[:7]) for k, v in theme.palette(colour).items()}
    white = (255, 255, 255)
    assert theme.contrast(p["--pico-primary"], white) >= 4.5  # links on the page
    assert theme.contrast(p["--pico-primary-background"], p["--pico-primary-inverse"]) >= 4.5  # button text
    assert theme.contrast(p["--boucle-brand"], p["--boucle-on-brand"]) >= 4.5  # header text


def test_a_wrong_colour_is_refused():
    with pytest.raises(ValueError):
        theme.parse_hex("green")


def test_name_logo_and_colour_reach_the_page(client, settings, db):
    settings.BOUCLE_SITE_NAME = "Boucle Hauts-de-France"
    settings.BOUCLE_LOGO_URL = "/static/web/favicon.svg"
    settings.BOUCLE_PRIMARY_COLOR = "#000091"
    html = client.get(reverse("login")).content.decode()
    assert "<title>" in html and "· Boucle Hauts-de-France</title>" in html
    assert '<img src="/static/web/favicon.svg" alt=""' in html
    assert "--pico-primary-background:#000091" in html
