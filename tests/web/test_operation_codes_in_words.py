"""A waste contract names its treatment as « R4 » or « D10 »: the flow form and the workshop list each
code with the words of the directive's annexes, never the bare code or Boucle's own shorthand."""

import re

from django.urls import reverse


def _options(page: str) -> dict[str, str]:
    select = page.split('name="current_route"', 1)[1].split("</select>", 1)[0]
    return {v: re.sub(r"\s+", " ", t).strip() for v, t in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<', select)}


def test_the_flow_form_lists_each_operation_code_with_its_french_wording(world, as_persona):
    import html

    page = html.unescape(as_persona("member_a").get(reverse("flow-create")).content.decode())
    options = _options(page)
    assert options["R4"] == "R4 — Recyclage ou récupération des métaux et des composés métalliques"
    assert options["D10"] == "D10 — Incinération à terre"
    assert options["R1"].startswith("R1 — Utilisation principale comme combustible")
    codes = [v for v in options if re.fullmatch(r"[RD]\d+", v)]
    assert len(codes) >= 20
    # every code reads as words, and no two codes read alike (« Déjà vendu pour recyclage » nine times)
    assert all(len(options[c]) > len(c) + 12 for c in codes)
    assert len({options[c] for c in codes}) == len(codes)


def test_in_english_the_annex_wording_is_english(world, as_persona):
    import html

    client = as_persona("member_a")
    client.cookies["django_language"] = "en"
    page = html.unescape(client.get(reverse("flow-create"), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    options = _options(page)
    assert options["R4"] == "R4 — Recycling/reclamation of metals and metal compounds", options["R4"]


def test_the_workshop_rows_use_the_same_words(world, as_persona):
    import html

    page = html.unescape(as_persona("facilitator_t").get(reverse("workshop")).content.decode())
    assert "R5 — Recyclage ou récupération d’autres matières inorganiques" in page
