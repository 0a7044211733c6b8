"""A demo entry says it is an example once: the page marks every illustrative entry (« exemple
illustratif »), so its name, title or opening hours do not say « (exemple) » again."""

import re
from html import unescape

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _examples_per_row(html: str, row_tag: str) -> list[int]:
    rows = re.findall(rf"<{row_tag}[^>]*>(.*?)</{row_tag}>", html, re.S)
    return [unescape(re.sub(r"<[^>]+>", " ", row)).lower().count("exemple") for row in rows]


def test_demo_places_and_trainings_say_example_once(world, as_persona):
    from boucle.places.demo import load_demo_places
    from boucle.skills.services import import_trainings
    from boucle.skills.demo import TRAINING_FILE

    assert load_demo_places().ok and import_trainings(TRAINING_FILE).ok
    places = as_persona("anonymous").get(reverse("places:map"), {"commune": "Lille"}).content.decode()
    section = places[places.index('class="places"'):]
    counts = _examples_per_row(section[:section.index("</ul>")], "li")
    assert counts and set(counts) == {1}, counts
    trainings = as_persona("facilitator_t").get(reverse("skills:trainings")).content.decode()
    counts = _examples_per_row(trainings[trainings.index("<tbody"):], "tr")
    assert len(counts) == 10 and set(counts) == {1}, counts
