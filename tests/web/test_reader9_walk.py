"""What a fresh reader (session 18, reader9) found walking the demo as a facilitator, a company and a citizen."""

import re

import pytest
from django.utils import translation

from boucle.matching import lifecycle
from boucle.web.present import STATUS_LABELS


def test_the_final_status_has_one_english_name():
    """The menu offered « declined » and the note under it said « “Abandoned” and “stopped” are final »: one
    status, two words. The company's own « not interested » stays « declined to be put in touch »."""
    with translation.override("en"):
        declined = str(STATUS_LABELS[lifecycle.DECLINED])
        note = translation.gettext("« Abandonnée » et « arrêtée » sont définitifs : une confirmation vous sera "
                                   "demandée.")
        stopped = str(STATUS_LABELS[lifecycle.STOPPED])
    assert declined.capitalize() in note and stopped in note, (declined, note)


@pytest.mark.django_db
def test_the_facilitator_menu_and_note_agree_in_english(world, as_persona):
    page = as_persona("facilitator_t").get(f"/synergies/{world.synergies['ab'].pk}/",
                                           HTTP_ACCEPT_LANGUAGE="en").content.decode()
    options = re.findall(r'<option value="declined"[^>]*>([^<]+)</option>', page)
    assert options == ["abandoned"] and "“Abandoned” and “stopped” are final" in page


def test_the_demo_summary_names_what_it_imported_in_french_and_the_sites_without_a_code(monkeypatch):
    """`boucle demo` printed « flows : 4340 créés » and « ?? : 347 / 0 » to a French reader."""
    from boucle.web.commands import IMPORTED_WORDS, division_lines

    monkeypatch.setenv("BOUCLE_LANG", "fr")  # the command line's language, whatever the machine's LANG
    with translation.override("fr"):  # the CLI activates its language: give the next test back its own
        lines = division_lines([("20.14Z", "offer", 3), (None, "offer", 2), ("08.11Z", "need", 1),
                                ("20.59Z", "need", 4)])
        assert [str(line) for line in lines] == ["08 : 0 / 1", "20 : 3 / 4", "sans code NAF : 2 / 0"]
        assert str(IMPORTED_WORDS["flows"]) == "flux"
        monkeypatch.setenv("BOUCLE_LANG", "en")
        assert str(division_lines([(None, "need", 1)])[0]) == "no NAF code: 0 / 1"
        assert str(IMPORTED_WORDS["flows"]) == "flows"
