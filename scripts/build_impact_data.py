#!/usr/bin/env python3
"""Build the emission-factor table shipped in ``boucle.impact``.

Re-runnable: reads the UK DESNZ 2025 flat file from ``shared/data/emission_factors``
and writes ``src/boucle/impact/data/factors_desnz_2025.csv`` with only the rows and
columns the impact engine uses, and ``fuel_energy.csv``: the energy content of each
burnable class (DESNZ per-tonne / per-kWh net CV factor of the same fuel).
The package must test without ``shared/``, hence the
copy. Licence of the source: Open Government Licence v3.0 (see data/SOURCES.md).

Usage: python scripts/build_impact_data.py [--shared PATH]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "src" / "boucle" / "impact" / "data"
DESNZ_FILE = "data/emission_factors/desnz_ghg_conversion_factors_2025_flat.csv"
SOURCE = "UK DESNZ GHG Conversion Factors for Company Reporting 2025, flat file v1"
LICENCE = "OGL-UK-3.0"

# Natural-gas boiler displaced by a waste-heat supply. The harmonised reference
# efficiency for separate heat from natural gas (hot water) is 92 % on net CV
# (Commission Delegated Regulation (EU) 2015/2402, Annex II). DESNZ gives the
# gas factor per kWh gross CV, so the efficiency is put on the same basis with
# DESNZ's own net/gross ratio for natural gas.
BOILER_EFF_NET = 0.92
NG_GROSS_ID = "1_100_1004_6_1"
NG_NET_ID = "1_100_1004_7_1"

COLUMNS = [
    "factor_id", "category", "item", "variant", "unit", "kgco2e_per_unit",
    "source", "vintage", "geography", "licence",
]

MATERIAL_VARIANTS = {
    "Primary material production": "material_primary",
    "Closed-loop source": "material_closed_loop",
    "Re-used": "material_reused",
    "Open-loop source": "material_open_loop",
}
#: Fossil fuels kept per tonne and per kWh (net CV): burnt wastes DESNZ lists as fuels, and the fuels they displace.
FUEL_ITEMS = ("Waste oils", "Coal (industrial)", "Petroleum coke", "Natural gas")

#: Burnable material classes whose energy content and combustion emissions DESNZ 2025 gives (the classes named here
#: only; a class absent has no energy content shipped, so its fuel use stays unknown). Class -> DESNZ fuel item, why.
FUEL_CLASSES = {
    "waste_oil": ("Fuels", "Waste oils", "DESNZ 'Waste oils' (fuel burnt as such)"),
    "wood_untreated": ("Bioenergy", "Wood chips", "untreated recovered wood burnt as chips: DESNZ 'Wood chips'"),
    "wood_pallets": ("Bioenergy", "Wood chips", "pallet wood burnt as chips: DESNZ 'Wood chips'"),
    "sawdust_shavings": ("Bioenergy", "Wood chips", "proxy: DESNZ 'Wood chips' (no sawdust row; moisture varies)"),
    "bark": ("Bioenergy", "Wood chips", "proxy: DESNZ 'Wood chips' (no bark row)"),
    "biomass_wood_chips": ("Bioenergy", "Wood chips", "DESNZ 'Wood chips'"),
    "wood_pellets": ("Bioenergy", "Wood pellets", "DESNZ 'Wood pellets'"),
    "crop_residues": ("Bioenergy", "Grass/straw", "DESNZ 'Grass/straw'"),
}
#: Boiler efficiency (net CV, hot water) of each burnable fuel (DESNZ item), for the useful heat it gives against a gas
#: boiler; a fuel absent here has none shipped, so its use in a boiler stays unknown.
_WOOD_FUELS = (0.86, "Commission Delegated Regulation (EU) 2015/2402, Annex II: harmonised efficiency reference "
                        "value for separate production of heat, solid biomass (wood fuels), hot water, 86 % (net CV) "
                        "(to check against the Official Journal text)")
BOILER_EFFICIENCY = {"Wood chips": _WOOD_FUELS, "Wood pellets": _WOOD_FUELS}
FUEL_ENERGY_COLUMNS = ["material_key", "desnz_item", "kwh_net_per_t", "per_t_factor_id", "per_kwh_net_factor_id",
                       "combustion_kgco2e_per_t", "biogenic_co2_kg_per_t_not_counted", "biogenic_co2_factor_id",
                       "boiler_efficiency_net_cv", "boiler_efficiency_source", "note", "source", "licence"]

UNIT_MAP = {"tonnes": "t", "tonne.km": "t.km", "cubic metres": "m3",
            "kWh (Gross CV)": "kWh", "kWh (Net CV)": "kWh_net"}


def _route(column_text: str) -> str:
    return column_text.strip().lower().replace(" ", "_").replace("-", "_")


def select(row: dict) -> dict | None:
    """Return the shipped form of a DESNZ row, or None if the engine does not use it."""
    value = row["GHG Conversion Factor 2025"].strip()
    if not value or row["GHG/Unit"] != "kg CO2e":
        return None
    l1, l2, l3, l4, col = (row[k].strip() for k in
                           ("Level 1", "Level 2", "Level 3", "Level 4", "Column Text"))
    uom = UNIT_MAP.get(row["UOM"].strip())
    if uom is None:
        return None
    base = {"factor_id": row["ID"], "kgco2e_per_unit": value, "unit": uom,
            "source": SOURCE, "vintage": "2025", "geography": "UK", "licence": LICENCE}
    if l1 == "Material use" and col in MATERIAL_VARIANTS:
        return base | {"category": MATERIAL_VARIANTS[col], "item": l3, "variant": col}
    if l1 == "Waste disposal":
        return base | {"category": "disposal", "item": l3, "variant": _route(col)}
    if l1 == "Freighting goods" and uom == "t.km":
        wanted = (
            (l2 == "HGV (all diesel)" and col == "Average laden")
            or l2 == "Rail"
            or (l2 == "Cargo ship" and l3 in ("Bulk carrier", "General cargo") and l4 == "Average")
        )
        if wanted:
            item = " / ".join(p for p in (l2, l3, l4) if p)
            return base | {"category": "freight", "item": item, "variant": col or l4}
    if l1 == "Fuels" and l3 == "Natural gas" and uom in ("kWh", "kWh_net"):
        return base | {"category": "fuel", "item": l3, "variant": row["UOM"].strip()}
    if l1 == "Fuels" and l3 in FUEL_ITEMS and uom in ("t", "kWh_net"):
        return base | {"category": "fuel", "item": l3, "variant": row["UOM"].strip()}
    if l1 == "Bioenergy" and l2 == "Biomass" and row["UOM"].strip() in ("tonnes", "kWh"):
        # DESNZ gives biomass per kWh on a net CV basis; biogenic CO2 is outside of scopes (not in this total)
        return base | {"category": "bioenergy", "item": l3, "variant": row["UOM"].strip(),
                       "unit": "t" if uom == "t" else "kWh_net"}
    if l1 in ("Water supply", "Water treatment") and uom == "m3":
        return base | {"category": "water", "item": l1, "variant": ""}
    return None


def derived_heat_row(rows: dict[str, dict]) -> dict:
    gross = float(rows[NG_GROSS_ID]["kgco2e_per_unit"])
    net = float(rows[NG_NET_ID]["kgco2e_per_unit"])
    eff_gross = round(BOILER_EFF_NET * gross / net, 4)
    value = round(gross / eff_gross, 6)
    return {
        "factor_id": "BOUCLE_HEAT_NG_BOILER_2025",
        "category": "heat_displaced",
        "item": "Heat from a natural-gas boiler",
        "variant": f"DESNZ {NG_GROSS_ID} / boiler efficiency {eff_gross} (gross CV)",
        "unit": "kWh",
        "kgco2e_per_unit": f"{value}",
        "source": (f"Derived: {SOURCE} row {NG_GROSS_ID} ({gross} kg CO2e/kWh gross CV) / "
                   f"{eff_gross}, i.e. the {BOILER_EFF_NET:.0%} net-CV reference efficiency of "
                   "Commission Delegated Regulation (EU) 2015/2402 Annex II (natural gas, hot water) "
                   f"converted to gross CV with DESNZ rows {NG_GROSS_ID}/{NG_NET_ID}"),
        "vintage": "2025",
        "geography": "UK",
        "licence": LICENCE,
    }


def fuel_energy_rows(flat: list[dict]) -> list[dict]:
    """Energy content (kWh net CV a tonne) of each burnable class: DESNZ's per-tonne factor of the fuel divided by its
    per-kWh (net CV) factor, the two totals of the same item and scope. Biomass: DESNZ's Scope 1 total counts CH4 and
    N2O only, its biogenic CO2 being reported outside of scopes; it is kept here for the record, not counted."""
    def pick(l1, item, uom, unit="kg CO2e"):
        for r in flat:
            if (r["Level 1"].strip(), r["Level 3"].strip(), r["UOM"].strip(), r["GHG/Unit"]) == (l1, item, uom, unit) \
                    and r["GHG Conversion Factor 2025"].strip():
                return r
        raise KeyError(f"DESNZ row missing: {l1} / {item} / {uom}")

    out = []
    for key, (l1, item, why) in FUEL_CLASSES.items():
        per_t = pick(l1, item, "tonnes")
        per_kwh = pick(l1, item, "kWh (Net CV)" if l1 == "Fuels" else "kWh")
        t, kwh = float(per_t["GHG Conversion Factor 2025"]), float(per_kwh["GHG Conversion Factor 2025"])
        bio = pick("Outside of scopes", item, "tonnes", "kg CO2e of CO2 per unit") if l1 == "Bioenergy" else None
        eff = BOILER_EFFICIENCY.get(item)
        out.append({
            "material_key": key, "desnz_item": item, "kwh_net_per_t": f"{t / kwh:.1f}",
            "per_t_factor_id": per_t["ID"], "per_kwh_net_factor_id": per_kwh["ID"],
            "combustion_kgco2e_per_t": per_t["GHG Conversion Factor 2025"].strip(),
            "biogenic_co2_kg_per_t_not_counted": bio["GHG Conversion Factor 2025"].strip() if bio else "",
            "biogenic_co2_factor_id": bio["ID"] if bio else "",
            "boiler_efficiency_net_cv": f"{eff[0]}" if eff else "", "boiler_efficiency_source": eff[1] if eff else "",
            "note": why,
            "source": (f"Derived: {SOURCE} rows {per_t['ID']} ({t} kg CO2e/t) / {per_kwh['ID']} ({kwh} kg CO2e/kWh "
                       "net CV)" + (f"; biogenic CO2 {bio['ID']} outside of scopes, not counted" if bio else "")),
            "licence": LICENCE})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared",
                    help="path to the shared/ reference folder")
    args = ap.parse_args(argv)
    src = args.shared / DESNZ_FILE
    if not src.exists() and (REPO.parent.parent / "shared" / DESNZ_FILE).exists():  # a worktree next to main
        src = REPO.parent.parent / "shared" / DESNZ_FILE
    if not src.exists():
        print(f"missing {src}", file=sys.stderr)
        return 1
    rows: dict[str, dict] = {}
    with src.open(newline="", encoding="utf-8") as fh:
        flat = list(csv.DictReader(fh))
    for row in flat:
        picked = select(row)
        if picked is not None:
            rows[picked["factor_id"]] = picked
    rows["BOUCLE_HEAT_NG_BOILER_2025"] = derived_heat_row(rows)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / "factors_desnz_2025.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows.values():
            w.writerow({k: r[k] for k in COLUMNS})
    print(f"wrote {len(rows)} factors to {out.relative_to(REPO)}", file=sys.stderr)
    energy = fuel_energy_rows(flat)
    out = OUT_DIR / "fuel_energy.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=FUEL_ENERGY_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(energy)
    print(f"wrote {len(energy)} energy contents to {out.relative_to(REPO)}", file=sys.stderr)
    return check_coverage()


def check_coverage() -> int:
    """Classes of the taxonomy without an impact mapping (recipes and reasons are curated by hand)."""
    classes = REPO / "src" / "boucle" / "materials" / "data" / "classes.csv"
    mapping = OUT_DIR / "material_factors.csv"
    if not classes.exists() or not mapping.exists():
        return 0
    with classes.open(encoding="utf-8") as fh:
        keys = [r["key"] for r in csv.DictReader(fh)]
    with mapping.open(encoding="utf-8") as fh:
        mapped = {r["material_key"] for r in csv.DictReader(fh)}
    missing = [k for k in keys if k not in mapped]
    if missing:
        print("classes without a row in material_factors.csv (add a recipe or a no_recipe_reason): "
              + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
