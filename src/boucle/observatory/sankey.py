"""The "toile industrielle": who produces which material, and where it goes.

Three columns: producing activities (NAF divisions of offering sites) → materials →
receiving activities (NAF divisions of synergy receivers), or the current disposal
route for whatever no synergy takes. An offer is split between its synergies in
proportion to their quantities, never beyond what it declares, so the left and right
halves of the diagram carry the same tonnage.

Pure: plain tuples in, a node/link document out (the shape ECharts' sankey and
``svg.sankey_svg`` both draw).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

DISPOSAL = "disposal"
UNKNOWN = "?"


def node_id(column: int, code: str) -> str:
    return f"{'pmr'[column]}:{code}"


def build(offers: Iterable[tuple], synergies: Iterable[tuple],
          label: Callable[[int, str], str] = lambda column, code: code) -> dict:
    """``offers``: (offer id, producer division, material, tonnes per year);
    ``synergies``: (offer id, receiver division, tonnes per year or None).

    A synergy without a quantity takes an equal share of what the others leave.
    """
    by_offer: dict = defaultdict(list)
    for offer_id, receiver, tonnes in synergies:
        by_offer[offer_id].append((receiver or UNKNOWN, tonnes))
    left: dict[tuple, float] = defaultdict(float)
    right: dict[tuple, float] = defaultdict(float)
    offers_of: dict[tuple, set] = defaultdict(set)
    for offer_id, producer, material, tonnes in offers:
        if not tonnes or tonnes <= 0:
            continue
        producer, material = producer or UNKNOWN, material or UNKNOWN
        left[(producer, material)] += tonnes
        offers_of[(0, producer)].add(offer_id)
        offers_of[(1, material)].add(offer_id)
        for receiver, sent in _split(tonnes, by_offer.get(offer_id, [])):
            right[(material, receiver)] += sent
            offers_of[(2, receiver)].add(offer_id)
    nodes, seen = [], set()

    def add(column, code):
        nid = node_id(column, code)
        if nid not in seen:
            seen.add(nid)
            nodes.append({"id": nid, "name": nid, "column": column, "code": code, "label": label(column, code),
                          "offers": len(offers_of[(column, code)])})
        return nid

    links = []
    for (producer, material), value in sorted(left.items()):
        links.append({"source": add(0, producer), "target": add(1, material), "value": round(value, 3)})
    for (material, receiver), value in sorted(right.items()):
        links.append({"source": add(1, material), "target": add(2, receiver), "value": round(value, 3)})
    nodes.sort(key=lambda n: (n["column"], n["code"] == DISPOSAL, n["code"]))
    return {"nodes": nodes, "links": links, "total_t": round(sum(left.values()), 3)}


def _split(tonnes: float, synergies: list[tuple[str, float | None]]) -> list[tuple[str, float]]:
    known = [(r, q) for r, q in synergies if q is not None and q > 0]
    unknown = [r for r, q in synergies if q is None]
    taken = sum(q for _, q in known)
    scale = min(1.0, tonnes / taken) if taken else 1.0
    parts = [(r, q * scale) for r, q in known]
    rest = tonnes - sum(q for _, q in parts)
    if unknown and rest > 0:
        parts += [(r, rest / len(unknown)) for r in unknown]
        rest = 0.0
    if rest > 1e-9:
        parts.append((DISPOSAL, rest))
    return parts

