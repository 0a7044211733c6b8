"""Skills a territory's companies need, the training that prepares for them, and the needs that
several companies could fill together: plain data in, plain data out (no Django).

- A need is matched to the training offers within commuting distance (``radius_km``, 40 km by
  default: the distance most commuters in a French employment zone stay within) that teach its
  ROME code — or, for a need written in words only, share a significant word with it — and that
  have not ended; nearest first, then the soonest start.
- A need is also matched to other companies' declared skill offers (staff they can lend or
  redeploy) with the same code within the same distance.
- Needs with the same ROME code whose sites lie within ``pool_km`` of each other (chained), from
  at least two companies, form a pool: one recruitment or one training group shared, as an
  employers' group for integration and qualification (GEIQ) does.
- A need without any training or offer is unmet; counted per EPCI for facilitators.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from boucle.matching.spatial import haversine_km

COMMUTE_KM = 40.0
POOL_KM = 30.0
#: Levels of the 2019 national nomenclature of qualifications (3: CAP/BEP … 8: doctorate).
LEVELS = ("3", "4", "5", "6", "7", "8")
STOPWORDS = {"pour", "avec", "dans", "des", "les", "une", "and", "the", "with", "sur", "aux", "technicien",
             "technicienne", "agent", "operateur", "operatrice", "ouvrier", "ouvriere", "industriel", "industrielle",
             "industriels", "production"}


def fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()


def words(text: str) -> frozenset[str]:
    """Significant words (4 letters or more, not generic job words), accents and case ignored."""
    return frozenset(w for w in re.findall(r"[a-z]{4,}", fold(text)) if w not in STOPWORDS)


@dataclass(frozen=True)
class Need:
    key: int
    company: int
    rome: str
    words: frozenset
    headcount: int
    lat: float
    lon: float
    epci: str = ""


@dataclass(frozen=True)
class Training:
    key: int
    romes: tuple[str, ...]
    words: frozenset
    lat: float
    lon: float
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True)
class Offer:
    key: int
    company: int
    rome: str
    words: frozenset
    lat: float
    lon: float


@dataclass
class Match:
    need: int
    trainings: list[tuple[int, float]] = field(default_factory=list)  # (training key, km), nearest first
    offers: list[tuple[int, float]] = field(default_factory=list)
    pool: int | None = None

    @property
    def met(self) -> bool:
        return bool(self.trainings or self.offers)


@dataclass(frozen=True)
class Pool:
    key: int
    rome: str
    needs: tuple[int, ...]
    companies: int
    headcount: int


def _teaches(need: Need, romes, text_words) -> bool:
    if need.rome:
        return need.rome in romes
    return bool(need.words & text_words)


def _distances(need: Need, items) -> np.ndarray:
    if not items:
        return np.zeros(0)
    return haversine_km(need.lat, need.lon, np.array([i.lat for i in items]), np.array([i.lon for i in items]))


def match(needs: list[Need], trainings: list[Training], offers: list[Offer], *, radius_km: float = COMMUTE_KM,
          pool_km: float = POOL_KM, today: dt.date | None = None, per_need: int = 5) -> tuple[list[Match], list[Pool]]:
    """Each need's trainings and offers within ``radius_km``, and the pools."""
    today = today or dt.date.today()
    open_trainings = [t for t in trainings if t.end is None or t.end >= today]
    out = []
    for need in needs:
        m = Match(need.key)
        fit = [t for t in open_trainings if _teaches(need, t.romes, t.words)]
        km = _distances(need, fit)
        ranked = sorted(((float(d), t.start or dt.date.max, t.key) for d, t in zip(km, fit) if d <= radius_km))
        m.trainings = [(key, round(d, 1)) for d, _start, key in ranked[:per_need]]
        fit = [o for o in offers if o.company != need.company and _teaches(need, (o.rome,) if o.rome else (), o.words)]
        km = _distances(need, fit)
        m.offers = [(key, round(d, 1)) for d, key in sorted((float(d), o.key) for d, o in zip(km, fit) if d <= radius_km)][:per_need]
        out.append(m)
    found = pools(needs, pool_km=pool_km)
    by_need = {n: p.key for p in found for n in p.needs}
    for m in out:
        m.pool = by_need.get(m.need)
    return out, found


def pools(needs: list[Need], *, pool_km: float = POOL_KM) -> list[Pool]:
    """Needs of one ROME code chained within ``pool_km``, from at least two companies."""
    by_rome: dict[str, list[Need]] = {}
    for n in needs:
        if n.rome:
            by_rome.setdefault(n.rome, []).append(n)
    found = []
    for rome in sorted(by_rome):
        group = sorted(by_rome[rome], key=lambda n: n.key)
        parent = list(range(len(group)))

        def root(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i, n in enumerate(group):
            km = _distances(n, group[i + 1:])
            for j in np.nonzero(km <= pool_km)[0]:
                parent[root(i + 1 + int(j))] = root(i)
        components: dict[int, list[Need]] = {}
        for i, n in enumerate(group):
            components.setdefault(root(i), []).append(n)
        for members in components.values():
            companies = {n.company for n in members}
            if len(companies) >= 2:
                found.append(Pool(0, rome, tuple(n.key for n in members), len(companies), sum(n.headcount for n in members)))
    found.sort(key=lambda p: (-p.headcount, p.rome, p.needs))
    return [Pool(i + 1, p.rome, p.needs, p.companies, p.headcount) for i, p in enumerate(found)]


def unmet_by_epci(needs: list[Need], matches: list[Match]) -> list[dict]:
    """Per EPCI: needs and headcount without any training or offer within reach."""
    met = {m.need for m in matches if m.met}
    out: dict[str, dict] = {}
    for n in needs:
        row = out.setdefault(n.epci, {"epci": n.epci, "needs": 0, "headcount": 0, "unmet_needs": 0, "unmet_headcount": 0})
        row["needs"] += 1
        row["headcount"] += n.headcount
        if n.key not in met:
            row["unmet_needs"] += 1
            row["unmet_headcount"] += n.headcount
    return sorted(out.values(), key=lambda r: (-r["unmet_headcount"], r["epci"]))
