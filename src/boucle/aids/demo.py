"""The demo's aid catalogue: real public schemes (Hauts-de-France, national, European), each
flagged « à vérifier » with the date it was written; see ``data/SOURCES.md``. None has a deadline,
so the demo does not depend on the day it runs."""

from pathlib import Path

DEMO_FILE = Path(__file__).parent / "data" / "aids_demo.csv"


def load_demo_aids():
    from .services import import_aids

    return import_aids(DEMO_FILE)
