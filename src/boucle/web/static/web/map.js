// Facilitator map: EPCI outlines as a vector layer (works offline, no third-party request), sites
// coloured by role and loaded per bounding box, synergy lines coloured by status; a line opens its
// synergy. A background map is drawn only when the deployer set BOUCLE_TILE_URL. Several synergies on one
// track (the same two points: partners placed at one area's centre, two flows between the same sites) share a
// numbered pin (leaflet.markercluster) that spreads into one pin per synergy; sites at one point share a marker
// whose popup lists each of them.
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

  const map = L.map(el, { maxZoom: 18 }).setView([50.3, 2.8], 8);  // the pins' clusters need a maximum zoom
  el.leafletMap = map;  // for the browser tests and a curious facilitator's console
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
  // One pin per synergy of a shared track, clustered where they coincide: a click spreads them out.
  const pins = L.markerClusterGroup
    ? L.markerClusterGroup({
      showCoverageOnHover: false, maxClusterRadius: 40, spiderfyDistanceMultiplier: 1.6,  // discs of 24 px rarely overlap
      // a white disc with the count (an integer): the library's green-yellow-orange discs read as statuses
      iconCreateFunction: (c) => L.divIcon({ className: "synergy-cluster", iconSize: [24, 24],
        html: "<span>" + Number(c.getChildCount()) + "</span>" }),
    })
    : L.layerGroup();
  pins.addTo(map);
  const describe = (p) => p.material + " — " + p.status_label + " : " + p.offer + " → " + p.need;
  function pinFor(p, at) {
    const style = STATUS[p.status] || STATUS.suggested;
    const icon = L.divIcon({ className: "synergy-pin", iconSize: [16, 16], html: "" });
    const pin = L.marker(at, { icon: icon, keyboard: true, title: describe(p), alt: describe(p) });
    pin.on("add", () => { const e = pin.getElement(); if (e) e.style.background = style.color; });
    // Text, never HTML: site names come from companies.
    const box = document.createElement("div");
    const head = document.createElement("strong");
    head.textContent = p.material;
    const what = document.createElement("div");
    what.textContent = p.status_label + " : " + p.offer + " → " + p.need;
    const link = document.createElement("a");
    link.href = p.url;
    link.textContent = words.open;
    box.append(head, what, link);
    pin.bindPopup(box);
    return pin;
  }
  let fitted = false;
  function loadLines() {
    const statut = value("map-status");
    lines.clearLayers();
    pins.clearLayers();
    if (statut === "none") { counts.lines = ""; showCounts(); return; }
    fetch(el.dataset.linesUrl + (statut ? "?statut=" + encodeURIComponent(statut) : "")).then((r) => r.json()).then((geo) => {
      const tracks = new Map();  // the same two points, in either direction: one track
      geo.features.forEach((f) => {
        const key = f.geometry.coordinates.map((c) => c.join(",")).sort().join("|");
        if (!tracks.has(key)) tracks.set(key, []);
        tracks.get(key).push(f);
      });
      tracks.forEach((features) => {
        const [a, b] = features[0].geometry.coordinates;
        const shared = features.length > 1 || (a[0] === b[0] && a[1] === b[1]);  // a point draws no line
        const middle = [(a[1] + b[1]) / 2, (a[0] + b[0]) / 2];
        const trackPins = shared ? features.map((f) => pinFor(f.properties, middle)) : [];
        trackPins.forEach((pin) => pins.addLayer(pin));
        features.forEach((f) => {
          const p = f.properties;
          const style = STATUS[p.status] || STATUS.suggested;
          const line = L.polyline([[a[1], a[0]], [b[1], b[0]]], { ...style, opacity: 0.85 });
          const label = features.length > 1 ? say(words.shared, { n: fmt(features.length) }) : describe(p);
          line.bindTooltip(text(label), { sticky: true });
          line.on("click", () => {
            if (!trackPins.length) { window.location.href = p.url; return; }
            // several synergies here: show their pins, spread out, rather than open one of them at random
            pins.zoomToShowLayer ? pins.zoomToShowLayer(trackPins[0], () => {
              const parent = pins.getVisibleParent(trackPins[0]);
              if (parent && parent.spiderfy && parent !== trackPins[0]) parent.spiderfy();
            }) : trackPins[0].openPopup();
          });
          line.on("add", () => {
            const path = line.getElement();
            if (path) { path.setAttribute("role", "link"); path.setAttribute("aria-label", words.open + " : " + p.material); }
          });
          lines.addLayer(line);
        });
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
        // Sites at one point (two establishments at one address) share one marker listing each of them.
        const spots = new Map();
        data.sites.forEach((s) => {
          const key = s.lat + "," + s.lon;
          if (!spots.has(key)) spots.set(key, []);
          spots.get(key).push(s);
        });
        spots.forEach((here) => {
          const offers = here.reduce((n, s) => n + s.n_offers, 0), needs = here.reduce((n, s) => n + (s.n_needs || 0), 0);
          const role = offers && needs ? "both" : (offers ? "offer" : "need");
          const m = L.circleMarker([here[0].lat, here[0].lon], { radius: 4 + Math.min(6, offers + needs) + (here.length > 1 ? 2 : 0), color: ROLE[role], weight: here.length > 1 ? 4 : 2, fillOpacity: 0.5 });
          const box = document.createElement("div");
          if (here.length > 1) {
            const head = document.createElement("strong");
            head.textContent = say(words.same_place, { n: fmt(here.length) });
            box.append(head);
          }
          const list = document.createElement(here.length > 1 ? "ul" : "div");
          here.forEach((s) => {
            const item = document.createElement(here.length > 1 ? "li" : "div");
            const a = document.createElement("a");
            a.href = "/sites/" + s.id + "/";
            a.textContent = s.name;
            const detail = document.createElement("div");
            detail.textContent = say(words.site_flows, { offers: fmt(s.n_offers), needs: fmt(s.n_needs || 0) });  // never "1 offres"
            item.append(a, detail);
            list.append(item);
          });
          box.append(list);
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
