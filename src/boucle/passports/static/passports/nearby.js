// Passport page: the repair and recycling sites near the visitor (or the place of manufacture).
(function () {
  "use strict";
  const el = document.getElementById("nearby-map");
  if (!el || !window.L) return;
  const sites = JSON.parse(el.dataset.sites);
  const origin = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
  const map = L.map(el).setView(origin, 10);
  if (el.dataset.tileUrl) L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution }).addTo(map);
  const bounds = [origin];
  L.circleMarker(origin, { radius: 6, color: "#333" }).addTo(map);
  sites.forEach((s) => {
    const text = (s.name ? s.name + " — " : "") + s.activity + ", " + s.commune + " (" + s.km + " km)";
    const popup = document.createElement("span");
    popup.textContent = text;  // text, never HTML: names come from companies
    L.circleMarker([s.lat, s.lon], { radius: 7, color: s.role === "repair" ? "#1b7f3b" : "#1f5fa8" }).bindPopup(popup).addTo(map);
    bounds.push([s.lat, s.lon]);
  });
  map.fitBounds(bounds, { padding: [20, 20] });
  const locate = document.getElementById("locate");
  if (locate) locate.addEventListener("click", () => {
    navigator.geolocation.getCurrentPosition((pos) => {
      const url = new URL(window.location.href);
      url.searchParams.set("lat", pos.coords.latitude.toFixed(3));
      url.searchParams.set("lon", pos.coords.longitude.toFixed(3));
      window.location.href = url.toString() + "#where";
    });
  });
})();
