"""Import reports in English: each rejection reason is translated, not only the summary around it."""

import os
import subprocess
import sys

import pytest
from django.utils import translation

from boucle.flows.importers import import_flows, import_sites
from boucle.flows.tabular import FileFormatError
from boucle.testing import make_site, make_siret

SITES = "site_id,name,naf_code,activity,latitude,longitude,commune_insee,country\n"
FLOWS = "site_id,direction,label,kind,ewc_code,quantity,unit,period,temperature_c,hazardous,external_id\n"


def write(tmp_path, text, name):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def reasons_in_english(importer, path):
    with translation.override("en"):
        report = importer(path)
    return report.rejected


@pytest.mark.django_db
def test_invalid_siret_checksum_in_english(tmp_path):
    good = make_siret()
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    rejected = reasons_in_english(import_sites, write(tmp_path, SITES + f"{bad},Faux,,,50.6,3.0,,\n", "sites.csv"))
    assert rejected == [(2, f"site_id: invalid SIRET {bad} (check digit)")]


@pytest.mark.django_db
@pytest.mark.parametrize("rows, line, english, french", [
    ("EXT-1,Sans lieu,,,,,,\n", 2, "neither coordinates", "ni coordonnées"),
    ("EXT-1,A,,,50,3,,\nEXT-1,B,,,50,3,,\n", 3, "duplicate site_id EXT-1 (already on line 2)", "en double"),
    ("EXT-1,Hors limites,,,95,3,,\n", 2, "latitude: 95.0 out of range (from -90 to 90, in decimal degrees)", "hors limites"),
])
def test_bad_sites_in_english(tmp_path, rows, line, english, french):
    rejected = reasons_in_english(import_sites, write(tmp_path, SITES + rows, "sites.csv"))
    assert len(rejected) == 1 and rejected[0][0] == line
    assert english in rejected[0][1] and french not in rejected[0][1]


@pytest.mark.django_db
@pytest.mark.parametrize("row, english, french", [
    ("EXT-1,offer,x,,,1,barrels,,,,", "unit: unknown unit « barrels »", "inconnue"),
    ("EXT-1,offer,x,,,-5,t,,,,", "quantity: -5 is negative", "négatif"),
    ("EXT-1,offer,x,,12345,1,t,,,,", "is not a waste code", "déchet"),
    ("EXT-1,sell,x,,,5,t,,,,", "direction: unknown « sell », expected offer or need", "attendu"),
    ("EXT-404,offer,x,,,5,t,,,,", "unknown site EXT-404", "importez"),
])
def test_bad_flows_in_english(tmp_path, row, english, french):
    make_site("Centrale", external_id="EXT-1")
    rejected = reasons_in_english(import_flows, write(tmp_path, FLOWS + row + "\n", "flows.csv"))
    assert len(rejected) == 1 and rejected[0][0] == 2
    assert english in rejected[0][1] and french not in rejected[0][1]


@pytest.mark.django_db
@pytest.mark.parametrize("row, french, english_keys", [
    ("EXT-1,vente,x,,,5,t,,,,", "direction: « vente » inconnu, attendu offre ou besoin", "need|offer"),
    ("EXT-1,,x,,,5,t,,,,", "direction: valeur obligatoire (offre ou besoin)", "need|offer"),
    ("EXT-1,offre,x,chose,,5,t,,,,", "kind: « chose » inconnu, attendu matière, énergie, eau, équipement ou service",
     "energy|equipment"),
    ("EXT-1,offre,x,,,5,t,annuel,,,", "period: « annuel » inconnu, attendu an, mois, semaine, jour ou ponctuel",
     "day|month"),
])
def test_a_refused_word_lists_the_words_a_french_file_uses(tmp_path, row, french, english_keys):
    """The template and its help write « offre », « matière », « an »: a refusal lists those, not the keys."""
    make_site("Centrale", external_id="EXT-1")
    rejected = import_flows(write(tmp_path, FLOWS + row + "\n", "flows.csv")).rejected
    assert len(rejected) == 1 and french in rejected[0][1] and english_keys not in rejected[0][1]


@pytest.mark.parametrize("column", ["direction", "kind", "period"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_word_a_refusal_lists_is_accepted(column, language):
    """A refusal never suggests a word the importer would refuse in turn, in either language."""
    import re

    from boucle.flows.importers import CHOICE_WORDS, DIRECTIONS, KINDS, PERIODS

    accepted = {"direction": DIRECTIONS, "kind": KINDS, "period": PERIODS}[column]
    with translation.override(language):
        words = [w.strip() for w in re.split(r",| or | ou ", str(CHOICE_WORDS[column])) if w.strip()]
    assert len(words) == len(set(accepted.values())), words
    assert {accepted[w] for w in words} == set(accepted.values())


@pytest.mark.django_db
def test_reasons_stay_french_by_default(tmp_path):
    make_site("Centrale", external_id="EXT-1")
    rejected = import_flows(write(tmp_path, FLOWS + "EXT-1,offer,x,,,-5,t,,,,\n", "flows.csv")).rejected
    assert rejected == [(2, "quantity: -5 est négatif")]


@pytest.mark.django_db
def test_file_level_errors_in_english(tmp_path):
    with translation.override("en"), pytest.raises(FileFormatError, match="missing required columns: name"):
        import_sites(write(tmp_path, "site_id,latitude,longitude\nEXT-1,50,3\n", "sites.csv"))


def test_cli_prints_english_reasons(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}", "BOUCLE_DATA_DIR": str(tmp_path / "var"),
                "BOUCLE_LANG": "en"})
    good = make_siret()
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    sites = write(tmp_path, SITES + f"{bad},Faux,,,50.6,3.0,,\n", "sites.csv")
    result = subprocess.run([sys.executable, "-m", "boucle", "import", "sites", str(sites)], capture_output=True,
                            text=True, env=env, timeout=300)
    assert result.returncode == 1, result.stderr
    assert f"line 2: site_id: invalid SIRET {bad} (check digit)" in result.stdout
    assert "invalide" not in result.stdout and "nothing was written" in result.stdout
