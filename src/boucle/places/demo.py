"""The demo's places: illustrative entries (generic names, commune-centre positions, no street
address) in Lille and the large towns of Hauts-de-France. No public source of repairers and
drop-off points ships with Boucle, so none of them is presented as real."""

from pathlib import Path

DEMO_FILE = Path(__file__).parent / "data" / "demo_places.csv"


def load_demo_places():
    from .services import import_places

    return import_places(DEMO_FILE)
