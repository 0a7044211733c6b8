"""Each document a rule cites opens in one click: an EU act by its European Legislation Identifier (a
regulation before 2015 is numbered number/year, a directive year/number), a NAF code on INSEE's page, a BREF on
the EIPPCB's list; a standard or an article has no free page and no link."""

import pytest

from boucle.matching.citations import BREF_INDEX_URL, BREF_TITLES, documents


@pytest.mark.parametrize("citation, name, url", [
    ("Regulation (EC) No 853/2004, Annex III", "règlement (CE) 853/2004", "https://eur-lex.europa.eu/eli/reg/2004/853/oj"),
    ("Regulation (EU) 2019/1009 (fertilising products)", "règlement (UE) 2019/1009",
     "https://eur-lex.europa.eu/eli/reg/2019/1009/oj"),
    ("Directive 91/271/EEC (urban waste water)", "directive 91/271/CEE", "https://eur-lex.europa.eu/eli/dir/1991/271/oj"),
    ("Directive 2008/98/EC art. 21", "directive 2008/98/CE", "https://eur-lex.europa.eu/eli/dir/2008/98/oj"),
    ("EWC 02 02 03 (unfit for consumption)", "liste européenne des déchets, 02 02 03",
     "https://eur-lex.europa.eu/eli/dec/2000/532/oj"),
    ("NACE 38.32 recovery of sorted materials", "nomenclature NAF rév. 2, classe 38.32",
     "https://www.insee.fr/fr/metadonnees/nafr2/classe/38.32"),
    ("NACE 24.5 casting of metals", "nomenclature NAF rév. 2, groupe 24.5",
     "https://www.insee.fr/fr/metadonnees/nafr2/division/24"),
    ("EN 206 concrete", "norme EN 206", ""),
])
def test_each_document_has_a_short_name_and_its_address(citation, name, url):
    (document,) = documents(citation, "fr")
    assert (document.name, document.url) == (name, url)


def test_every_bref_reads_the_same_way():
    for acronym, (fr, en) in BREF_TITLES.items():
        (document,) = documents(f"EU BREF {acronym} 2017 (some section)", "fr")
        assert (document.name, document.subject, document.url) == (f"BREF {acronym} 2017", fr, BREF_INDEX_URL)
        assert documents(f"EU BREF {acronym} 2017", "en")[0].subject == en
