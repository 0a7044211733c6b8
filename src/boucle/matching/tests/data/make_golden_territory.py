"""Writes the small fixed territory of the golden test (golden_sites.csv, golden_flows.csv).

Run once; the CSV files are the fixture (kept in git), this script only says how they were drawn:
120 sites around Lille (codes, activity words only, a sector word in the name only), 520 flows
from common labels, some with an EWC code, a hazard flag, a temperature, a chosen class, a current
route or a yearly total, quantities in t / MWh / m3 or unknown.
"""

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
NAF = ["10.11Z", "10.51A", "10.71A", "11.05Z", "16.10A", "17.12Z", "20.14Z", "20.15Z", "22.22Z", "23.51Z",
       "23.61Z", "24.10Z", "24.51Z", "25.62B", "35.11Z", "35.30Z", "38.11Z", "38.21Z", "38.22Z", "38.32Z",
       "41.20A", "46.77Z", "01.13Z"]
ACTIVITY = ["laiterie", "serre maraîchère", "brick works", "papeterie", "fonderie", "chaufferie bois"]
NAMES = ["Cimenterie du Nord", "Raffinerie des Flandres", "Centrale de Bouchain", "Verrerie d'Arques"]
LABELS = [  # (label, kind, unit, ewc, hazardous, temperature)
    ("ferraille", "material", "t", "", False, None), ("carton", "material", "t", "150101", False, None),
    ("palettes bois", "material", "t", "", False, None), ("plastique", "material", "t", "", False, None),
    ("sciure", "material", "t", "030105", False, None), ("verre", "material", "t", "", False, None),
    ("gravats", "material", "t", "170107", False, None), ("boues de station", "material", "t", "", False, None),
    ("cendres volantes", "material", "t", "100104", False, None),
    ("laitier de haut fourneau", "material", "t", "100202", False, None),
    ("huile usagée", "material", "t", "130205", True, None), ("solvants usagés", "material", "t", "140603", True, None),
    ("déchets alimentaires", "material", "t", "", False, None), ("papier", "material", "t", "", False, None),
    ("sable de fonderie", "material", "t", "", False, None), ("drêches", "material", "t", "", False, None),
    ("pulpes de betteraves", "material", "t", "", False, None), ("gypse", "material", "t", "", False, None),
    ("mâchefers", "material", "t", "190112", False, None), ("aluminium", "material", "t", "", False, None),
    ("chaleur fatale", "energy", "MWh", "", False, 90.0), ("chaleur fatale", "energy", "MWh", "", False, 180.0),
    ("vapeur", "energy", "MWh", "", False, 160.0), ("eau de refroidissement", "water", "m3", "", False, None),
    ("eau de process", "water", "m3", "", False, None), ("CO2", "material", "t", "", False, None),
    ("Déchets dangereux (total déclaré)", "material", "t", "", True, None),
]
ROUTES = ["", "", "", "R4", "D1", "R1"]


def main() -> None:
    rng = np.random.default_rng(20261206)
    n_sites, n_flows = 120, 520
    lat = 50.63 + rng.normal(0, 0.12, n_sites)
    lon = 3.06 + rng.normal(0, 0.18, n_sites)
    with (HERE / "golden_sites.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["site_id", "name", "naf_code", "activity", "latitude", "longitude"])
        for i in range(n_sites):
            r = rng.random()
            naf = NAF[rng.integers(len(NAF))] if r < 0.75 else ""
            activity = ACTIVITY[rng.integers(len(ACTIVITY))] if 0.75 <= r < 0.9 else ""
            name = NAMES[rng.integers(len(NAMES))] if r >= 0.9 else f"Société {i}"
            w.writerow([f"G{i:04d}", name, naf, activity, f"{lat[i]:.6f}", f"{lon[i]:.6f}"])
    seen = set()
    with (HERE / "golden_flows.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["flow_id", "site_id", "direction", "label", "ewc_code", "kind", "quantity", "unit",
                    "temperature_c", "hazardous", "class_key", "current_route"])
        j = 0
        while j < n_flows:
            site = int(rng.integers(n_sites))
            direction = "offer" if rng.random() < 0.6 else "need"
            label, kind, unit, ewc, haz, temp = LABELS[rng.integers(len(LABELS))]
            if (site, direction, label, temp) in seen:
                continue
            seen.add((site, direction, label, temp))
            known = rng.random() < 0.8
            qty = f"{float(np.round(rng.lognormal(3.0, 1.5), 1))}" if known else ""
            chosen = "steel_scrap" if label == "ferraille" and rng.random() < 0.3 else ""
            w.writerow([f"F{j:05d}", f"G{site:04d}", direction, label, ewc if rng.random() < 0.5 else "", kind, qty,
                        unit if known else "", "" if temp is None else temp, "true" if haz else "",
                        chosen, ROUTES[rng.integers(len(ROUTES))] if direction == "offer" else ""])
            j += 1


if __name__ == "__main__":
    main()
