"""Factor, recipe and price tables, loaded from CSV files shipped in ``data/``.

The tables are data, not code, so that a territory can swap UK DESNZ values for
ADEME Base Empreinte ones without touching the engine: put CSV files with the same
columns in a folder and pass it as ``extra_dirs`` (or set ``BOUCLE_IMPACT_DATA``,
several folders separated by ``os.pathsep``). Rows of a later folder replace rows
with the same key; new ids simply add factors that a ``recipes.csv`` there can use.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
MATERIALS_CLASSES = Path(__file__).resolve().parents[1] / "materials" / "data" / "classes.csv"
NONE_ID = "NONE"
ENV_VAR = "BOUCLE_IMPACT_DATA"

# Road freight default pinned by the method (see docs/impact-method.md).
MODE_FACTOR_IDS = {
    "road": "27_304_3140_14_1",   # DESNZ HGV (all diesel), All HGVs, average laden
    "rail": "27_315_3151_14_1",   # DESNZ Rail, freight train
    "barge": "GLEC3_IWW_BULK",    # gap fill: DESNZ has no inland waterway
    "pipe": NONE_ID,              # pipe or heat network: no freight term
}
MODES = tuple(MODE_FACTOR_IDS)


@dataclass(frozen=True)
class Factor:
    factor_id: str
    category: str
    item: str
    variant: str
    unit: str
    kgco2e_per_unit: float
    source: str
    vintage: str
    geography: str


@dataclass(frozen=True)
class Recipe:
    material_key: str
    replaces_key: str
    substitution_ratio: float
    processing_factor_id: str
    virgin_factor_id: str
    disposal_factor_id: str
    source: str
    note: str


@dataclass(frozen=True)
class MaterialInfo:
    key: str
    flow_kind: str
    baseline_route: str
    disposal_factor_ids: dict[str, str]
    fee_class: str
    no_recipe_reason: str
    note: str
    density_t_per_m3: float | None
    label_en: str = ""
    group: str = ""  # the class's group in the taxonomy (plastics, paper, wood...)


@dataclass(frozen=True)
class Price:
    kind: str
    price_key: str
    unit: str
    eur_low: float | None
    eur_default: float | None
    eur_high: float | None
    territory: str
    source: str
    vintage: str


@dataclass(frozen=True)
class FuelEnergy:
    """What burning a tonne of a material class gives and emits (``fuel_energy.csv``, derived from DESNZ)."""

    material_key: str
    kwh_net_per_t: float
    per_t_factor_id: str
    per_kwh_net_factor_id: str
    combustion_kgco2e_per_t: float  # fossil CO2, CH4 and N2O; the biogenic CO2 of biomass is not in it (DESNZ)
    biogenic_co2_kg_per_t_not_counted: float | None
    biogenic_co2_factor_id: str
    boiler_efficiency_net_cv: float | None
    boiler_efficiency_source: str
    source: str


@dataclass(frozen=True)
class FuelReceiver:
    """An activity that burns some materials as a fuel, and the fuel they displace there (``fuel_use_receivers.csv``)."""

    naf_prefix: str
    activity_en: str
    burns: tuple[str, ...]  # class groups or class keys
    appliance: str  # kiln (energy for energy), boiler (the same useful heat), or another (not valued)
    displaced_fuel_factor_id: str  # "": the displaced fuel is to be specified
    displaced_boiler_efficiency_net_cv: float | None
    displaced_price_key: str
    displaced_fuel_source: str
    source: str


@dataclass
class Tables:
    factors: dict[str, Factor] = field(default_factory=dict)
    recipes: dict[str, list[Recipe]] = field(default_factory=dict)
    materials: dict[str, MaterialInfo] = field(default_factory=dict)
    prices: dict[tuple[str, str], Price] = field(default_factory=dict)
    fuel_energy: dict[str, FuelEnergy] = field(default_factory=dict)
    fuel_receivers: dict[str, FuelReceiver] = field(default_factory=dict)

    def factor(self, factor_id: str) -> Factor | None:
        return self.factors.get(factor_id) if factor_id else None

    def price(self, kind: str, key: str) -> Price | None:
        p = self.prices.get((kind, key))
        return p if p is not None and p.eur_default is not None else None

    def default_recipe(self, material_key: str) -> Recipe | None:
        rs = self.recipes.get(material_key)
        return rs[0] if rs else None

    def material_keys(self) -> list[str]:
        return list(self.materials)


def _num(text: str) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def _rows(path: Path):
    with path.open(newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def _read_classes(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    return {r["key"]: r for r in _rows(path)}


def _load_dir(t: Tables, folder: Path, classes: dict[str, dict]) -> None:
    for path in sorted(folder.glob("factors_*.csv")):
        for r in _rows(path):
            t.factors[r["factor_id"]] = Factor(
                r["factor_id"], r["category"], r["item"], r["variant"], r["unit"],
                float(r["kgco2e_per_unit"]), r["source"], r["vintage"], r["geography"])
    path = folder / "recipes.csv"
    if path.exists():
        fresh: dict[str, list[Recipe]] = {}
        for r in _rows(path):
            fresh.setdefault(r["material_key"], []).append(Recipe(
                r["material_key"], r["replaces_key"], float(r["substitution_ratio"]),
                r["processing_factor_id"].strip(), r["virgin_factor_id"].strip(),
                r["disposal_factor_id"].strip(), r["source"], r["note"]))
        t.recipes.update(fresh)
    path = folder / "material_factors.csv"
    if path.exists():
        for r in _rows(path):
            key = r["material_key"]
            routes = dict(p.split("=", 1) for p in r["disposal_factor_ids"].split(";") if p)
            cls = classes.get(key, {})
            t.materials[key] = MaterialInfo(
                key, r["flow_kind"], r["baseline_route"], routes, r["fee_class"],
                r["no_recipe_reason"], r["note"], _num(cls.get("density_t_per_m3", "")),
                cls.get("label_en", ""), cls.get("group", ""))
    path = folder / "prices.csv"
    if path.exists():
        for r in _rows(path):
            t.prices[(r["kind"], r["price_key"])] = Price(
                r["kind"], r["price_key"], r["unit"], _num(r["eur_low"]), _num(r["eur_default"]),
                _num(r["eur_high"]), r["territory"], r["source"], r["vintage"])


def _load_fuels(t: Tables, folder: Path) -> None:
    path = folder / "fuel_energy.csv"
    if path.exists():
        for r in _rows(path):
            t.fuel_energy[r["material_key"]] = FuelEnergy(
                r["material_key"], float(r["kwh_net_per_t"]), r["per_t_factor_id"], r["per_kwh_net_factor_id"],
                float(r["combustion_kgco2e_per_t"]), _num(r["biogenic_co2_kg_per_t_not_counted"]),
                r["biogenic_co2_factor_id"], _num(r["boiler_efficiency_net_cv"]), r["boiler_efficiency_source"],
                r["source"])
    path = folder / "fuel_use_receivers.csv"
    if path.exists():
        for r in _rows(path):
            t.fuel_receivers[r["naf_prefix"]] = FuelReceiver(
                r["naf_prefix"], r["activity_en"], tuple(b for b in r["burns"].split(";") if b), r["appliance"],
                r["displaced_fuel_factor_id"].strip(), _num(r["displaced_boiler_efficiency_net_cv"]),
                r["displaced_price_key"].strip(), r["displaced_fuel_source"], r["source"])


def load_tables(extra_dirs: tuple[str | Path, ...] = (), classes_csv: Path | None = None) -> Tables:
    """Shipped tables, then each of ``extra_dirs`` (later wins)."""
    classes = _read_classes(classes_csv or MATERIALS_CLASSES)
    t = Tables()
    for folder in (DATA_DIR, *map(Path, extra_dirs)):
        _load_dir(t, folder, classes)
        _load_fuels(t, folder)
    # same order as the taxonomy, so the vector index of a class is its taxonomy index
    order = {k: i for i, k in enumerate(classes)}
    t.materials = dict(sorted(t.materials.items(), key=lambda kv: order.get(kv[0], len(order))))
    return t


@lru_cache(maxsize=1)
def default_tables() -> Tables:
    env = os.environ.get(ENV_VAR, "")
    return load_tables(tuple(p for p in env.split(os.pathsep) if p))
