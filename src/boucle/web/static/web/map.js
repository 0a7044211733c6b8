// Facilitator map: EPCI outlines as a vector layer (works offline), sites loaded per bounding box.
(function () {
  // Names are data: tooltips get a text node, never HTML built from them.
  function text(value) {
    const span = document.createElement("span");
    span.textContent = value;
    return span;
  }
  const el = document.getElementById("map");
  if (!el || !window.L) return;
  const map = L.map(el).setView([50.3, 2.8], 8);
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution, maxZoom: 18 }).addTo(map);
  }
  fetch(el.dataset.epciUrl).then((r) => r.json()).then((geo) => {
    L.geoJSON(geo, { style: { color: "#0b6e4f", weight: 1, fillOpacity: 0.04 },
      onEachFeature: (f, layer) => layer.bindTooltip(text(f.properties.nom || "")) }).addTo(map);
  });
  const sites = L.layerGroup().addTo(map);
  const status = document.getElementById("map-status");
  function load() {
    const b = map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(4)).join(",");
    const filters = ["kind", "direction"].map((name) => {
      const select = document.getElementById("map-" + name);
      return select && select.value ? "&" + name + "=" + encodeURIComponent(select.value) : "";
    }).join("");
    fetch(el.dataset.sitesUrl + "?bbox=" + bbox + "&zoom=" + map.getZoom() + filters).then((r) => r.json()).then((data) => {
      sites.clearLayers();
      if (data.mode === "aggregates") {
        // Zoomed out: one circle per EPCI with its number of sites; zoom in to see the sites.
        data.clusters.forEach((c) => {
          const m = L.circleMarker([c.lat, c.lon], { radius: 6 + Math.min(14, Math.sqrt(c.count)), color: "#0b6e4f", fillOpacity: 0.35 });
          m.bindTooltip(text(c.name + " : " + c.count + " sites"));
          m.on("click", () => map.setView([c.lat, c.lon], 11));
          sites.addLayer(m);
        });
        status.textContent = data.clusters.reduce((n, c) => n + c.count, 0) + " sites (" + data.clusters.length + " EPCI)";
        return;
      }
      data.sites.forEach((s) => {
        const m = L.circleMarker([s.lat, s.lon], { radius: 4 + Math.min(6, s.n_offers), color: "#0b6e4f" });
        const a = document.createElement("a");
        a.href = "/sites/" + s.id + "/";
        a.textContent = s.name;
        m.bindPopup(a);
        sites.addLayer(m);
      });
      status.textContent = data.sites.length + (data.truncated ? "+" : "") + " sites";
    });
  }
  map.on("moveend", load);
  ["map-kind", "map-direction"].forEach((id) => {
    const select = document.getElementById(id);
    if (select) select.addEventListener("change", load);
  });
  load();
})();
