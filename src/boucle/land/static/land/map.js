// Land entries as circles on the map (no request: the data is in the page); colour by status.
(function () {
  const el = document.getElementById("land-map");
  const data = document.getElementById("land-markers");
  if (!el || !data || !window.L) return;
  const markers = JSON.parse(data.textContent);
  const colours = { available: "#0b6e4f", under_study: "#b36b00", reconverted: "#6b6b6b" };
  const map = L.map(el).setView([50.3, 2.8], 8);
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution, maxZoom: 18 }).addTo(map);
  }
  const group = L.featureGroup().addTo(map);
  markers.forEach((m) => {
    L.circleMarker([m.lat, m.lon], { radius: 7, color: colours[m.status] || "#0b6e4f", fillOpacity: 0.5 })
      .bindTooltip(document.createTextNode(m.label)).addTo(group);
  });
  if (markers.length === 1) map.setView([markers[0].lat, markers[0].lon], 13);
  else if (markers.length) map.fitBounds(group.getBounds().pad(0.2));
})();
