"""The public home page never lets one company's figures be read off an EPCI total."""

import re

import pytest

from boucle.testing import make_flow, make_site

pytestmark = pytest.mark.django_db


def epci_row(client, name="Métropole Européenne de Lille"):
    body = client.get("/").content.decode()
    start = body.index(name)
    return body[start:body.index("</tr>", start)]


def cells_of(row):
    """The text of each figure cell of the row, markup (classes, abbreviations) left out."""
    return [re.sub(r"<[^>]+>", "", c.split("</td>")[0]).strip() for c in re.split(r"<td[^>]*>", row)[1:]]


def test_two_companies_are_not_enough(client):
    for i in range(2):
        make_flow(make_site(f"Entreprise {i}", commune="59350"))
    row = epci_row(client)
    assert ">2<" not in row and "secret statistique" in row


def test_a_dominant_company_hides_the_figure_it_dominates(client):
    big = make_site("Grand groupe", commune="59350")
    for i in range(20):
        make_flow(big, f"Offre {i}")
    for i in range(2):
        make_flow(make_site(f"PME {i}", commune="59350"), "Petite offre")
    row = epci_row(client)
    cells = cells_of(row)
    assert cells[0] == "3"  # three companies: their number may be published
    assert cells[1] == "s"  # 20 of the 22 offers (91 %) come from one company: suppressed


def test_three_balanced_companies_are_shown(client):
    for i in range(3):
        make_flow(make_site(f"Entreprise {i}", commune="59350"))
    cells = cells_of(epci_row(client))
    assert cells[:3] == ["3", "3", "0"]  # companies, offers, needs
