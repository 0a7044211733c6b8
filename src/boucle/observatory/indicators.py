"""Territory indicators from additive facts per (commune, company, key).

Communes are the leaves of French geography and EPCIs and départements are parallel
parents, so every figure is kept per commune and summed over a territory's member
communes: the same facts give a commune, an EPCI, a département or a region, and the
figures add up across levels by construction. The company stays in the facts until
the end because the disclosure rule (``disclosure.disclose``) needs each company's
share of a figure, and a company with sites in several communes is one contributor.

A key is a tuple whose first item names the family:

* ``("flow_q", direction, kind, material, unit)`` declared quantity per year;
  ``("flow_n", ...)`` the number of flows; ``("kind_q", direction, kind, unit)`` the
  quantity summed over materials (derived here so it is disclosed on its own);
* ``("status", s)`` synergies by current status; ``("reached", s)`` synergies that
  reached stage ``s`` of the funnel;
* ``("impact", basis, metric)`` with basis ``estimated`` (engine's estimate for running
  synergies), ``potential`` (the territory's optimal allocation of its open suggestions,
  ``boucle.matching.potential``: each exchange counted at its offering site) or ``verified``
  (measured outcomes). The basis is part of the key, so the three never add up;
* ``("needs", "total" | "local")`` needs, and needs with a synergy, a candidate
  offer or a directory establishment that usually produces the material (other than the need's
  own site; ``sourcing.services.needs_with_source``) within the sourcing radius;
* ``("declared_total_q" | "declared_total_n", hazard, kind, unit, source, direction)`` yearly totals over several wastes
  (``Flow.declared_total``, iREP's « Déchets dangereux (total déclaré) »), per hazard (``totals.HAZARDS``) and
  register named in the label (``totals.source_of``): information about a site, never an offer, so kept out of
  ``flow_q`` and ``direction_n``;
* ``("companies", "declaring" | "in_synergies" | "with_sites")`` distinct companies (``DISTINCT``);
  ``("sites",)`` open sites; ``("direction_n", direction)`` flows per direction.

Pure: numpy in, dictionaries out; no Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .disclosure import disclose
from .totals import HAZARDS, SIDES

DISTINCT = {"companies"}
FUNNEL = ("suggested", "contacted", "in_discussion", "trial", "running")
# Where each current status sits on the funnel: a stopped synergy did run; a declined
# one is only known to have been suggested.
STAGE_OF_STATUS = {"suggested": 0, "contacted": 1, "in_discussion": 2, "trial": 3, "running": 4, "stopped": 4,
                   "declined": 0}
# mwh: energy moved, in its own unit (the potential's quantities are never added across kinds); water_m3:
# the water reused (water is the only kind counted in m3), the one water figure of pages, exports and report.
IMPACT_METRICS = ("tonnes_diverted", "co2e_avoided_t", "eur_saved", "water_m3", "mwh")
BASES = ("estimated", "potential", "verified")


def codes(labels: Sequence) -> tuple[np.ndarray, list]:
    """Small integer codes for a column of labels, and the distinct labels in code order (first seen first).

    Finding the distinct labels and looking each row up both run in C: a Python loop per
    row costs more than the rest of the observatory on half a million flows.
    """
    labels = labels.tolist() if isinstance(labels, np.ndarray) else labels
    index = dict.fromkeys(labels)
    for i, label in enumerate(index):
        index[label] = i
    return np.fromiter(map(index.__getitem__, labels), dtype=np.int64, count=len(labels)), list(index)


@dataclass
class Facts:
    """Parallel arrays, one row per (commune, company, key) contribution."""

    commune: np.ndarray  # int: index into ``communes``
    company: np.ndarray  # int64: company id
    key: np.ndarray  # int: index into ``keys``
    value: np.ndarray  # float64
    communes: list[str] = field(default_factory=list)
    keys: list[tuple] = field(default_factory=list)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, int, tuple, float]]) -> Facts:
        """Rows of (commune code, company id, key tuple, value)."""
        rows = list(rows)
        if not rows:
            return cls.empty()
        communes, companies, keys, values = zip(*rows)
        commune, commune_labels = codes(communes)
        key, key_labels = codes(keys)
        return cls(commune, np.asarray(companies, dtype=np.int64), key,
                   np.fromiter((v or 0.0 for v in values), dtype=float, count=len(values)), commune_labels, key_labels)

    @classmethod
    def empty(cls) -> Facts:
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, z, np.zeros(0), [], [])

    def __len__(self) -> int:
        return int(self.value.size)


def concat(parts: Sequence[Facts]) -> Facts:
    """One table from several, re-indexing communes and keys into shared lists."""
    communes: dict[str, int] = {}
    keys: dict[tuple, int] = {}
    cs, ks, comps, vals = [], [], [], []
    for p in parts:
        cmap = np.asarray([communes.setdefault(x, len(communes)) for x in p.communes] or [0], dtype=np.int64)
        kmap = np.asarray([keys.setdefault(x, len(keys)) for x in p.keys] or [0], dtype=np.int64)
        cs.append(cmap[p.commune])
        ks.append(kmap[p.key])
        comps.append(p.company)
        vals.append(p.value)
    if not parts:
        return Facts.empty()
    return Facts(np.concatenate(cs), np.concatenate(comps), np.concatenate(ks), np.concatenate(vals),
                 list(communes), list(keys))


def compact(facts: Facts) -> Facts:
    """The same facts without the communes no row refers to (a map lists every commune it is given)."""
    used = np.zeros(len(facts.communes), dtype=bool)
    used[facts.commune] = True
    if used.all():
        return facts
    index = np.cumsum(used) - 1
    return Facts(index[facts.commune], facts.company, facts.key, facts.value,
                 [c for c, u in zip(facts.communes, used) if u], facts.keys)


def derive(facts: Facts, mapping) -> Facts:
    """Add rows under coarser keys: ``mapping(key) -> list of new keys`` (may be empty).

    The mapping is asked once per key; rows are then copied with one gather per target
    slot (a key has at most a handful of targets), not one pass per key.
    """
    new_keys: dict[tuple, int] = {k: i for i, k in enumerate(facts.keys)}
    targets = [[new_keys.setdefault(t, len(new_keys)) for t in mapping(key)] for key in facts.keys]
    width = max((len(t) for t in targets), default=0)
    if width == 0:
        return facts
    table = np.full((len(targets), width), -1, dtype=np.int64)
    for i, t in enumerate(targets):
        table[i, :len(t)] = t
    take, tkeys = [], []
    rows = np.flatnonzero(table[:, 0][facts.key] >= 0)  # the rows that have any target
    for slot in range(width):
        dst = table[:, slot][facts.key[rows]]
        take.append(rows[dst >= 0])
        tkeys.append(dst[dst >= 0])
    take = np.concatenate(take)
    return Facts(np.concatenate([facts.commune, facts.commune[take]]),
                 np.concatenate([facts.company, facts.company[take]]),
                 np.concatenate([facts.key, np.concatenate(tkeys)]),
                 np.concatenate([facts.value, facts.value[take]]), facts.communes, list(new_keys))


def standard_derivations(key: tuple) -> list[tuple]:
    """Totals per kind from per-material flows, and the funnel from current statuses."""
    if key[0] == "flow_q":
        return [("kind_q", key[1], key[2], key[4]), ("unit_q", key[1], key[4])]
    if key[0] == "status":
        stage = STAGE_OF_STATUS.get(key[1], 0)
        return [("reached", s) for s in FUNNEL[:stage + 1]]
    return []


@dataclass
class Figure:
    total: float  # the true total (never shown to the public unless disclosed)
    companies: int  # contributing companies
    disclosed: float | None  # the publishable value, or None when suppressed


def rollup_groups(facts: Facts, group_of_commune: Sequence[int] | np.ndarray, n_groups: int,
                  key_filter=None) -> list[dict[tuple, Figure]]:
    """Figures per group of communes (a territory, or each EPCI of a map) in one pass.

    ``group_of_commune[i]`` is the group of ``facts.communes[i]`` (-1: outside every
    group). A commune belongs to at most one group per call; call once per partition.
    """
    group_of_commune = np.asarray(group_of_commune, dtype=np.int64)
    out: list[dict[tuple, Figure]] = [{} for _ in range(n_groups)]
    if len(facts) == 0:
        return out
    group = group_of_commune[facts.commune] if group_of_commune.size else np.full(len(facts), -1)
    keep = group >= 0
    if key_filter is not None:
        wanted = np.fromiter((bool(key_filter(k)) for k in facts.keys), dtype=bool, count=len(facts.keys))
        keep &= wanted[facts.key]
    if not keep.any():
        return out
    if keep.all():  # one territory: usually every fact is in it
        g, k, v, comp = group, facts.key, facts.value, facts.company
    else:
        g, k, v, comp = group[keep], facts.key[keep], facts.value[keep], facts.company[keep]
    n_keys = len(facts.keys)
    low = int(comp.min())
    span = int(comp.max()) - low + 1
    if n_groups * n_keys * span < 2 ** 62:  # company ids fit in the pair code as they are
        comp = comp - low
    else:
        _, comp = np.unique(comp, return_inverse=True)
        span = int(comp.max()) + 1
    pair = (g * n_keys + k) * span + comp
    # One stable sort, so each (group, key, company) is a run summed in the order of the facts
    # and each (group, key) a run of runs. With the row number packed into the low bits a
    # plain value sort (vectorised in numpy) is stable and several times faster than argsort.
    shift = max(int(pair.size - 1).bit_length(), 1)
    if int(pair.max()) < 1 << (62 - shift):
        packed = np.sort((pair << shift) | np.arange(pair.size, dtype=np.int64))
        order, pair = packed & ((1 << shift) - 1), packed >> shift
    else:
        order = np.argsort(pair, kind="stable")
        pair = pair[order]
    first = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
    sums = np.add.reduceat(v[order], first)
    gk = pair[first] // span
    distinct = np.fromiter((key[0] in DISTINCT for key in facts.keys), dtype=bool, count=n_keys)
    sums[distinct[gk % n_keys]] = 1.0
    starts = np.flatnonzero(np.r_[True, gk[1:] != gk[:-1]])
    ends = np.r_[starts[1:], gk.size]
    for s, e in zip(starts.tolist(), ends.tolist()):
        values = sums[s:e]
        code = int(gk[s])
        key = facts.keys[code % n_keys]
        out[code // n_keys][key] = Figure(float(values.sum()), int(np.count_nonzero(values)), disclose(values))
    return out


def rollup(facts: Facts, members: Iterable[str], key_filter=None) -> dict[tuple, Figure]:
    """Figures of one territory, given the codes of its member communes."""
    members = set(members)
    group = np.fromiter((0 if c in members else -1 for c in facts.communes), dtype=np.int64,
                        count=len(facts.communes))
    return rollup_groups(facts, group, 1, key_filter)[0]


def within_radius(need_xyz: np.ndarray, need_key: np.ndarray, offer_xyz: np.ndarray, offer_key: np.ndarray,
                  radius_km: float) -> np.ndarray:
    """For each need (unit-sphere point), is there an offer of the same material within ``radius_km``?

    The local-sourcing search's batch form, ``sourcing.engine.any_within`` (one implementation)."""
    from boucle.sourcing.engine import any_within

    if len(need_key) == 0 or len(offer_key) == 0:
        return np.zeros(len(need_key), dtype=bool)
    n_lat, n_lon = _lat_lon(need_xyz)
    o_lat, o_lon = _lat_lon(offer_xyz)
    return any_within(n_lat, n_lon, need_key, o_lat, o_lon, offer_key, radius_km)


def _lat_lon(xyz: np.ndarray):
    xyz = np.asarray(xyz, dtype=float)
    return np.degrees(np.arcsin(np.clip(xyz[:, 2], -1, 1))), np.degrees(np.arctan2(xyz[:, 1], xyz[:, 0]))


def unit_xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _value(fig: Figure | None, public: bool):
    if fig is None:
        return 0.0
    return fig.disclosed if public else fig.total


def present(figures: dict[tuple, Figure], public: bool) -> dict:
    """The indicator document: what pages, API and exports show.

    ``public`` replaces every figure by its disclosed value (``None`` when suppressed)
    and drops the company counts that would tell how few stand behind a figure.
    """
    def val(key):
        return _value(figures.get(key), public)

    def count(key):
        fig = figures.get(key)
        return None if public else (fig.companies if fig else 0)

    flows = [{"direction": k[1], "kind": k[2], "material_class": k[3], "unit": k[4],
              "quantity": val(k), "flows": val(("flow_n", *k[1:])), "companies": count(k)}
             for k in sorted(k for k in figures if k[0] == "flow_q")]
    by_kind = [{"direction": k[1], "kind": k[2], "unit": k[3], "quantity": val(k), "companies": count(k)}
               for k in sorted(k for k in figures if k[0] == "kind_q")]
    statuses = ("suggested", "contacted", "in_discussion", "trial", "running", "stopped", "declined")
    needs, local = val(("needs", "total")), val(("needs", "local"))
    share = (local / needs) if (needs and local is not None) else (None if needs is None or local is None else 0.0)
    return {
        "flows": flows,
        "flows_by_kind": by_kind,
        "flows_by_unit": {f"{k[1]}_{k[2] or 'none'}": val(k) for k in sorted(k for k in figures if k[0] == "unit_q")},
        "synergies": {"by_status": {s: val(("status", s)) for s in statuses},
                      "funnel": [{"status": s, "reached": val(("reached", s))} for s in FUNNEL]},
        "impacts": {basis: {m: val(("impact", basis, m)) for m in IMPACT_METRICS} for basis in BASES},
        "local_sourcing": {"needs": needs, "needs_with_local_source": local, "share": share},
        "companies": {"declaring": val(("companies", "declaring")),
                      "in_synergies": val(("companies", "in_synergies")),
                      "with_sites": val(("companies", "with_sites"))},
        "sites": val(("sites",)),
        "flow_counts": {"offer": val(("direction_n", "offer")), "need": val(("direction_n", "need"))},
        # what sites give off, then what they take in, never summed together; hazardous first, then non-hazardous,
        # then totals that say neither; never one sum over them; each quantity in its own unit (empty:
        # declarations without a quantity, counted, never summed)
        "declared_totals": [{"direction": k[5], "hazard": k[1], "kind": k[2], "unit": k[3], "source": k[4],
                             "quantity": val(k) if k[3] else None,
                             "flows": val(("declared_total_n", *k[1:])), "companies": count(k)}
                            for k in sorted((k for k in figures if k[0] == "declared_total_q"),
                                            key=lambda k: (SIDES.index(k[5]), HAZARDS.index(k[1]),
                                                           _KIND_ORDER.get(k[2], 9), k[4], _UNIT_ORDER.get(k[3], 9),
                                                           k[3]))],
    }


UNITS = ("t", "MWh", "m3")
_KIND_ORDER = {"material": 0, "energy": 1, "water": 2}
_UNIT_ORDER = {"t": 0, "MWh": 1, "m3": 2, "": 10}  # declarations without a quantity last


def headline(doc: dict) -> dict:
    """The few flat figures a map or a spreadsheet column shows, from an indicator document."""
    out = {"companies_declaring": doc["companies"]["declaring"],
           "companies_in_synergies": doc["companies"]["in_synergies"]}
    for direction in ("offer", "need"):
        for unit in UNITS:
            out[f"{direction}s_{unit.lower()}"] = doc["flows_by_unit"].get(f"{direction}_{unit}", 0.0)
    out["synergies_suggested"] = doc["synergies"]["funnel"][0]["reached"]
    out["synergies_running"] = doc["synergies"]["by_status"]["running"]
    for basis, metrics in doc["impacts"].items():
        for metric, value in metrics.items():
            out[f"{basis}_{metric}"] = value
    out["local_sourcing_share"] = doc["local_sourcing"]["share"]
    return out


HEADLINE_KEYS = tuple(headline(present({}, public=False)))
