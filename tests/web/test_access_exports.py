"""Spreadsheets (CSV and XLSX) per persona: an XLSX file is a zip, so the matrix's plain-text search for a
company's name, SIRET or coordinates in the body would never find them there. Each export is read back
(the XML of every sheet and of the shared strings) and searched like a page.

A positive control per export (a persona who may see company A finds it) keeps the search honest."""

import io
import zipfile

import pytest
from django.urls import reverse

from route_matrix import assert_refused
from web_personas import EPCI_T, PERSONAS, forbidden_secrets

LOGGED = set(PERSONAS) - {"anonymous"}
STEER_T = {"facilitator_t", "superuser"}
SOURCING = "/fournisseurs/?mode=naf&q=23.51&near=50.63,3.06&radius_km=50&format="


def readable(response) -> str:
    body = response.content
    if body[:2] != b"PK":
        return body.decode("utf-8-sig", errors="replace")
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        return "\n".join(z.read(n).decode("utf-8", errors="replace") for n in z.namelist() if n.endswith(".xml"))


def _exports():
    """(url, personas allowed, personas that must find company A, the text they find; ``site:A``: its SIRET)."""
    out = []
    for fmt in ("csv", "xlsx"):
        out += [
            (SOURCING + fmt, LOGGED, {"member_a", "admin_a", "facilitator_t", "superuser"}, "Usine Alphaciment"),
            (reverse("land:search") + "?format=" + fmt, LOGGED, set(), ""),
            (reverse("observatory:public-export", args=[fmt]), set(PERSONAS), set(), ""),
            (reverse("observatory:territory-export", args=["epci", EPCI_T, "flows", fmt]), STEER_T, STEER_T,
             "Alphaciment"),
            (reverse("observatory:territory-export", args=["epci", EPCI_T, "synergies", fmt]), STEER_T, STEER_T,
             "Alphaciment"),
            (reverse("flow-import-template", args=[fmt]), LOGGED, {"member_a", "admin_a"}, "site:A"),
        ]
    return out


@pytest.mark.parametrize("index", range(len(_exports())))
def test_an_export_carries_nothing_a_persona_may_not_see(world, as_persona, index):
    url, allowed, finds_a, a_text = _exports()[index]
    for persona in PERSONAS:
        response = as_persona(persona).get(url)
        if persona not in allowed:
            assert_refused(persona, response)
            continue
        assert response.status_code == 200, (persona, url, response.status_code)
        text = readable(response)
        leaked = [s for s in forbidden_secrets(world, persona) if s in text]
        assert not leaked, f"{persona} received {leaked} in {url}"
        if persona in finds_a:
            found = world.sites["A"].site_id if a_text == "site:A" else a_text
            assert found in text, (persona, url)  # the search reads the file, not an empty shell
