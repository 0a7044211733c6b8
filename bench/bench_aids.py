"""Benchmark: the aid finder on a catalogue the size of Aides-territoires' (5,000 aids).

Run: .venv/bin/python bench/bench_aids.py
Merges ``aids_import_5k_seconds`` (``import_aids`` of a generated 5,000-row CSV into a fresh SQLite
database, all rows checked then written) and ``aids_match_site_5k_ms`` (``services.for_site``, the
path of ``boucle aids match --site`` and of the pages: the catalogue read, matched and worded;
median of 3; ``aids_match_site_top8_5k_ms`` for the best 8, as a page asks) into bench/results.json. The answer is checked against the aids built to fit.
"""

from __future__ import annotations

import csv
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
RESULTS = ROOT / "bench" / "results.json"
N = 5000
PERIMETERS = ["FR", "EU", "region:32", "region:44", "departement:59", "departement:62", "epci:200093201",
              "commune:59350", "region:11", "departement:75"]
THEMES = ["économie circulaire", "déchets", "énergie et chaleur", "eau", "industrie", "innovation"]


def _catalogue(path: Path) -> int:
    """Writes N aids; returns how many must match a company site in Lille exchanging a material."""
    fits = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["identifier", "name", "url", "financers", "perimeter", "beneficiaries", "themes", "aid_types",
                    "deadline", "recurrence", "source"])
        for i in range(N):
            perimeter = PERIMETERS[i % len(PERIMETERS)]
            theme = THEMES[(i // len(PERIMETERS)) % len(THEMES)]
            beneficiary = "entreprise" if i % 7 else "collectivité"
            deadline, recurrence = ("2020-01-31", "ponctuel") if i % 11 == 0 else ("", "permanent")
            w.writerow([f"bench-{i}", f"Aide {i}", f"https://example.org/{i}", "Financeur", perimeter, beneficiary,
                        theme, "subvention", deadline, recurrence, "généré (benchmark)"])
            local = perimeter in {"FR", "EU", "region:32", "departement:59", "epci:200093201", "commune:59350"}
            fits += local and theme in {"économie circulaire", "déchets"} and beneficiary == "entreprise" \
                and recurrence == "permanent"
    return fits


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="boucle-bench-aids-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["BOUCLE_DATA_DIR"] = str(tmp / "var")
    from boucle.bootstrap import ensure_database, setup_django

    setup_django()
    ensure_database()
    from boucle.aids import services
    from boucle.testing import make_flow, make_site

    expected = _catalogue(tmp / "aids.csv")
    t0 = time.perf_counter()
    report = services.import_aids(tmp / "aids.csv")
    import_s = time.perf_counter() - t0
    assert report.ok and report.created == N, report.lines()[:5]
    site = make_site("Usine", commune="59350")
    make_flow(site, "Calcin")
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        rows = services.for_site(site)
        runs.append((time.perf_counter() - t0) * 1000)
    assert len(rows) == expected, (len(rows), expected)
    assert all(r["why"] and r["status"] == "open" for r in rows)
    match_ms = statistics.median(runs)
    page_runs = []
    for _ in range(3):  # what a synergy's or an answer's page asks: the best 8
        t0 = time.perf_counter()
        top = services.for_site(site, limit=8)
        page_runs.append((time.perf_counter() - t0) * 1000)
    assert [r["id"] for r in top] == [r["id"] for r in rows[:8]]
    page_ms = statistics.median(page_runs)
    print(f"import of {N:,} aids: {import_s:.2f} s; match for a site: {match_ms:.0f} ms (median of 3), "
          f"{len(rows):,} aids found as expected; the best 8 (a page): {page_ms:.0f} ms")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update({"aids_import_5k_seconds": round(import_s, 2), "aids_match_site_5k_ms": round(match_ms, 1),
                    "aids_match_site_top8_5k_ms": round(page_ms, 1)})
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
