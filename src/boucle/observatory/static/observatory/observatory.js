// Observatory: ECharts Sankey of the toile industrielle, Leaflet choropleth with running synergy lines.
(function () {
  "use strict";
  const PALETTE = ["#e5f5e0", "#a1d99b", "#74c476", "#31a354", "#006d2c"];
  const SUPPRESSED = "#d9d9d9";

  function classes(values) {
    const known = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
    if (!known.length) return [];
    return PALETTE.map((_, i) => known[Math.min(known.length - 1, Math.ceil((known.length * (i + 1)) / PALETTE.length) - 1)]);
  }

  function colour(value, bounds) {
    if (value === null || value === undefined) return SUPPRESSED;
    for (let i = 0; i < bounds.length; i++) if (value <= bounds[i]) return PALETTE[i];
    return PALETTE[PALETTE.length - 1];
  }

  // Names, labels and site identifiers are data typed or imported by people: Leaflet tooltips get a
  // text node and ECharts tooltips (which render HTML) escaped text, never markup built from them.
  function text(value) {
    const span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function fmt(value, suppressed) {
    if (value === null || value === undefined) return suppressed;
    return Math.round(value).toLocaleString(document.documentElement.lang || "fr");
  }

  // A figure of the map's indicator with its unit (« 1 200 t/an », « 35 % »; « 35% » in English).
  function withUnit(value, suppressed) {
    if (value === null || value === undefined) return suppressed;
    const unit = mapEl.dataset.unit || "";
    const figure = fmt(value * Number(mapEl.dataset.scale || 1), suppressed);
    if (!unit) return figure;
    return figure + (unit === "%" && !(document.documentElement.lang || "fr").startsWith("fr") ? "" : "\u00a0") + unit;
  }

  // The choropleth's legend: one swatch per class with its upper bound and its unit, and the grey of "no figure".
  // A first class holding a single value (0 where many units have none) says that value, « 0 t/an », not « ≤ 0 t/an ».
  function legend(bounds, lowest) {
    const list = document.getElementById("obs-map-legend");
    if (!list) return;
    list.textContent = "";
    const item = (colour, text) => {
      const li = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = colour;
      li.append(swatch, document.createTextNode(text));
      list.append(li);
    };
    let low = null;
    bounds.forEach((bound, i) => {
      if (low !== null && bound === low) return;  // classes that collapse on the same value
      item(PALETTE[i], (low === null ? (bound === lowest ? "" : "≤ ") : fmt(low * Number(mapEl.dataset.scale || 1), "") + " – ") + withUnit(bound, ""));
      low = bound;
    });
    item(SUPPRESSED, mapEl.dataset.suppressed);
    if (mapEl.dataset.linesUrl) {
      const li = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch line";
      swatch.style.background = "#b5651d";
      li.append(swatch, document.createTextNode(mapEl.dataset.linesLabel || ""));
      list.append(li);
    }
  }

  const mapEl = document.getElementById("obs-map");
  if (mapEl && window.L) {
    // quarter zoom steps: with whole ones, fitting a region fell back a full level and drew it at a quarter of the map
    const map = L.map(mapEl, { preferCanvas: false, zoomSnap: 0.25 }).setView([50.3, 2.8], 8);
    if (mapEl.dataset.tileUrl) {
      L.tileLayer(mapEl.dataset.tileUrl, { attribution: mapEl.dataset.tileAttribution, maxZoom: 18 }).addTo(map);
    }
    const status = document.getElementById("obs-map-status");
    fetch(mapEl.dataset.geojsonUrl).then((r) => r.json()).then((geo) => {
      const values = geo.features.map((f) => f.properties.value);
      const bounds = classes(values);
      const layer = L.geoJSON(geo, {
        style: (f) => ({ color: "#555", weight: 0.6, fillOpacity: 0.75, fillColor: colour(f.properties.value, bounds) }),
        onEachFeature: (f, l) => l.bindTooltip(text(f.properties.name + " : " + withUnit(f.properties.value, mapEl.dataset.suppressed))),
      }).addTo(map);
      if (geo.features.length) map.fitBounds(layer.getBounds(), { animate: false });
      const shown = geo.features.filter((f) => f.properties.value !== null && f.properties.value !== undefined).length;
      if (status) status.textContent = (mapEl.dataset.countText || "{n} / {k}")
        .replace("{n}", fmt(shown, "")).replace("{k}", fmt(geo.features.length, ""));
      legend(bounds, Math.min(...values.filter((v) => v !== null && v !== undefined)));
      mapEl.dataset.loaded = "true";
    });
    if (mapEl.dataset.linesUrl) {
      fetch(mapEl.dataset.linesUrl).then((r) => r.json()).then((geo) => {
        L.geoJSON(geo, {
          style: { color: "#b5651d", weight: 3 },
          pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 5, color: "#b5651d" }),
          onEachFeature: (f, l) => l.bindTooltip(text((f.properties.offer_site || "—") + " → " + (f.properties.need_site || "—"))),
        }).addTo(map);
      });
    }
  }

  const sankeyEl = document.getElementById("obs-sankey");
  if (sankeyEl && window.echarts) {
    const chart = echarts.init(sankeyEl, null, { renderer: "canvas" });
    const narrow = sankeyEl.clientWidth < 600;
    fetch(sankeyEl.dataset.url).then((r) => r.json()).then((doc) => {
      if (!doc.links.length) {
        sankeyEl.textContent = sankeyEl.dataset.empty;
        sankeyEl.dataset.loaded = "empty";
        return;
      }
      const colours = ["#3b6ea8", "#0b6e4f", "#b5651d"];
      // Every block gets at least a line of text: a territory with sixty materials makes a tall
      // chart to scroll, not sixty labels printed over one another.
      const perColumn = {};
      doc.nodes.forEach((n) => { perColumn[n.column] = (perColumn[n.column] || 0) + 1; });
      const crowded = Math.max(...Object.values(perColumn));
      const needed = crowded * (narrow ? 15 : 17) + 40;
      if (needed > sankeyEl.clientHeight) { sankeyEl.style.height = needed + "px"; chart.resize(); }
      // A block too thin for its name keeps it in the tooltip only (printed, it would cover its neighbours').
      const into = {}, out = {}, columnTotal = {};
      doc.links.forEach((l) => { out[l.source] = (out[l.source] || 0) + l.value; into[l.target] = (into[l.target] || 0) + l.value; });
      const size = (n) => Math.max(into[n.id] || 0, out[n.id] || 0);
      doc.nodes.forEach((n) => { columnTotal[n.column] = (columnTotal[n.column] || 0) + size(n); });
      const room = sankeyEl.clientHeight - 20 - crowded * 4;
      const legible = (n) => columnTotal[n.column] > 0 && (size(n) / columnTotal[n.column]) * room >= 9;
      chart.on("finished", () => { sankeyEl.dataset.loaded = "true"; });
      chart.setOption({
        tooltip: { trigger: "item", formatter: (p) => escapeHtml(p.dataType === "edge"
          ? p.data.sourceLabel + " → " + p.data.targetLabel + " : " + fmt(p.data.value, "") + " t"
          : p.data.text + " : " + fmt(p.value, "") + " t") },
        series: [{
          type: "sankey", left: 10, right: narrow ? 90 : 180, nodeAlign: "justify", draggable: false, nodeGap: 4,
          emphasis: { focus: "adjacency" },
          data: doc.nodes.map((n) => ({ name: n.id, text: n.label, depth: n.column,
            itemStyle: { color: colours[n.column] }, ...(legible(n) ? {} : { label: { show: false } }) })),
          links: doc.links.map((l) => ({ ...l,
            sourceLabel: doc.nodes.find((n) => n.id === l.source).label,
            targetLabel: doc.nodes.find((n) => n.id === l.target).label })),
          // On a phone the labels are cut short; the tooltip (a tap) gives the whole name.
          label: { formatter: (p) => { const room = narrow ? 16 : 30;
                     return p.data.text.length > room ? p.data.text.slice(0, room - 1) + "…" : p.data.text; },
                   fontSize: narrow ? 10 : 12 },
          lineStyle: { color: "source", opacity: 0.35, curveness: 0.5 },
        }],
      });
      chart.on("click", (p) => {
        const node = p.dataType === "edge" ? p.data.source : p.data.name;
        window.location.href = sankeyEl.dataset.listUrl + "&noeud=" + encodeURIComponent(node);
      });
      window.addEventListener("resize", () => chart.resize());
    });
  }
})();
