"""The toile industrielle and the SVG drawings, without a database."""

import xml.etree.ElementTree as ET

import pytest

from boucle.observatory import sankey, svg

NS = "{http://www.w3.org/2000/svg}"


def _toile():
    offers = [(1, "35", "fly_ash", 5000.0), (2, "24", "foundry_sand", 1200.0), (3, "24", "slag", 700.0),
              (4, "17", "paper", 0.0)]
    synergies = [(1, "23", 4000.0), (1, "08", 3000.0), (2, "23", None)]
    return sankey.build(offers, synergies)


def test_observatory_sankey_conserves_tonnage_and_sends_rest_to_disposal():
    doc = _toile()
    links = {(l["source"], l["target"]): l["value"] for l in doc["links"]}
    # Offer 1: synergies ask 7000 t of its 5000 t, so both are scaled down; nothing left over.
    assert links[("m:fly_ash", "r:23")] == pytest.approx(5000 * 4 / 7)
    assert links[("m:fly_ash", "r:08")] == pytest.approx(5000 * 3 / 7)
    assert ("m:fly_ash", "r:disposal") not in links
    assert links[("m:foundry_sand", "r:23")] == 1200.0  # an unquantified synergy takes what is left
    assert links[("m:slag", "r:disposal")] == 700.0  # no synergy: current route
    left = sum(v for (s, _), v in links.items() if s.startswith("p:"))
    right = sum(v for (s, _), v in links.items() if s.startswith("m:"))
    assert left == pytest.approx(right) == doc["total_t"] == 6900.0
    assert not any(n["code"] == "paper" for n in doc["nodes"])  # nothing declared, nothing drawn


def _parse(text):
    root = ET.fromstring(text)
    assert root.tag == NS + "svg"
    return root


def test_observatory_svg_funnel_bars_scale_with_counts():
    root = _parse(svg.funnel_svg([("suggérée", 10), ("contact pris", 5), ("en fonctionnement", None)]))
    widths = [float(r.get("width")) for r in root.iter(NS + "rect")]
    assert widths[0] == pytest.approx(2 * widths[1])


def test_observatory_svg_sankey_has_a_band_per_link_and_a_box_per_node():
    doc = _toile()
    root = _parse(svg.sankey_svg(doc))
    assert len(list(root.iter(NS + "path"))) == len(doc["links"])
    assert len(list(root.iter(NS + "rect"))) == len(doc["nodes"])


def test_observatory_svg_map_draws_each_feature_and_suppressed_in_grey():
    square = {"type": "Polygon", "coordinates": [[[2, 50], [3, 50], [3, 51], [2, 51], [2, 50]]]}
    other = {"type": "MultiPolygon", "coordinates": [[[[3, 50], [4, 50], [4, 51], [3, 51], [3, 50]]]]}
    features = [{"type": "Feature", "geometry": square, "properties": {"name": "A", "value": 10.0}},
                {"type": "Feature", "geometry": other, "properties": {"name": "B", "value": None}}]
    root = _parse(svg.map_svg(features, lines=[((2.5, 50.5), (3.5, 50.5))]))
    fills = [p.get("fill") for p in root.iter(NS + "path")]
    assert len(fills) == 2 and fills[1] == svg.SUPPRESSED and fills[0] != svg.SUPPRESSED
    assert len(list(root.iter(NS + "line"))) == 1
    # cos(lat) scaling: a 1°×1° square at 50° N is drawn narrower than tall.
    xs = [float(v.split(",")[0]) for v in root.find(NS + "path").get("d").replace("M", "").replace(" Z", "")
          .split(" L")]
    ys = [float(v.split(",")[1]) for v in root.find(NS + "path").get("d").replace("M", "").replace(" Z", "")
          .split(" L")]
    assert (max(xs) - min(xs)) / (max(ys) - min(ys)) == pytest.approx(0.64, abs=0.02)


def test_text_in_the_drawings_is_escaped_not_markup():
    """Labels come from companies and imports; in an SVG (inlined in the report and its PDF) they stay text."""
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">&'
    drawings = [svg.funnel_svg([(payload, 3.0)], title=payload),
                svg.map_svg([{"type": "Feature", "properties": {"name": payload, "value": 1.0},
                              "geometry": {"type": "Polygon", "coordinates": [[[3, 50], [3.1, 50], [3.1, 50.1], [3, 50]]]}}],
                            title=payload)]
    for drawing in drawings:
        root = ET.fromstring(drawing)  # well-formed: nothing broke out of its element
        assert not [e for e in root.iter() if e.tag.split("}")[-1] in ("script", "img", "foreignObject")]
        assert not [a for e in root.iter() for a in e.attrib if a.startswith("on")]
        assert payload in "".join(root.itertext())


def test_the_svg_maps_legend_says_the_unit_of_each_figure():
    """The report's map legend read « ≤ 1 200 » with no unit: each figure says it (« ≤ 1 200 t/an »), the grey of
    no data stays words."""
    square = {"type": "Polygon", "coordinates": [[[2, 50], [3, 50], [3, 51], [2, 51], [2, 50]]]}
    features = [{"type": "Feature", "geometry": square, "properties": {"name": f"U{i}", "value": v}}
                for i, v in enumerate((120.0, 1200.0, 5400.0, None))]
    root = _parse(svg.map_svg(features, legend="aucune donnée", unit="t/an"))
    texts = [t.text for t in root.iter(NS + "text") if t.text]
    figures = [t for t in texts if t.startswith("≤")]
    assert figures and all(t.endswith("\u00a0t/an") for t in figures), texts
    assert "aucune donnée" in texts
    assert all(t.get("title") is None for t in root.iter(NS + "path"))
    assert any((p.findtext(NS + "title") or "").endswith("\u00a0t/an") for p in root.iter(NS + "path"))


def test_the_svg_maps_first_class_of_zeros_says_zero_not_at_most_zero():
    """Many units at 0 made a first class « ≤ 0 t/an »: it says « 0 t/an »; a first class holding several values
    keeps « ≤ »."""
    square = {"type": "Polygon", "coordinates": [[[2, 50], [3, 50], [3, 51], [2, 51], [2, 50]]]}

    def legend_figures(values, unit):
        features = [{"type": "Feature", "geometry": square, "properties": {"name": f"U{i}", "value": v}}
                    for i, v in enumerate(values)]
        texts = [t.text for t in _parse(svg.map_svg(features, legend="aucune donnée", unit=unit)).iter(NS + "text")]
        return [t for t in texts if t and t != "aucune donnée"]

    zeros = legend_figures((0.0, 0.0, 0.0, 0.0, 120.0, 1200.0, 5400.0, None), "t/an")
    assert zeros[0] == "0\u00a0t/an" and all(t.startswith("≤ ") for t in zeros[1:]), zeros
    assert legend_figures((0.0, 0.0, 0.0, 3.0, 40.0), "MWh/an")[0] == "0\u00a0MWh/an"
    spread = legend_figures((5.0, 120.0, 1200.0, 5400.0, 9000.0, 12000.0), "t/an")
    assert all(t.startswith("≤ ") for t in spread), spread


def test_a_printed_toile_with_sixty_materials_keeps_readable_blocks_and_labels():
    """Report of the Hauts-de-France demo (reader7): 60 materials on 480 px, 8 px apart, took 472 px of gaps;
    the scale went below zero, every block was 1 px high and the labels were written over each other."""
    offers = [(i, f"{10 + i % 20}", f"mat{i:02d}", 10.0 ** (1 + i % 6)) for i in range(60)]
    doc = sankey.build(offers, [])
    drawn = svg.fold_small(doc, keep=12, others="%(n)d autres")
    root = _parse(svg.sankey_svg(doc, others="%(n)d autres"))
    heights = [float(r.get("height")) for r in root.iter(NS + "rect")]
    assert len(heights) == len(drawn["nodes"]) <= 3 * 12
    assert "49 autres" in [n["label"] for n in drawn["nodes"]]  # the small materials, gathered at the bottom
    assert sum(l["value"] for l in drawn["links"]) == pytest.approx(sum(l["value"] for l in doc["links"]))
    middle = min(float(t.get("x")) for t in root.iter(NS + "text") if t.get("text-anchor") == "start")
    ys = sorted(float(t.get("y")) for t in root.iter(NS + "text") if float(t.get("x")) == middle)
    assert len(ys) == 12 and min(b - a for a, b in zip(ys, ys[1:])) >= 11  # an 11 px font: no label over another
    assert max(heights) > 25 and min(heights) > 0
    shift = float(root.find(NS + "g").get("transform").split(",")[1].rstrip(")"))
    every = [float(t.get("y")) + shift for t in root.iter(NS + "text")]
    assert min(every) >= 11 and max(every) <= float(root.get("height"))  # no label cut at the top or the bottom
