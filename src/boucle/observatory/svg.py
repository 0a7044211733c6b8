"""Small SVG drawings for the printable report: funnel bars, a Sankey, a choropleth map.

Drawn on the server so the report is one self-contained HTML file that prints (and
turns into a PDF) without JavaScript. Pure: plain data in, an ``<svg>`` string out.
"""

from __future__ import annotations

import math
from collections import defaultdict
from xml.sax.saxutils import escape, quoteattr

PALETTE = ("#e5f5e0", "#a1d99b", "#74c476", "#31a354", "#006d2c")
SUPPRESSED = "#d9d9d9"
NODE_COLORS = ("#3b6ea8", "#0b6e4f", "#b5651d")
FONT = 'font-family="system-ui, sans-serif"'


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label={quoteattr(title)}>'
            f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def _short(text: str, room: int) -> str:
    """A label cut to the room the drawing leaves it, with an ellipsis (the full name is in the tooltip)."""
    return text if len(text) <= room else text[:room - 1] + "…"


def _fmt(value: float | None, number=None) -> str:
    """``number``: the page's number format (``boucle.web.words.number``: « 16 680 » in French, « 16,680 » in
    English); without it, French grouping."""
    if value is None:
        return "—"
    if number is not None:
        return number(value)
    return f"{value:,.0f}".replace(",", "\u202f")


def funnel_svg(stages: list[tuple[str, float | None]], title: str = "Funnel", width: int = 640, number=None) -> str:
    """One horizontal bar per stage, its length proportional to the count."""
    bar_h, gap, label_w = 26, 8, 170
    top = max([v for _, v in stages if v] or [1])
    body = []
    for i, (label, value) in enumerate(stages):
        y = i * (bar_h + gap)
        w = max(2.0, (width - label_w - 80) * (value or 0) / top)
        body.append(f'<text x="{label_w - 8}" y="{y + bar_h * 0.68:.1f}" text-anchor="end" font-size="13" {FONT}>'
                    f"{escape(label)}</text>")
        body.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{NODE_COLORS[1]}"/>')
        body.append(f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h * 0.68:.1f}" font-size="13" {FONT}>'
                    f"{_fmt(value, number)}</text>")
    return _svg(width, len(stages) * (bar_h + gap), body, title)


def sankey_layout(doc: dict, width: float, height: float, node_w: float = 14, pad: float = 8) -> dict:
    """Node rectangles and link bands: columns left to right, nodes stacked by value. The gaps between the
    nodes of a column take at most a third of the height, so the blocks keep the rest (never a negative scale)."""
    columns = defaultdict(list)
    for node in doc["nodes"]:
        columns[node["column"]].append(node)
    n_cols = max(columns) + 1 if columns else 1
    value = _node_values(doc)
    most = max((len(nodes) for nodes in columns.values()), default=1)
    pad = min(pad, height / 3 / max(1, most - 1))
    scale = min(((height - pad * (len(nodes) - 1)) / (sum(value[n["id"]] for n in nodes) or 1))
                for nodes in columns.values()) if columns else 1.0
    rects = {}
    for col, nodes in columns.items():
        x = (width - node_w) * col / max(1, n_cols - 1)
        y = 0.0
        for n in nodes:
            h = max(1.0, value[n["id"]] * scale)
            rects[n["id"]] = {"x": x, "y": y, "w": node_w, "h": h, "node": n}
            y += h + pad
    out_y = {k: r["y"] for k, r in rects.items()}
    in_y = dict(out_y)
    bands = []
    for link in doc["links"]:
        s, t = rects[link["source"]], rects[link["target"]]
        h = link["value"] * scale
        y0, y1 = out_y[link["source"]], in_y[link["target"]]
        out_y[link["source"]] += h
        in_y[link["target"]] += h
        x0, x1 = s["x"] + node_w, t["x"]
        xm = (x0 + x1) / 2
        path = (f"M{x0:.1f},{y0:.1f} C{xm:.1f},{y0:.1f} {xm:.1f},{y1:.1f} {x1:.1f},{y1:.1f} "
                f"L{x1:.1f},{y1 + h:.1f} C{xm:.1f},{y1 + h:.1f} {xm:.1f},{y0 + h:.1f} {x0:.1f},{y0 + h:.1f} Z")
        bands.append({"d": path, "link": link, "column": s["node"]["column"]})
    return {"rects": rects, "bands": bands}


def _node_values(doc: dict) -> dict:
    inflow, outflow = defaultdict(float), defaultdict(float)
    for link in doc["links"]:
        outflow[link["source"]] += link["value"]
        inflow[link["target"]] += link["value"]
    return {n["id"]: max(inflow[n["id"]], outflow[n["id"]]) for n in doc["nodes"]}


def fold_small(doc: dict, keep: int = 12, others: str = "+ %(n)d") -> dict:
    """At most ``keep`` nodes per column: the largest ``keep - 1`` in their order, then one node gathering the
    rest (``others`` names it, ``%(n)d`` their number). A printed drawing has no hover to name a block too
    thin for its label: sixty materials on 480 px left bands of no height and labels written over each other."""
    value = _node_values(doc)
    columns = defaultdict(list)
    for node in doc["nodes"]:
        columns[node["column"]].append(node)
    target, nodes = {}, []
    for column in sorted(columns):
        members = columns[column]
        if len(members) <= keep:
            nodes += members
            target.update((n["id"], n["id"]) for n in members)
            continue
        kept = {n["id"] for n in sorted(members, key=lambda n: -value[n["id"]])[:keep - 1]}
        folded = f"{column}:others"
        nodes += [n for n in members if n["id"] in kept]
        nodes.append({"id": folded, "name": folded, "column": column, "code": "",
                      "label": others % {"n": len(members) - len(kept)},
                      "offers": sum(n.get("offers", 0) for n in members if n["id"] not in kept)})
        target.update((n["id"], n["id"] if n["id"] in kept else folded) for n in members)
    merged = defaultdict(float)
    for link in doc["links"]:
        merged[(target[link["source"]], target[link["target"]])] += link["value"]
    links = [{"source": s, "target": t, "value": round(v, 3)} for (s, t), v in merged.items()]
    return {**doc, "nodes": nodes, "links": links}


def sankey_svg(doc: dict, title: str = "Sankey", width: int = 900, height: int = 480, keep: int = 12,
               others: str = "+ %(n)d", number=None) -> str:
    """``keep`` and ``others``: see ``fold_small``; labels 12 px apart at least, for an 11 px font."""
    margin_l, margin_r = 10, 10
    inner_w = width - margin_l - margin_r - 340  # room for the labels of the outer columns
    doc = fold_small(doc, keep, others)
    layout = sankey_layout(doc, inner_w, height, pad=12)
    top = 8  # room for the half of the first label above its block
    body = [f'<g transform="translate({margin_l + 170},{top})">']
    labels = {n["id"]: n.get("label") or n["id"] for n in doc.get("nodes", [])}  # words, not node keys
    for band in layout["bands"]:
        link = band["link"]
        source, target = labels.get(link["source"], link["source"]), labels.get(link["target"], link["target"])
        body.append(f'<path d="{band["d"]}" fill="{NODE_COLORS[band["column"]]}" fill-opacity="0.35">'
                    f"<title>{escape(source)} → {escape(target)} : {_fmt(link['value'], number)} t</title>"
                    "</path>")
    for r in layout["rects"].values():
        n = r["node"]
        body.append(f'<rect x="{r["x"]:.1f}" y="{r["y"]:.1f}" width="{r["w"]:.1f}" height="{r["h"]:.1f}" '
                    f'fill="{NODE_COLORS[n["column"]]}"><title>{escape(n["label"])}</title></rect>')
        anchor, x = ("end", r["x"] - 4) if n["column"] == 0 else ("start", r["x"] + r["w"] + 4)
        body.append(f'<text x="{x:.1f}" y="{r["y"] + r["h"] / 2 + 4:.1f}" text-anchor="{anchor}" font-size="11" '
                    f'{FONT}>{escape(_short(n["label"], 30))}</text>')
    body.append("</g>")
    # blocks of at least 1 px each may pass the height a little: the drawing grows to show the last label
    bottom = max((r["y"] + r["h"] for r in layout["rects"].values()), default=0.0)
    return _svg(width, max(height, bottom) + 2 * top, body, title)


def _rings(geometry: dict):
    if geometry["type"] == "Polygon":
        yield from geometry["coordinates"]
    elif geometry["type"] == "MultiPolygon":
        for polygon in geometry["coordinates"]:
            yield from polygon


def classes(values: list[float | None], k: int = len(PALETTE)) -> list[float]:
    """Upper bounds of ``k`` quantile classes over the known values."""
    known = sorted(v for v in values if v is not None)
    if not known:
        return []
    return [known[min(len(known) - 1, math.ceil(len(known) * (i + 1) / k) - 1)] for i in range(k)]


def color(value: float | None, bounds: list[float]) -> str:
    if value is None:
        return SUPPRESSED
    for bound, fill in zip(bounds, PALETTE):
        if value <= bound:
            return fill
    return PALETTE[-1]


def map_svg(features: list[dict], lines: list[tuple] = (), title: str = "Map", width: int = 640,
            legend: str = "", unit: str = "", number=None) -> str:
    """A choropleth: ``features`` are GeoJSON features with ``properties.value`` (None: suppressed);
    ``unit`` follows every figure of the legend and the tooltips (« ≤ 1 200 t/an »).

    Equirectangular projection with x scaled by cos(mean latitude): at a region's
    scale the distortion is invisible and it needs no projection library.
    ``lines`` are ((lon, lat), (lon, lat)) pairs drawn on top (running synergies).
    """
    points = [pt for f in features for ring in _rings(f["geometry"]) for pt in ring]
    if not points:
        return _svg(width, 40, [f'<text x="4" y="24" {FONT}>—</text>'], title)
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    west, south, north = min(lons), min(lats), max(lats)
    k = math.cos(math.radians((south + north) / 2))
    span_x, span_y = (max(lons) - west) * k or 1e-6, (north - south) or 1e-6
    s = (width - 20) / span_x
    height = span_y * s + 20 + 40

    def xy(lon, lat):
        return 10 + (lon - west) * k * s, 10 + (north - lat) * s

    values = [f["properties"].get("value") for f in features]
    bounds = classes(values)
    lowest = min((v for v in values if v is not None), default=None)
    after = f"\u00a0{unit}" if unit else ""
    step = 80 + 5 * len(after)  # room for the unit after each figure
    body = []
    for f in features:
        d = " ".join("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in (xy(*pt[:2]) for pt in ring)) + " Z"
                     for ring in _rings(f["geometry"]))
        value = f["properties"].get("value")
        name = f["properties"].get("name", "")
        body.append(f'<path d="{d}" fill="{color(value, bounds)}" fill-rule="evenodd" stroke="#555" '
                    f'stroke-width="0.4"><title>{escape(str(name))}: {_fmt(value, number)}{escape(after)}</title></path>')
    for (lon0, lat0), (lon1, lat1) in lines:
        (x0, y0), (x1, y1) = xy(lon0, lat0), xy(lon1, lat1)
        body.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="#b5651d" '
                    f'stroke-width="2"/>')
    y = height - 30
    # One legend entry per distinct class (several classes collapse on the same value with few units); a first
    # class holding a single value (0 where many units have none) says that value, « 0 t/an », not « ≤ 0 t/an ».
    shown = [(bound, fill) for i, (bound, fill) in enumerate(zip(bounds, PALETTE)) if i == 0 or bound != bounds[i - 1]]
    for i, (bound, fill) in enumerate(shown):
        at_most = "" if i == 0 and bound == lowest else "≤ "
        body.append(f'<rect x="{10 + i * step}" y="{y}" width="16" height="12" fill="{fill}" stroke="#555" '
                    f'stroke-width="0.4"/><text x="{30 + i * step}" y="{y + 11}" font-size="10" {FONT}>{at_most}'
                    f"{_fmt(bound, number)}{escape(after)}</text>")
    body.append(f'<rect x="{10 + len(shown) * step}" y="{y}" width="16" height="12" fill="{SUPPRESSED}"/>'
                f'<text x="{30 + len(shown) * step}" y="{y + 11}" font-size="10" {FONT}>{escape(legend)}</text>')
    return _svg(width, height, body, title)
