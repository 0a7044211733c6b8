"""SIRENE StockEtablissement: Lambert-93 converted, closed establishments flagged, bad rows named."""

import pytest

from boucle.flows.models import Site
from boucle.flows.sirene import import_sirene
from boucle.testing import make_siret

pytestmark = pytest.mark.django_db

HEADER = ("siren,nic,siret,etatAdministratifEtablissement,enseigne1Etablissement,denominationUsuelleEtablissement,"
          "activitePrincipaleEtablissement,nomenclatureActivitePrincipaleEtablissement,codeCommuneEtablissement,"
          "coordonneeLambertAbscisseEtablissement,coordonneeLambertOrdonneeEtablissement\n")


def test_sample_with_open_and_closed_sites(tmp_path):
    open_site, closed_site, no_coords = make_siret(), make_siret(), make_siret()
    path = tmp_path / "StockEtablissement.csv"
    path.write_text(HEADER
                    + f"{open_site[:9]},{open_site[9:]},{open_site},A,SUCRERIE DU NORD,,10.81Z,NAFRev2,59350,704000.0,7059000.0\n"
                    + f"{closed_site[:9]},{closed_site[9:]},{closed_site},F,,ANCIENNE FONDERIE,24.51Z,NAFRev2,59350,,\n"
                    + f"{no_coords[:9]},{no_coords[9:]},{no_coords},A,,,52.1B,NAFRev1,59350,,\n", encoding="utf-8")
    report = import_sirene(path, progress=False)
    assert report.ok and report.created == 3
    sugar = Site.objects.get(site_id=open_site)
    assert sugar.name == "SUCRERIE DU NORD" and sugar.naf_id == "10.81Z" and not sugar.closed
    assert sugar.lat == pytest.approx(50.63, abs=0.05) and sugar.lon == pytest.approx(3.06, abs=0.05)  # Lille
    foundry = Site.objects.get(site_id=closed_site)
    assert foundry.closed and foundry.name == "ANCIENNE FONDERIE" and foundry.commune_id == "59350"
    old = Site.objects.get(site_id=no_coords)
    assert old.naf_id is None  # a NAF rév. 1 code is not taken for a rév. 2 one
    again = import_sirene(path, progress=False)
    assert (again.created, again.unchanged) == (0, 3)


def test_bad_siret_rejects_the_file(tmp_path):
    good = make_siret()
    bad = good[:-1] + str((int(good[-1]) + 3) % 10)
    path = tmp_path / "s.csv"
    path.write_text(HEADER + f"{good[:9]},{good[9:]},{good},A,,,10.81Z,NAFRev2,59350,,\n"
                    + f"{bad[:9]},{bad[9:]},{bad},A,,,10.81Z,NAFRev2,59350,,\n", encoding="utf-8")
    report = import_sirene(path, progress=False)
    assert [n for n, _ in report.rejected] == [3] and "SIRET" in report.rejected[0][1]
    assert Site.objects.count() == 0


def test_missing_columns_is_a_file_error(tmp_path):
    from boucle.flows.tabular import FileFormatError

    path = tmp_path / "s.csv"
    path.write_text("siret,nom\n1,2\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="activiteprincipaleetablissement"):
        import_sirene(path, progress=False)


def _rows(sirets, state="A"):
    return "".join(f"{s[:9]},{s[9:]},{s},{state},,,38.32Z,NAFRev2,59350,,\n" for s in sirets)


def test_bad_row_after_many_batches_writes_nothing_and_partial_writes_the_rest(tmp_path, monkeypatch):
    import boucle.flows.sirene as sirene

    monkeypatch.setattr(sirene, "BATCH", 3)  # the bad row comes several written batches later
    good = [make_siret() for _ in range(10)]
    bad = good[0][:-1] + str((int(good[0][-1]) + 3) % 10)
    path = tmp_path / "s.csv"
    path.write_text(HEADER + _rows(good) + _rows([bad]), encoding="utf-8")
    report = import_sirene(path, progress=False)
    assert [n for n, _ in report.rejected] == [12] and not report.written
    assert Site.objects.count() == 0
    report = import_sirene(path, partial=True, progress=False)
    assert report.written and report.created == 10 and Site.objects.count() == 10


def test_newer_extract_updates_only_what_moved_and_keeps_closures(tmp_path, monkeypatch):
    import boucle.flows.sirene as sirene

    monkeypatch.setattr(sirene, "BATCH", 2)
    sites = [make_siret() for _ in range(5)]
    path = tmp_path / "s.csv"
    path.write_text(HEADER + _rows(sites), encoding="utf-8")
    assert import_sirene(path, progress=False).created == 5
    path.write_text(HEADER + _rows(sites[:4]) + _rows(sites[4:], state="F"), encoding="utf-8")
    report = import_sirene(path, progress=False)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    assert list(Site.objects.filter(closed=True).values_list("site_id", flat=True)) == [sites[4]]
    assert Site.objects.count() == 5


def test_a_huge_field_or_a_control_character_is_a_clean_refusal(tmp_path):
    good = make_siret()
    path = tmp_path / "s.csv"
    path.write_text(HEADER + f"{good[:9]},{good[9:]},{good},A,{'X' * 200_000},,10.81Z,NAFRev2,59350,,\n",
                    encoding="utf-8")
    report = import_sirene(path, progress=False)  # over csv's 128 KiB field limit: was a traceback
    assert [n for n, _ in report.rejected] == [2] and "enseigne1etablissement: plus de 1" in report.rejected[0][1]
    path.write_text(HEADER + f"{good[:9]},{good[9:]},{good},A,SUCRERIE\x1b[2J,,10.81Z,NAFRev2,59350,,\n",
                    encoding="utf-8")
    report = import_sirene(path, progress=False)
    assert report.rejected == [(2, "enseigne1etablissement: caractère de contrôle interdit (U+001B)")]
    assert Site.objects.count() == 0


def _snapshot():
    from boucle.flows.models import Company

    sites = list(Site.objects.order_by("site_id").values_list(
        "site_id", "name", "naf_id", "lat", "lon", "commune_id", "closed", "company_id", "imported_at",
        "imported_values"))
    return sites, Company.objects.count()


def test_reimporting_the_same_file_changes_nothing(tmp_path, monkeypatch):
    """Same counts, same values, same ``imported_at``: not one row rewritten (duplicate SIRET included)."""
    import boucle.flows.sirene as sirene

    monkeypatch.setattr(sirene, "BATCH", 3)
    sites = [make_siret() for _ in range(7)]
    path = tmp_path / "s.csv"
    # a SIRET twice, the later row wins (within one batch; PostgreSQL also across batches, SQLite not)
    path.write_text(HEADER + _rows(sites[:1]) + _rows(sites[:1], state="F") + _rows(sites[1:]), encoding="utf-8")
    first = import_sirene(path, progress=False)
    assert first.created == 7 and Site.objects.get(site_id=sites[0]).closed
    before = _snapshot()
    again = import_sirene(path, progress=False)
    assert (again.created, again.updated, again.unchanged, again.written) == (0, 0, 7, True)
    assert _snapshot() == before


def test_a_correction_wins_over_a_newer_extract(tmp_path):
    from boucle.flows.corrections import correct

    sites = [make_siret() for _ in range(3)]
    path = tmp_path / "s.csv"
    path.write_text(HEADER + _rows(sites), encoding="utf-8")
    import_sirene(path, progress=False)
    fixed = Site.objects.get(site_id=sites[0])
    correct(fixed, "name", "Nom corrigé par l'animatrice")
    path.write_text(HEADER + _rows(sites, state="F"), encoding="utf-8")  # all three closed since
    report = import_sirene(path, progress=False)
    assert (report.created, report.updated, report.unchanged) == (0, 3, 0)
    fixed.refresh_from_db()
    assert fixed.closed and fixed.name == "Nom corrigé par l'animatrice"
    assert Site.objects.filter(closed=True).count() == 3


def test_an_establishment_with_partial_diffusion_keeps_no_name_and_no_address_below_its_commune(tmp_path):
    """INSEE's rule for « diffusion partielle » (statutDiffusionEtablissement = P): no name, no address, the
    commune at most. Its file carries « [ND] » there; a name or coordinates given anyway are not taken."""
    public, partial, became = make_siret(), make_siret(), make_siret()
    header = HEADER.rstrip("\n") + ",statutDiffusionEtablissement\n"
    row = "{s},{state},{name},,24.51Z,NAFRev2,59350,{x},{y},{status}\n"
    path = tmp_path / "StockEtablissement.csv"
    path.write_text(header
                    + f"{public[:9]},{public[9:]}," + row.format(s=public, state="A", name="FONDERIE OUVERTE", x="704000.0",
                                                                 y="7059000.0", status="O")
                    + f"{partial[:9]},{partial[9:]}," + row.format(s=partial, state="A", name="[ND]", x="[ND]", y="[ND]",
                                                                   status="P")
                    + f"{became[:9]},{became[9:]}," + row.format(s=became, state="A", name="M DUPONT", x="704100.0",
                                                                 y="7059100.0", status="O"), encoding="utf-8")
    assert import_sirene(path, progress=False).ok
    from boucle.territories.models import Commune

    lille = Commune.objects.get(insee="59350")
    shown = Site.objects.get(site_id=partial)
    assert shown.name == f"Établissement {partial}" and "[ND]" not in shown.name and shown.commune_id == "59350"
    assert (shown.lat, shown.lon) == (lille.lat, lille.lon) and shown.naf_id == "24.51Z"
    assert Site.objects.get(site_id=public).name == "FONDERIE OUVERTE"
    # an establishment that asked for partial diffusion since the last extract: its name and point go
    path.write_text(header + f"{became[:9]},{became[9:]}," + row.format(s=became, state="A", name="M DUPONT",
                                                                         x="704100.0", y="7059100.0", status="P"),
                    encoding="utf-8")
    assert import_sirene(path, progress=False).updated == 1
    now = Site.objects.get(site_id=became)
    assert now.name == f"Établissement {became}" and (now.lat, now.lon) == (lille.lat, lille.lon)
