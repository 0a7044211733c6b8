"""The demo's land entries: illustrative (generic names, commune-centre positions, no pollution
reference) in the towns of Hauts-de-France. No brownfield inventory (CEREMA's Cartofriches) is
shipped with Boucle, so none of them is presented as real."""

from pathlib import Path

DEMO_FILE = Path(__file__).parent / "data" / "demo_land.csv"


def load_demo_land():
    from .services import import_land

    return import_land(DEMO_FILE)
