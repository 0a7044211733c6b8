// Facilitator map: EPCI outlines as a vector layer (works offline, no third-party request), sites
// coloured by role and loaded per bounding box, synergy lines coloured by status; a line opens its
// synergy. A background map is drawn only when the deployer set BOUCLE_TILE_URL.
(function () {
  "use strict";
  // Names are data: tooltips get a text node, never HTML built from them.
  function text(value) {
    const span = document.createElement("span");
    span.textContent = value;
    return span;
  }
  const el = document.getElementById("map");
  if (!el || !window.L) return;
  const words = JSON.parse(document.getElementById(el.dataset.wordsId).textContent);
  const say = (template, values) => template.replace(/%\((\w+)\)s/g, (_, k) => values[k]);
  const fmt = (n) => Number(n).toLocaleString(document.documentElement.lang || "fr");

  // One source for colours: the legend swatches are painted from these.
  const ROLE = { offer: "#b35900", need: "#1f5fa8", both: "#7b3fa0", cluster: "#0b6e4f" };
  const STATUS = {
    suggested: { color: "#5b7fa6", weight: 2, dashArray: "6 6" },
    contacted: { color: "#8e44ad", weight: 3 },
    in_discussion: { color: "#c2185b", weight: 3 },
    trial: { color: "#d35400", weight: 4 },
    running: { color: "#1b7f3b", weight: 5 },
    stopped: { color: "#6b6b6b", weight: 2, dashArray: "2 6" },
  };
  document.querySelectorAll("#map-legend-sites [data-role]").forEach((s) => { s.style.background = ROLE[s.dataset.role]; });
  document.querySelectorAll("#map-legend-lines [data-status]").forEach((s) => {
    const st = STATUS[s.dataset.status];
    if (st) { s.style.background = st.color; s.style.height = Math.max(2, st.weight) + "px"; }
  });

  const map = L.map(el).setView([50.3, 2.8], 8);
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution, maxZoom: 18 }).addTo(map);
  }
  fetch(el.dataset.epciUrl).then((r) => r.json()).then((geo) => {
    L.geoJSON(geo, { style: { color: "#0b6e4f", weight: 1, fillOpacity: 0.04 }, interactive: false }).addTo(map);
  });

  const status = document.getElementById("map-status-text");
  const counts = { sites: "", lines: "" };
  const showCounts = () => { status.textContent = [counts.sites, counts.lines].filter(Boolean).join(" · "); };
  const value = (id) => { const s = document.getElementById(id); return s ? s.value : ""; };

  const lines = L.layerGroup().addTo(map);
  let fitted = false;
  function loadLines() {
    const statut = value("map-status");
    lines.clearLayers();
    if (statut === "none") { counts.lines = ""; showCounts(); return; }
    fetch(el.dataset.linesUrl + (statut ? "?statut=" + encodeURIComponent(statut) : "")).then((r) => r.json()).then((geo) => {
      geo.features.forEach((f) => {
        const p = f.properties;
        const [a, b] = f.geometry.coordinates;
        const style = STATUS[p.status] || STATUS.suggested;
        const line = L.polyline([[a[1], a[0]], [b[1], b[0]]], { ...style, opacity: 0.85 });
        // Text, never HTML: site names come from companies.
        line.bindTooltip(text(p.material + " — " + p.status_label + " : " + p.offer + " → " + p.need), { sticky: true });
        line.on("click", () => { window.location.href = p.url; });
        line.on("add", () => {
          const path = line.getElement();
          if (path) { path.setAttribute("role", "link"); path.setAttribute("aria-label", words.open + " : " + p.material); }
        });
        lines.addLayer(line);
      });
      if (!fitted && geo.features.length) {  // the first time, frame the synergies
        fitted = true;
        map.fitBounds(L.featureGroup(lines.getLayers()).getBounds(), { padding: [20, 20], maxZoom: 12 });
      }
      counts.lines = say(words.lines, { n: fmt(geo.features.length) + (geo.truncated ? "+" : "") })
        + (geo.not_drawn ? " (" + say(words.not_drawn, { n: fmt(geo.not_drawn) }) + ")" : "");
      showCounts();
      el.dataset.linesLoaded = "true";
    });
  }

  const sites = L.layerGroup().addTo(map);
  function loadSites() {
    const b = map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(4)).join(",");
    const filters = ["kind", "direction"].map((name) => (value("map-" + name) ? "&" + name + "=" + encodeURIComponent(value("map-" + name)) : "")).join("");
    fetch(el.dataset.sitesUrl + "?bbox=" + bbox + "&zoom=" + map.getZoom() + filters).then((r) => r.json()).then((data) => {
      sites.clearLayers();
      if (data.mode === "aggregates") {
        // Zoomed out: one circle per EPCI with its number of sites; a click zooms in on it.
        data.clusters.forEach((c) => {
          const m = L.circleMarker([c.lat, c.lon], { radius: 6 + Math.min(14, Math.sqrt(c.count)), color: ROLE.cluster, fillOpacity: 0.35, weight: 1 });
          m.bindTooltip(text(c.name + " : " + say(words.sites, { n: fmt(c.count) })));
          m.on("click", () => map.setView([c.lat, c.lon], 11));
          sites.addLayer(m);
        });
        counts.sites = say(words.clusters, { n: fmt(data.clusters.reduce((n, c) => n + c.count, 0)), k: fmt(data.clusters.length) });
      } else {
        data.sites.forEach((s) => {
          const role = s.n_offers && s.n_needs ? "both" : (s.n_offers ? "offer" : "need");
          const m = L.circleMarker([s.lat, s.lon], { radius: 4 + Math.min(6, s.n_offers + (s.n_needs || 0)), color: ROLE[role], weight: 2, fillOpacity: 0.5 });
          const a = document.createElement("a");
          a.href = "/sites/" + s.id + "/";
          a.textContent = s.name;
          const detail = document.createElement("div");
          detail.textContent = say(words.site_flows, { offers: fmt(s.n_offers), needs: fmt(s.n_needs || 0) });  // never "1 offres"
          const box = document.createElement("div");
          box.append(a, detail);
          m.bindPopup(box);
          sites.addLayer(m);
        });
        counts.sites = say(words.sites, { n: fmt(data.sites.length) + (data.truncated ? "+" : "") });
      }
      showCounts();
      el.dataset.sitesLoaded = "true";
    });
  }

  map.on("moveend", loadSites);
  ["map-kind", "map-direction"].forEach((id) => { const s = document.getElementById(id); if (s) s.addEventListener("change", loadSites); });
  const statusSelect = document.getElementById("map-status");
  if (statusSelect) statusSelect.addEventListener("change", loadLines);
  loadSites();
  loadLines();
})();
