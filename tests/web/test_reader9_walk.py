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
