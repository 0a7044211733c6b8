"""National matching cut into tiles, run over worker processes, merged into the single run's rows.

Pure module (arrays in, arrays out, no Django). :func:`run_partitioned` gives exactly the rows of
:func:`.pipeline.select_arrays` run once over the whole territory: the same pairs, the same
scores, the same per-offer selection, in the same order, each pair once.

Who owns what, and why it is exact
----------------------------------
Every decision of the default output is taken *per offer flow*: the compiled search looks for
the best needs of each offer row, and :func:`.pipeline.select_pairs` groups the pairs by offer
flow (one proposal per receiving site and need, a declared need of a site taking over its
inferred one, at most ``cap`` receivers, ranked by plausibility). So a tile **owns offers** and
**sees needs**:

- ownership: the plane of an equal-area projection (ETRS89-LAEA Europe, EPSG:3035, metres: France
  and its cross-border partners with little distortion, defined worldwide) is cut into
  rectangles by recursive bisection at the load-weighted median (:func:`plan_tiles`); the
  outermost tiles extend to infinity, so every site (and so every offer flow, all its class rows
  being at its site) belongs to exactly one tile. Each pair (offer, need) is then produced by
  the one tile owning its offer: **found once**.
- view: a tile sees every need whose site lies within ``halo_km`` of the box (in unit-sphere xyz)
  around its owned sites. A chord is never longer than the arc, and the distance from a point to
  a box is never more than its distance to any point inside, so every need within ``halo_km``
  (great-circle) of an owned offer is seen, whatever the projection's distortion.
  ``halo_km`` (:func:`halo_km`) is the distance beyond which no pair can be shown: the search
  radius, or, when a plausibility threshold applies (the default output), the distance at which
  even the most compatible, most confident pair decays below it: ``decay_km x ln(w_max x c_max /
  threshold)`` (67 km with the default threshold and decay, instead of 200).
- so each owned offer has, in its tile, every need that can qualify for it: its search, its
  candidates (together with the declared needs of the same sites), its selection are the
  single run's. Needs are kept in their global order and ids are global ranks, so every tie is
  broken the same way.
- merge: tiles return their selected pairs with global indices; the union is sorted by the key of
  :func:`.pipeline.select_pairs` (score, plausibility descending, then offer flow, receiving site,
  need flow ranks), which is unique per selected pair: the single run's order.

The per-need mode (``Problem.per_need``, :func:`.pipeline.select_need_arrays`: the best offers
of each need) is the mirror: every decision is taken per need and all rows of a need are at its
site, so a tile **owns needs** and **sees offers** within the halo (the search radius: no
plausibility cut) around its needing sites; the merge sorts by need (receiving site, need flow
ranks), then score descending, then offer flow rank, unique per shown pair.

Cost (see ``docs/scaling.md``): each tile builds the search trees of the needs it sees (its own
and its halo), searches for its offers only; the halo is the duplicated work. A tile of side
``L`` km sees about ``(L + 2h)^2 / L^2`` times its own needs; tiles are balanced on offers plus
needs and dealt largest first to the workers.

Running: :func:`run_tile` is a plain function of a :class:`TileSpec` (a Celery task can wrap it:
the spec names a problem saved with :meth:`Problem.save`, memory-mapped on load);
:func:`run_partitioned` runs the tiles over worker processes started by ``fork``, each pinned to
one core and one thread, which read the problem's arrays inherited from the parent (no copy, no
pickling of the inputs); only each tile's selected pairs travel back.
"""

from __future__ import annotations

import json
import math
import multiprocessing as mp
import os
import resource
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from . import engine as eng
from .scoring import ScoreWeights
from .spatial import km_to_chord

PROJECTION = "EPSG:3035"  # ETRS89 / LAEA Europe: equal-area, metres
TILES_PER_WORKER = 3  # several tiles per worker: the last ones even out the load
TILE_ROWS = 1_000_000  # and tiles of at most about this many offer + need rows (cache-sized searches)
HALO_SLACK = 1e-6  # relative room on the halo for the last bits of exp and log


@dataclass(frozen=True, eq=False)
class Problem:
    """The arrays of one matching run (as :func:`.pipeline.propose` builds them) and its options."""

    sites: eng.Sites
    offers: eng.Offers
    needs: eng.Needs
    o_flow_of: np.ndarray  # rank of each offer row's flow id
    n_site_of: np.ndarray  # rank of each need row's site id
    n_flow_of: np.ndarray  # rank of each need row's flow id, -1 for an inferred need
    waste_op: np.ndarray | None  # per site: a recycler or waste operator (None: needs not inferred)
    radius_km: float = 200.0
    threshold: float = 0.0
    cap: int | None = None
    by_plausibility: bool = False
    weights: ScoreWeights = field(default_factory=ScoreWeights)
    exhaustive: bool = False
    # The valuation against today's route (pipeline.gain_filter), so a tile drops the pairs the
    # single run drops before its cap: per offer row, per need row, and the offer rows searched.
    vterms: object = None
    n_unit: np.ndarray | None = None
    searchable: np.ndarray | None = None
    # The per-need mode (pipeline.select_need_arrays): the ``per_need`` best offers of each need.
    per_need: int | None = None
    # Per offer row, the material of a listing label it is for (pipeline._part_numbers), or None.
    o_part_of: np.ndarray | None = None
    # The stated uses (pipeline.use_filter): per offer row and per need row, or None.
    uses: tuple | None = None
    # Per need row, its receiving activity (pipeline.trade_numbers), or None.
    n_trade_of: np.ndarray | None = None

    _ARRAYS = ("o_flow_of", "n_site_of", "n_flow_of")

    def save(self, folder) -> Path:
        """One ``.npy`` file per array and a ``problem.json``: :meth:`load` maps them back without
        reading them, so the processes of one machine share the pages."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        arrays = {"sites.lat": self.sites.lat, "sites.lon": self.sites.lon,
                  **{f"offers.{k}": getattr(self.offers, k) for k in _OFFER_FIELDS},
                  **{f"needs.{k}": getattr(self.needs, k) for k in _NEED_FIELDS},
                  **{k: getattr(self, k) for k in self._ARRAYS}}
        if self.waste_op is not None:
            arrays["waste_op"] = self.waste_op
        for name in ("n_unit", "searchable", "o_part_of", "n_trade_of"):
            if getattr(self, name) is not None:
                arrays[name] = getattr(self, name)
        if self.uses is not None:
            arrays["uses.o"], arrays["uses.n"] = self.uses
        if self.vterms is not None:
            arrays.update({f"vterms.{f.name}": getattr(self.vterms, f.name) for f in fields(self.vterms)})
        for name, arr in arrays.items():
            np.save(folder / f"{name}.npy", arr)
        meta = {"radius_km": self.radius_km, "threshold": self.threshold, "cap": self.cap,
                "by_plausibility": self.by_plausibility, "weights": asdict(self.weights),
                "exhaustive": self.exhaustive, "per_need": self.per_need, "arrays": sorted(arrays)}
        (folder / "problem.json").write_text(json.dumps(meta))
        return folder

    @classmethod
    def load(cls, folder) -> "Problem":
        folder = Path(folder)
        meta = json.loads((folder / "problem.json").read_text())
        a = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in meta["arrays"]}
        return cls(eng.Sites(a["sites.lat"], a["sites.lon"]),
                   eng.Offers(**{k: a[f"offers.{k}"] for k in _OFFER_FIELDS}),
                   eng.Needs(**{k: a[f"needs.{k}"] for k in _NEED_FIELDS}),
                   *(a[k] for k in cls._ARRAYS), a.get("waste_op"), meta["radius_km"], meta["threshold"],
                   meta["cap"], meta["by_plausibility"], ScoreWeights(**meta["weights"]), meta["exhaustive"],
                   vterms=_offer_terms(a), n_unit=a.get("n_unit"), searchable=a.get("searchable"),
                   per_need=meta.get("per_need"), o_part_of=a.get("o_part_of"),
                   uses=(a["uses.o"], a["uses.n"]) if "uses.o" in a else None, n_trade_of=a.get("n_trade_of"))


def _offer_terms(arrays: dict):
    from .additionality import OfferTerms

    names = [f.name for f in fields(OfferTerms)]
    if not all(f"vterms.{n}" in arrays for n in names):
        return None
    return OfferTerms(**{n: np.asarray(arrays[f"vterms.{n}"]) for n in names})


_OFFER_FIELDS = ("site", "cls", "quantity_t", "temperature_c", "hazardous", "confidence", "nearest_km")
_NEED_FIELDS = ("site", "cls", "quantity_t", "temperature_c", "inferred", "confidence", "accepts_hazardous", "resale",
                "disposal", "hazardous_only", "hazardous_same_class", "same_class_only")


@dataclass(frozen=True)
class TileSpec:
    """One tile: owns the offers whose site projects into ``[x0, x1) x [y0, y1)`` (metres of
    :data:`PROJECTION`, infinite at the outer edges) and sees the needs within ``halo_km``.
    ``source``: a folder written by :meth:`Problem.save` (None: the problem shared in-process)."""

    index: int
    x0: float
    x1: float
    y0: float
    y1: float
    halo_km: float
    load: float = 0.0
    source: str | None = None


@dataclass(frozen=True, eq=False)
class TileResult:
    """A tile's selected pairs (global offer and need rows) with their distance, compatibility
    weight, score and plausibility; and what the tile cost."""

    index: int
    offer_idx: np.ndarray
    need_idx: np.ndarray
    distance_km: np.ndarray
    compat_weight: np.ndarray
    score: np.ndarray
    plausibility: np.ndarray
    offers_owned: int = 0
    needs_owned: int = 0
    needs_seen: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    pid: int = 0
    offers_seen: int = 0  # the per-need mode's halo: offers in the trees (the offers owned otherwise)


@dataclass(frozen=True, eq=False)
class Partitioned:
    """The merged rows, in the single run's order, and the tiles' figures."""

    offer_idx: np.ndarray
    need_idx: np.ndarray
    distance_km: np.ndarray
    compat_weight: np.ndarray
    score: np.ndarray
    plausibility: np.ndarray
    tiles: list  # TileResult without arrays' weight: figures per tile
    halo_km: float
    seconds: float
    merge_seconds: float

    def candidates(self):
        return (eng.Candidates(self.offer_idx, self.need_idx, self.distance_km, self.compat_weight),
                self.score, self.plausibility)

    def __len__(self) -> int:
        return self.offer_idx.size

    def checksum(self) -> str:
        """A digest of the rows in order (pairs and the exact bits of every figure)."""
        import hashlib

        h = hashlib.sha256()
        for a in (self.offer_idx, self.need_idx, self.distance_km, self.compat_weight, self.score, self.plausibility):
            h.update(np.ascontiguousarray(a).tobytes())
        return h.hexdigest()


# --------------------------------------------------------------------------- planning


def project(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """Metres in :data:`PROJECTION`; a site that does not project is put at -inf (tile 0 owns it)."""
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", PROJECTION, always_xy=True).transform(
        np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    bad = ~(np.isfinite(x) & np.isfinite(y))
    x[bad], y[bad] = -np.inf, -np.inf
    return x, y


def halo_km(problem: Problem) -> float:
    """Beyond this great-circle distance no pair can be kept (see the module docstring)."""
    radius = float(problem.radius_km)
    t = float(problem.threshold)
    if t <= 0 or len(problem.offers) == 0 or len(problem.needs) == 0:
        return radius
    from .pipeline import compatibility

    w = problem.weights
    best = float(np.max(compatibility().weight, initial=0.0)) * float(np.max(problem.offers.confidence)) \
        * float(np.max(problem.needs.confidence * np.where(problem.needs.inferred, w.inferred_factor, 1.0)))
    if best <= 0:
        return 0.0
    reach = w.decay_km * math.log(best / (t * (1 - 1e-9)))  # the kernel's threshold is 1e-9 lower
    near = problem.offers.nearest_km
    if np.isfinite(near).any():  # a hazardous offer's decay counts from its nearest receiver (scoring.decay_distance)
        reach += float(np.nanmax(near))
    return float(min(radius, max(reach, 0.0) * (1 + HALO_SLACK) + 1e-3))


def site_loads(problem: Problem) -> np.ndarray:
    """Work per site: its offer rows (searched) plus its need rows (put in the trees)."""
    n = len(problem.sites)
    return (np.bincount(problem.offers.site, minlength=n) + np.bincount(problem.needs.site, minlength=n)).astype(float)


def plan_tiles(x: np.ndarray, y: np.ndarray, load: np.ndarray, n_tiles: int, halo: float,
               source: str | None = None) -> list[TileSpec]:
    """``n_tiles`` rectangles of even load (k-d cut): a cell meant for ``n`` tiles is cut along
    the longer side of its sites' extent at the load quantile ``floor(n/2) / n``, each side then
    meant for its share of tiles. Outer edges are infinite: every point of the plane is owned."""
    finite = np.isfinite(x) & np.isfinite(y)
    leaves: list[tuple[tuple[float, float, float, float], np.ndarray]] = []

    def cut(box, idx, n):
        pts = idx[finite[idx]]
        if n <= 1 or pts.size < 2 or (np.ptp(x[pts]) == 0 and np.ptp(y[pts]) == 0):
            leaves.append((box, idx))
            return
        axis, lo, hi = (x, 1, 0) if np.ptp(x[pts]) >= np.ptp(y[pts]) else (y, 3, 2)
        n_left = n // 2
        v = _weighted_quantile(axis[pts], load[pts], n_left / n)
        left, right = list(box), list(box)
        left[lo], right[hi] = v, v
        cut(tuple(left), idx[axis[idx] < v], n_left)
        cut(tuple(right), idx[axis[idx] >= v], n - n_left)

    cut((-np.inf, np.inf, -np.inf, np.inf), np.arange(x.size), max(1, int(n_tiles)))
    return [TileSpec(i, *b, halo_km=halo, load=float(load[idx].sum()), source=source)
            for i, (b, idx) in enumerate(leaves)]


def _weighted_quantile(v: np.ndarray, w: np.ndarray, q: float) -> float:
    """A cut value at the load quantile ``q``, strictly above the smallest value (both sides get sites)."""
    order = np.argsort(v, kind="stable")
    vs, cw = v[order], np.cumsum(w[order] + 1e-12)
    cut = vs[min(np.searchsorted(cw, cw[-1] * q), vs.size - 1)]
    if cut <= vs[0]:
        cut = vs[vs > vs[0]][0]
    return float(cut)


def owned_sites(spec: TileSpec, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Half-open rectangles of a k-d cut: each point of the plane (-inf included) in exactly one."""
    return (x >= spec.x0) & (x < spec.x1) & (y >= spec.y0) & (y < spec.y1)


def seen_sites(xyz: np.ndarray, owned: np.ndarray, halo: float) -> np.ndarray:
    """Sites within ``halo`` km of the box around the ``owned`` sites (a superset of those within
    ``halo`` km of one of them; sites without coordinates are always seen)."""
    pts = xyz[owned]
    pts = pts[np.isfinite(pts).all(axis=1)]
    bad = ~np.isfinite(xyz).all(axis=1)
    if pts.size == 0:
        return owned | bad
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    gap = np.maximum(np.maximum(lo - xyz, xyz - hi), 0.0)
    chord = float(km_to_chord(halo)) * (1 + 1e-9) + 1e-12
    return (np.einsum("ij,ij->i", gap, gap) <= chord * chord) | owned | bad


# --------------------------------------------------------------------------- one tile

_SHARED: dict = {}  # the problem of this process and the projected sites (fork-inherited)


def share(problem: Problem) -> None:
    """Make ``problem`` the one :func:`run_tile` reads when a spec names no source."""
    xyz = problem.sites.xyz  # computed once, before any fork
    x, y = project(problem.sites.lat, problem.sites.lon)
    _SHARED.clear()
    _SHARED.update(problem=problem, x=x, y=y, xyz=xyz)


def _shared_for(spec: TileSpec):
    if spec.source is not None and _SHARED.get("source") != spec.source:
        share(Problem.load(spec.source))
        _SHARED["source"] = spec.source
    if "problem" not in _SHARED:
        raise RuntimeError("no problem shared in this process: call partition.share(problem) or give a source")
    return _SHARED["problem"], _SHARED["x"], _SHARED["y"], _SHARED["xyz"]


def run_tile(spec: TileSpec, threads: int = 1) -> TileResult:
    """The selected pairs of the offers a tile owns (of the needs it owns, in the per-need mode),
    with global row indices."""
    from .pipeline import gain_filter, select_arrays

    t0, c0 = time.perf_counter(), time.process_time()
    p, x, y, xyz = _shared_for(spec)
    own_site = owned_sites(spec, x, y)
    if p.per_need is not None:
        return _run_need_tile(spec, p, own_site, xyz, threads, t0, c0)
    o_rows = np.flatnonzero(own_site[p.offers.site])
    offering = np.zeros(own_site.size, dtype=bool)
    offering[np.asarray(p.offers.site)[o_rows]] = True  # the halo is around the sites that offer
    see_site = seen_sites(xyz, offering, spec.halo_km)
    n_rows = np.flatnonzero(see_site[p.needs.site])  # increasing: ties break as in the single run
    empty = np.zeros(0, dtype=np.int64), np.zeros(0)
    if o_rows.size == 0 or n_rows.size == 0:
        oi = ni = empty[0]
        km = w = score = plaus = empty[1]
    else:
        offers, needs = eng.take_rows(p.offers, o_rows), eng.take_rows(p.needs, n_rows)
        gain = search = None
        if p.vterms is not None:
            gain = gain_filter(p.vterms, p.needs, np.asarray(p.n_unit), o_map=o_rows, n_map=n_rows)
        if p.searchable is not None:  # the run's searched rows, as this tile's local rows
            search = np.flatnonzero(np.isin(o_rows, np.asarray(p.searchable)))
        cands, terms, sel = select_arrays(
            p.sites, offers, needs, np.asarray(p.o_flow_of)[o_rows], np.asarray(p.n_site_of)[n_rows],
            np.asarray(p.n_flow_of)[n_rows], None if p.waste_op is None else np.asarray(p.waste_op),
            p.radius_km, p.threshold, p.cap, p.by_plausibility, p.weights, p.exhaustive, threads,
            gain=gain, search_rows=search, o_part_of=None if p.o_part_of is None else np.asarray(p.o_part_of)[o_rows],
            uses=None if p.uses is None else (np.asarray(p.uses[0])[o_rows], np.asarray(p.uses[1])[n_rows]),
            n_trade_of=None if p.n_trade_of is None else np.asarray(p.n_trade_of)[n_rows])
        oi, ni = o_rows[cands.offer_idx[sel]], n_rows[cands.need_idx[sel]]
        km, w = cands.distance_km[sel], cands.compat_weight[sel]
        score, plaus = terms["score"][sel], terms["plausibility"][sel]
    return TileResult(spec.index, oi, ni, km, w, score, plaus, int(o_rows.size),
                      int(np.count_nonzero(own_site[p.needs.site])), int(n_rows.size),
                      time.perf_counter() - t0, time.process_time() - c0,
                      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, os.getpid(), int(o_rows.size))


def _run_need_tile(spec: TileSpec, p: Problem, own_site: np.ndarray, xyz: np.ndarray, threads: int,
                   t0: float, c0: float) -> TileResult:
    """The per-need mode's tile: owns the needs of its sites, sees the offers within the halo of
    them. Every row of a need is at its site, so a need's whole selection is taken in one tile."""
    from .pipeline import gain_filter, select_need_arrays

    n_rows = np.flatnonzero(own_site[p.needs.site])
    needing = np.zeros(own_site.size, dtype=bool)
    needing[np.asarray(p.needs.site)[n_rows]] = True  # the halo is around the sites that need
    o_rows = np.flatnonzero(seen_sites(xyz, needing, spec.halo_km)[p.offers.site])  # increasing: same ties
    if p.searchable is not None:
        o_rows = o_rows[np.isin(o_rows, np.asarray(p.searchable))]
    oi = ni = np.zeros(0, dtype=np.int64)
    km = w = score = plaus = np.zeros(0)
    if o_rows.size and n_rows.size:
        offers, needs = eng.take_rows(p.offers, o_rows), eng.take_rows(p.needs, n_rows)
        gain = None
        if p.vterms is not None:
            gain = gain_filter(p.vterms, p.needs, np.asarray(p.n_unit), o_map=o_rows, n_map=n_rows)
        cands, terms, sel = select_need_arrays(
            p.sites, offers, needs, np.asarray(p.o_flow_of)[o_rows], np.asarray(p.n_site_of)[n_rows],
            np.asarray(p.n_flow_of)[n_rows], None if p.waste_op is None else np.asarray(p.waste_op),
            p.radius_km, p.per_need, p.weights, p.exhaustive, threads, gain=gain,
            uses=None if p.uses is None else (np.asarray(p.uses[0])[o_rows], np.asarray(p.uses[1])[n_rows]))
        oi, ni = o_rows[cands.offer_idx[sel]], n_rows[cands.need_idx[sel]]
        km, w = cands.distance_km[sel], cands.compat_weight[sel]
        score, plaus = terms["score"][sel], terms["plausibility"][sel]
    return TileResult(spec.index, oi, ni, km, w, score, plaus, int(np.count_nonzero(own_site[p.offers.site])),
                      int(n_rows.size), int(n_rows.size), time.perf_counter() - t0, time.process_time() - c0,
                      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, os.getpid(), int(o_rows.size))


# --------------------------------------------------------------------------- workers


def _pin(counter, cpus) -> None:
    """One core and one thread per worker process."""
    for var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = "1"
    with counter.get_lock():
        i = counter.value
        counter.value += 1
    if cpus and hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {cpus[i % len(cpus)]})
        except OSError:
            pass


def _run_shared(spec: TileSpec) -> TileResult:
    return run_tile(spec, threads=1)


def run_partitioned(problem: Problem, workers: int = 2, tiles: int | None = None, pin: bool = True,
                    specs: list[TileSpec] | None = None) -> Partitioned:
    """Run ``problem`` tile by tile over ``workers`` processes (0: in this process, one after the
    other) and merge. ``tiles`` defaults to :data:`TILES_PER_WORKER` per worker and at least one
    per :data:`TILE_ROWS` rows: the plan does not depend on the number of workers once the
    territory is large, so 1 and 2 workers do the same work."""
    t0 = time.perf_counter()
    share(problem)
    if specs is None:
        rows = len(problem.offers) + len(problem.needs)
        n_tiles = tiles if tiles is not None else max(TILES_PER_WORKER * max(workers, 1), math.ceil(rows / TILE_ROWS))
        specs = plan_tiles(_SHARED["x"], _SHARED["y"], site_loads(problem), n_tiles, halo_km(problem))
    order = sorted(specs, key=lambda s: -s.load)  # largest first: the small ones fill the gaps
    if workers <= 0:
        results = [run_tile(s, threads=1) for s in order]
    else:
        ctx = mp.get_context("fork")
        cpus = sorted(os.sched_getaffinity(0)) if pin and hasattr(os, "sched_getaffinity") else []
        with ctx.Pool(min(workers, len(order)), initializer=_pin, initargs=(ctx.Value("i", 0), cpus)) as pool:
            results = list(pool.imap_unordered(_run_shared, order, chunksize=1))
    m0 = time.perf_counter()
    merged = merge(results, problem)
    m1 = time.perf_counter()
    figures = [TileResult(r.index, *([np.zeros(0)] * 6), r.offers_owned, r.needs_owned, r.needs_seen, r.seconds,
                          r.cpu_seconds, r.peak_rss_mb, r.pid, r.offers_seen) for r in sorted(results, key=lambda r: r.index)]
    return Partitioned(*merged, tiles=figures, halo_km=specs[0].halo_km if specs else 0.0,
                       seconds=m1 - t0, merge_seconds=m1 - m0)


def merge(results: list[TileResult], problem: Problem):
    """The tiles' rows in the order of :func:`.pipeline.select_pairs`: score, plausibility
    descending, then offer flow, receiving site and need flow ranks (unique per shown pair); in the
    per-need mode, that of :func:`.pipeline.select_need_pairs`: need, score descending, offer flow."""
    cols = [np.concatenate([getattr(r, k) for r in results]) if results else np.zeros(0)
            for k in ("offer_idx", "need_idx", "distance_km", "compat_weight", "score", "plausibility")]
    oi, ni = cols[0].astype(np.int64), cols[1].astype(np.int64)
    score, plaus = cols[4], cols[5]
    o_flow = np.asarray(problem.o_flow_of)[oi]
    n_site = np.asarray(problem.n_site_of)[ni]
    n_flow = np.asarray(problem.n_flow_of)[ni]
    # Each tile's rows already come in this order: a stable sort of records merges the runs
    # (timsort), several times faster than sorting afresh.
    if problem.per_need is not None:  # each tile holds whole needs: its runs are sorted by need
        key = np.empty(oi.size, dtype=[("site", "<i8"), ("n", "<i8"), ("s", "<f8"), ("o", "<i8")])
        key["site"], key["n"], key["s"], key["o"] = n_site, n_flow, -score, o_flow
    else:
        key = np.empty(oi.size, dtype=[("s", "<f8"), ("p", "<f8"), ("o", "<i8"), ("site", "<i8"), ("n", "<i8")])
        key["s"], key["p"], key["o"], key["site"], key["n"] = -score, -plaus, o_flow, n_site, n_flow
    order = np.argsort(key, kind="stable")
    return [oi[order], ni[order], *(c[order] for c in cols[2:])]
