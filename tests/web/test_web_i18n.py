"""French by default, English complete: the catalogue covers every template string, compiled and committed."""

import ast
import gettext
import re
from pathlib import Path

import pytest

import boucle

PACKAGE = Path(boucle.__file__).parent
EN_PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
EN_MO = EN_PO.with_suffix(".mo")
OWN_TEMPLATES = ["web/templates", "accounts/templates"]


def parse_po(path):
    """(msgid, msgstr, flags) of each entry but the header; enough of the format for our own catalogue.

    A plural entry's msgstr is its singular form, or empty if any of its forms is."""
    entries, flags, current, key = [], set(), {}, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if "msgid" in current and current["msgid"]:
                forms = [current[k] for k in sorted(current) if k.startswith("msgstr[")]
                msgstr = (forms[0] if all(forms) else "") if forms else current.get("msgstr", "")
                entries.append((current["msgid"], msgstr, flags))
            flags, current, key = set(), {}, None
        elif line.startswith("#,"):
            flags = {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            current[key] = ast.literal_eval(value)
    return entries


def test_english_catalogue_is_complete_and_not_fuzzy():
    entries = parse_po(EN_PO)
    assert len(entries) > 200
    untranslated = [m for m, s, _f in entries if not s]
    fuzzy = [m for m, _s, f in entries if "fuzzy" in f]
    assert not untranslated, f"missing English for: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy English entries: {fuzzy[:10]}"


def test_compiled_catalogue_matches_the_po():
    catalogue = gettext.GNUTranslations(EN_MO.open("rb"))
    stale = [m for m, s, _f in parse_po(EN_PO) if s not in (catalogue.gettext(m), catalogue.ngettext(m, m, 1))]
    assert not stale, f"django.mo is older than django.po; run compilemessages ({stale[:5]})"


TRANSLATE_TAG = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")


def test_every_template_string_of_the_web_pages_is_in_the_catalogue():
    known = {m for m, _s, _f in parse_po(EN_PO)}
    missing = []
    for folder in OWN_TEMPLATES:
        for path in (PACKAGE / folder).rglob("*.html"):
            for match in TRANSLATE_TAG.finditer(path.read_text(encoding="utf-8")):
                if match.group(2).replace("%", "%%") not in known:  # as Django does for template literals
                    missing.append((path.name, match.group(2)))
    assert not missing, f"run makemessages and translate: {missing[:10]}"


@pytest.mark.parametrize("url, french, english", [
    ("/", "Chiffres par intercommunalité", "Figures by intercommunality"),
    ("/connexion/", "Mot de passe oublié ?", "Forgot your password?"),
])
def test_pages_are_french_by_default_and_english_on_request(client, db, url, french, english):
    assert french in client.get(url).content.decode()
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert english in page and french not in page


def test_company_space_in_english(world, as_persona):
    client = as_persona("member_a")
    page = client.get("/espace/synergies/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Suggested synergies" in page and "Anonymous company" in page and "t/yr" in page
    assert "Coal fly ash" in page and "suggested" in page
