// Search by material: the criterion proposes the materials' names (and only in that mode).
(function () {
  const mode = document.getElementById("s-mode");
  const q = document.getElementById("s-q");
  if (!mode || !q) return;
  const sync = () => (mode.value === "material" ? q.setAttribute("list", q.dataset.materials) : q.removeAttribute("list"));
  mode.addEventListener("change", sync);
  sync();
})();
// Local sourcing: the establishments found, as circles on the map (no request: the data is in the page).
(function () {
  const el = document.getElementById("map");
  const data = document.getElementById("sourcing-markers");
  if (!el || !data || !window.L) return;
  const markers = JSON.parse(data.textContent);
  const map = L.map(el).setView([50.3, 2.8], 8);
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution, maxZoom: 18 }).addTo(map);
  }
  const group = L.featureGroup().addTo(map);
  markers.forEach((m) => {
    L.circleMarker([m.lat, m.lon], { radius: 6, color: "#0b6e4f", fillOpacity: 0.5 })
      // a text node: a string would be read as HTML, and names are typed by companies or imported
      .bindTooltip(document.createTextNode(m.name + " · " + m.distance)).addTo(group);
  });
  if (markers.length) map.fitBounds(group.getBounds().pad(0.2));
})();
